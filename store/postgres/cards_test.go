package postgres_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// TestCardEditsLandInRevisionOrder has two processes edit one message to
// 60 revisions of a card, given to them in a shuffled order, many at
// once: the message goes only forward (each edit shows a newer revision
// than the one before), and ends on the newest. A failed edit records
// nothing, and a location not stored is edited.
func TestCardEditsLandInRevisionOrder(t *testing.T) {
	ctx := context.Background()
	var replicas [2]*postgres.CardLocations
	for i, db := range openProcesses(t, pgtest.Fresh(t), nil, len(replicas)) {
		replicas[i] = postgres.NewCardLocations(db)
	}
	const loc = "C1/1700000000.000100"
	if err := replicas[0].SaveCardLocation(ctx, "slack", "poll:1", loc); err != nil {
		t.Fatal(err)
	}
	const n = 60
	revs := rand.Perm(n)
	var mu sync.Mutex
	var shown []int64
	var wg sync.WaitGroup
	for i, r := range revs {
		wg.Go(func() {
			rev := int64(r + 1)
			_, err := replicas[i%2].EditCardRevision(ctx, "slack", "poll:1", loc, rev, func(context.Context) error {
				mu.Lock()
				shown = append(shown, rev)
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if !slices.IsSorted(shown) || len(slices.Compact(slices.Clone(shown))) != len(shown) || shown[len(shown)-1] != n {
		t.Fatalf("the message showed revisions %v: not always newer, or not ending on %d", shown, n)
	}

	failed := errors.New("rate limited")
	if _, err := replicas[1].EditCardRevision(ctx, "slack", "poll:1", loc, n+1, func(context.Context) error { return failed }); !errors.Is(err, failed) {
		t.Fatalf("failed edit: %v", err)
	}
	edited, err := replicas[0].EditCardRevision(ctx, "slack", "poll:1", loc, n, func(context.Context) error { return nil })
	if err != nil || !edited {
		t.Fatalf("after a failed edit to %d, revision %d was not shown again (%v, %v)", n+1, n, edited, err)
	}
	edited, err = replicas[0].EditCardRevision(ctx, "slack", "poll:1", loc, n-1, func(context.Context) error { return nil })
	if err != nil || edited {
		t.Fatalf("an older revision was shown (%v, %v)", edited, err)
	}
	edited, err = replicas[0].EditCardRevision(ctx, "slack", "poll:2", "C1/2", 1, func(context.Context) error { return nil })
	if err != nil || !edited {
		t.Fatalf("a location not stored was not edited (%v, %v)", edited, err)
	}
}

// openProcesses opens the database at url n times, as n processes do;
// each handle is closed when the test ends.
func openProcesses(t *testing.T, url string, clock bot.Clock, n int) []*postgres.DB {
	t.Helper()
	dbs := make([]*postgres.DB, n)
	for i := range dbs {
		db, err := postgres.Open(context.Background(), url, clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs
}

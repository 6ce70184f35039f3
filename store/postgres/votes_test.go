package postgres_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// TestFirstBallotsDoNotTakeTurns holds a poll's row as a change of ballot
// does (FOR NO KEY UPDATE) and casts votes meanwhile, on connections that
// give up at once rather than wait for a lock. A member's first ballot
// lands; a change of ballot, which takes its turn, gives up; the close
// waits for a first ballot under way, and a first ballot after the close
// is refused by decide, which sees the poll closed.
func TestFirstBallotsDoNotTakeTurns(t *testing.T) {
	ctx := context.Background()
	fresh := pgtest.Fresh(t)
	u, err := url.Parse(fresh)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("lock_timeout", "50ms") // a vote that waits for a lock fails
	u.RawQuery = q.Encode()
	db, err := postgres.Open(ctx, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := postgres.NewPollStore(db)
	opened := time.Date(2011, 7, 18, 9, 0, 0, 0, time.UTC)
	p := &polls.Poll{Question: "Strike?", Options: []string{"Yes", "No"}, MaxChoices: 1, Platform: "console", Channel: "hall", OpenedBy: "console:steward", OpenedAt: opened}
	if err := s.CreatePoll(ctx, p); err != nil {
		t.Fatal(err)
	}
	cast := func(voter string, choice int) error {
		return s.Cast(ctx, p.ID, polls.Voter{ID: voter}, func(p *polls.Poll, prior polls.Prior) ([]int, error) {
			if p.Closed() {
				return nil, polls.ErrNotFound
			}
			return []int{choice}, nil
		})
	}
	if err := cast("console:alice", 1); err != nil {
		t.Fatal(err)
	}

	holder, err := pgx.Connect(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT FROM polls WHERE id = $1 FOR NO KEY UPDATE`, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := cast("console:bob", 2); err != nil {
		t.Fatalf("a first ballot waited for the poll's row: %v", err)
	}
	if err := cast("console:alice", 2); err == nil || !strings.Contains(err.Error(), "lock timeout") {
		t.Fatalf("a change of ballot did not take its turn: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	// A first ballot under way holds the poll's row as a key share; the
	// close must wait for it.
	tx, err = holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT FROM polls WHERE id = $1 FOR KEY SHARE`, p.ID); err != nil {
		t.Fatal(err)
	}
	if won, err := s.ClosePoll(ctx, p.ID, "console:steward", opened.Add(time.Hour)); won || err == nil || !strings.Contains(err.Error(), "lock timeout") {
		t.Fatalf("the close did not wait for a vote under way: %v %v", won, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := s.Tally(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if won, err := s.ClosePoll(ctx, p.ID, "console:steward", opened.Add(time.Hour)); !won || err != nil {
		t.Fatal(won, err)
	}
	if err := cast("console:carol", 1); err != polls.ErrNotFound {
		t.Fatalf("a vote after the close: %v", err)
	}
	after, err := s.Tally(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Poll.Voters != 2 || after.Poll.Revision <= before.Poll.Revision || len(after.Counts) != 2 ||
		after.Counts[0] != (polls.Count{Option: 1, Votes: 1}) || after.Counts[1] != (polls.Count{Option: 2, Votes: 1}) {
		t.Fatalf("after the close: %d voters, revision %d (was %d), counts %+v", after.Poll.Voters, after.Poll.Revision, before.Poll.Revision, after.Counts)
	}
}

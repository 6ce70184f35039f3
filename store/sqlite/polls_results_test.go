package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/sqlite"
)

// TestUpgradeCountsClosedPollsAsPosted takes a database back to the
// schema before result posts were recorded and upgrades it: polls closed
// before the upgrade count as posted, so none is posted again.
func TestUpgradeCountsClosedPollsAsPosted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "polls.db")
	e := newPollsEnv(t, path)
	e.openPoll(t, polls.OpenRequest{Question: "Old?", Options: []string{"Yes", "No"}})
	e.openPoll(t, polls.OpenRequest{Question: "Still open?", Options: []string{"Yes", "No"}, ClosesAt: pollsStart.Add(time.Hour)})
	closed := pollsStart.Add(time.Minute)
	if won, err := e.store.ClosePoll(ctx, 1, "console:steward", closed); err != nil || !won {
		t.Fatal(won, err)
	}
	if err := e.db.Write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DROP INDEX polls_result_retry`, `DROP INDEX polls_result_unposted`,
			`ALTER TABLE polls DROP COLUMN result_state`, `ALTER TABLE polls DROP COLUMN result_posted_at`,
			`ALTER TABLE polls DROP COLUMN result_attempts`, `ALTER TABLE polls DROP COLUMN result_next_try`,
			`ALTER TABLE polls DROP COLUMN result_error`,
			`DELETE FROM schema_migrations WHERE version = 6`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path, bot.NewManualClock(pollsStart.Add(2*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlite.NewPollStore(db)
	rp, err := store.ResultPost(ctx, 1)
	if err != nil || rp.State != polls.ResultPosted || !rp.PostedAt.Equal(closed) {
		t.Fatalf("closed poll after upgrade: %+v %v", rp, err)
	}
	if rp, err := store.ResultPost(ctx, 2); err != nil || rp.State != polls.ResultNone || !rp.PostedAt.IsZero() {
		t.Fatalf("open poll after upgrade: %+v %v", rp, err)
	}
	if due, err := store.DueResultPosts(ctx, pollsStart.Add(48*time.Hour)); err != nil || len(due) != 0 {
		t.Fatalf("due after upgrade: %+v %v", due, err)
	}
	// The open poll closes normally afterwards, owning its first post.
	if won, err := store.ClosePoll(ctx, 2, polls.ClosedBySchedule, pollsStart.Add(time.Hour)); err != nil || !won {
		t.Fatal(won, err)
	}
	if rp, _ := store.ResultPost(ctx, 2); rp.State != polls.ResultSending {
		t.Fatalf("%+v", rp)
	}
}

// TestClaimResultPostOnce races claims of one due retry.
func TestClaimResultPostOnce(t *testing.T) {
	ctx := context.Background()
	e := newPollsEnv(t, filepath.Join(t.TempDir(), "polls.db"))
	e.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"Yes", "No"}})
	closed := pollsStart.Add(time.Minute)
	if won, err := e.store.ClosePoll(ctx, 1, "console:steward", closed); err != nil || !won {
		t.Fatal(won, err)
	}
	next := closed.Add(time.Minute)
	if err := e.store.RecordResultPost(ctx, polls.ResultPost{PollID: 1, State: polls.ResultRetry, ClosedAt: closed, Attempts: 1, NextTry: next, Error: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.store.ClaimResultPost(ctx, 1, next.Add(-time.Second)); ok || err != nil {
		t.Fatalf("claimed before due: %v %v", ok, err)
	}
	wins := make(chan bool, 16)
	for range 16 {
		go func() {
			_, ok, err := e.store.ClaimResultPost(ctx, 1, next)
			if err != nil {
				t.Error(err)
			}
			wins <- ok
		}()
	}
	n := 0
	for range 16 {
		if <-wins {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d claims won", n)
	}
	rp, _ := e.store.ResultPost(ctx, 1)
	if rp.State != polls.ResultSending || rp.Attempts != 1 || !rp.NextTry.IsZero() {
		t.Fatalf("%+v", rp)
	}
	// A post that is not under way cannot be recorded.
	rp.State = polls.ResultPosted
	if err := e.store.RecordResultPost(ctx, rp); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RecordResultPost(ctx, rp); err == nil {
		t.Fatal("recorded a post that was not under way")
	}
}

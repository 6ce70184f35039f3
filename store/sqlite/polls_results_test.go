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
	db, err := sqlite.Open(ctx, path, bot.NewManualClock(pollsStart))
	if err != nil {
		t.Fatal(err)
	}
	store := sqlite.NewPollStore(db)
	for _, p := range []*polls.Poll{
		{Question: "Old?", Options: []string{"Yes", "No"}, MaxChoices: 1},
		{Question: "Still open?", Options: []string{"Yes", "No"}, MaxChoices: 1, ClosesAt: pollsStart.Add(time.Hour)},
	} {
		p.Platform, p.Channel, p.OpenedBy, p.OpenedAt = bot.PlatformConsole, "console", "console:steward", pollsStart
		if err := store.CreatePoll(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	closed := pollsStart.Add(time.Minute)
	if won, err := store.ClosePoll(ctx, 1, "console:steward", closed); err != nil || !won {
		t.Fatal(won, err)
	}
	if err := db.Write(ctx, func(tx *sql.Tx) error {
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
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(ctx, path, bot.NewManualClock(pollsStart.Add(2*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store = sqlite.NewPollStore(db)
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

package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/sqlite"
)

func TestMigrationsRunOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	for i := 0; i < 2; i++ {
		db, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version %d, %v", v, err)
		}
		files, _ := filepath.Glob("migrations/*.sql")
		if n != len(files) {
			// every embedded migration is applied exactly once
			t.Fatalf("%d migration rows for %d migration files", n, len(files))
		}
		var mode string
		if err := db.Reader().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal mode %q, %v", mode, err)
		}
		db.Close()
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = sqlite.Open(ctx, path, nil)
	known, kerr := sqlite.KnownVersion()
	if kerr != nil {
		t.Fatal(kerr)
	}
	want := fmt.Sprintf("database %s was written by a newer version of Union Hall (schema 9999; this binary knows schemas up to %d): upgrade this binary", path, known)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("opening a database of a newer schema: %v, want %q", err, want)
	}
}

// TestUpgradeCountsClosedPollsAsPosted takes a database back to the
// schema before result posts were recorded and upgrades it: polls closed
// before the upgrade count as posted, so none is posted again.
func TestUpgradeCountsClosedPollsAsPosted(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2011, time.July, 18, 9, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "polls.db")
	db, err := sqlite.Open(ctx, path, bot.NewManualClock(start))
	if err != nil {
		t.Fatal(err)
	}
	store := sqlite.NewPollStore(db)
	for _, p := range []*polls.Poll{
		{Question: "Old?", Options: []string{"Yes", "No"}, MaxChoices: 1},
		{Question: "Still open?", Options: []string{"Yes", "No"}, MaxChoices: 1, ClosesAt: start.Add(time.Hour)},
	} {
		p.Platform, p.Channel, p.OpenedBy, p.OpenedAt = bot.PlatformConsole, "console", "console:steward", start
		if err := store.CreatePoll(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	closed := start.Add(time.Minute)
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
	db, err = sqlite.Open(ctx, path, bot.NewManualClock(start.Add(2*time.Hour)))
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
	if due, err := store.DueResultPosts(ctx, start.Add(48*time.Hour)); err != nil || len(due) != 0 {
		t.Fatalf("due after upgrade: %+v %v", due, err)
	}
	// The open poll closes normally afterwards, owning its first post.
	if won, err := store.ClosePoll(ctx, 2, polls.ClosedBySchedule, start.Add(time.Hour)); err != nil || !won {
		t.Fatal(won, err)
	}
	if rp, _ := store.ResultPost(ctx, 2); rp.State != polls.ResultSending {
		t.Fatalf("%+v", rp)
	}
}

func TestUnwritableAndLocked(t *testing.T) {
	ctx := context.Background()
	_, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "missing-dir", "u.db"), nil)
	if err == nil || !strings.Contains(err.Error(), "cannot be opened") {
		t.Fatalf("missing directory: got %v", err)
	}
	if os.Geteuid() != 0 { // root ignores file permissions
		dir := t.TempDir()
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		if _, err := sqlite.Open(ctx, filepath.Join(dir, "u.db"), nil); err == nil {
			t.Fatal("read-only directory accepted")
		}
	}
	notDB := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 200)), 0o600)
	if _, err := sqlite.Open(ctx, notDB, nil); err == nil || !strings.Contains(err.Error(), "not a Union Hall database") {
		t.Fatalf("non-database file: got %v", err)
	}

	path := filepath.Join(t.TempDir(), "locked.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE; CREATE TABLE t(x);`); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Open(ctx, path, nil)
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("locked database: got %v", err)
	}
	conn.ExecContext(ctx, `ROLLBACK`)
	conn.Close()
}

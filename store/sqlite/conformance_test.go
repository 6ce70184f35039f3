package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/unionhall/unionhall/store/sqlite"
	"github.com/unionhall/unionhall/store/storetest"
)

// engine is SQLite for the conformance suite: each database a file in
// the test's temporary directory.
var engine = storetest.NewEngine(func(t testing.TB) string { return filepath.Join(t.TempDir(), "unionhall.db") }, sqlite.Open, pollRows)

// pollRows reads a poll's voter count, ballot or participant rows and
// counters straight from the tables.
func pollRows(ctx context.Context, db *sqlite.DB, id int64, secret bool) (storetest.PollRows, error) {
	r := storetest.PollRows{Counts: map[int]int{}}
	if err := db.Reader().QueryRowContext(ctx, `SELECT voters FROM polls WHERE id = ?`, id).Scan(&r.Voters); err != nil {
		return r, fmt.Errorf("read voters of poll %d: %w", id, err)
	}
	table := "poll_ballots"
	if secret {
		table = "poll_participants"
	}
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE poll_id = ?`, id).Scan(&r.Ballots); err != nil {
		return r, fmt.Errorf("count ballots of poll %d: %w", id, err)
	}
	rows, err := db.Reader().QueryContext(ctx, `SELECT option, SUM(CAST(votes AS INTEGER)) FROM poll_tally WHERE poll_id = ? GROUP BY option`, id)
	if err != nil {
		return r, fmt.Errorf("read counters of poll %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var o, n int
		if err := rows.Scan(&o, &n); err != nil {
			return r, fmt.Errorf("read counters of poll %d: %w", id, err)
		}
		r.Counts[o] = n
	}
	return r, rows.Err()
}

// TestConformance runs the conformance suite of Union Hall's stores on
// SQLite.
func TestConformance(t *testing.T) { storetest.Run(t, engine) }

// BenchmarkRunDue1000 measures the reminders scheduler's busiest second on
// SQLite.
func BenchmarkRunDue1000(b *testing.B) { storetest.BenchmarkRunDue1000(b, engine) }

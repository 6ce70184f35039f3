package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store/storetest"
)

// secretRun votes in a fresh database file with storetest.VoteSecretBallot
// and closes the poll and the database. It returns the file's path.
func secretRun(t *testing.T, voters, units []string, choices []int) string {
	t.Helper()
	return secretRunWith(t, storetest.VoteSecretBallot, voters, units, choices)
}

// secretRunWith is secretRun voting with vote.
func secretRunWith(t *testing.T, vote func(testing.TB, *storetest.Stores, *bot.ManualClock, []string, []string, []int) int64, voters, units []string, choices []int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "secret.db")
	clock := bot.NewManualClock(storetest.PollsStart())
	s, err := engine.Open(ctx, path, clock)
	if err != nil {
		t.Fatal(err)
	}
	id := vote(t, s, clock, voters, units, choices)
	if _, err := s.Polls.ClosePoll(ctx, id, "console:steward", clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// dump returns every row of every table in storage order, with rowids
// where tables have them.
func dump(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct{ name, sql string }
	var tables []table
	for rows.Next() {
		var tb table
		rows.Scan(&tb.name, &tb.sql)
		tables = append(tables, tb)
	}
	rows.Close()
	var b strings.Builder
	for _, tb := range tables {
		q := `SELECT rowid, * FROM "` + tb.name + `"`
		if strings.Contains(tb.sql, "WITHOUT ROWID") {
			q = `SELECT * FROM "` + tb.name + `"`
		}
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "== %s %v\n", tb.name, cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Fprintf(&b, "%v\n", vals)
		}
		rows.Close()
	}
	return b.String()
}

// TestSecretBallotCannotBeLinked votes twice with the same members in the
// same order and the same totals per unit, but with the choices dealt out
// differently among the members (storetest.SecretBallots). Anything in
// the database that linked a ballot to its voter would differ between the
// two; the test finds nothing: every table, row, rowid and value is the
// same, and so is the database file byte for byte.
func TestSecretBallotCannotBeLinked(t *testing.T) {
	voters, units, choices, shuffled := storetest.SecretBallots()
	a := secretRun(t, voters, units, choices)
	b := secretRun(t, voters, units, shuffled)

	da, db := dump(t, a), dump(t, b)
	if da != db {
		t.Fatalf("the databases differ, so something links ballots to voters:\n%s\n----\n%s", da, db)
	}
	for _, want := range []string{"== poll_participants [poll_id voter]", "== poll_tally [poll_id option unit votes]"} {
		if !strings.Contains(da, want) {
			t.Fatalf("dump lacks %q:\n%s", want, da)
		}
	}
	// The participants table has no rowid that could give away the order
	// of voting.
	raw, err := sql.Open("sqlite3", "file:"+a+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`SELECT rowid FROM poll_participants`); err == nil {
		t.Fatal("poll_participants has a rowid")
	}
	if _, err := raw.Exec(`SELECT rowid FROM poll_tally`); err == nil {
		t.Fatal("poll_tally has a rowid")
	}
	sameFiles(t, a, b)
	for _, p := range []string{a, b} {
		if st, err := os.Stat(p + "-wal"); err == nil && st.Size() > 0 {
			t.Fatalf("%s-wal kept %d bytes after close", p, st.Size())
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
}

// TestSecretRankedBallotCannotBeLinked is TestSecretBallotCannotBeLinked
// for a secret ranked poll, whose rankings are counters per distinct
// ranking: the two runs leave the same tables, rows and values.
func TestSecretRankedBallotCannotBeLinked(t *testing.T) {
	voters, units, choices, shuffled := storetest.SecretBallots()
	a := secretRunWith(t, storetest.VoteSecretRankedBallot, voters, units, choices)
	b := secretRunWith(t, storetest.VoteSecretRankedBallot, voters, units, shuffled)
	da, db := dump(t, a), dump(t, b)
	if da != db {
		t.Fatalf("the databases differ, so something links ballots to voters:\n%s\n----\n%s", da, db)
	}
	if !strings.Contains(da, "== poll_rankings [poll_id ranking votes]\n[1 1 2 000000000042]") {
		t.Fatalf("dump lacks the rankings:\n%s", da)
	}
	raw, err := sql.Open("sqlite3", "file:"+a+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`SELECT rowid FROM poll_rankings`); err == nil {
		t.Fatal("poll_rankings has a rowid")
	}
	sameFiles(t, a, b)
}

// sameFiles fails the test, naming the first difference on each page,
// unless database files a and b are the same byte for byte.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	fa, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fa, fb) {
		for pg := 0; pg*4096 < len(fa); pg++ {
			x, y := fa[pg*4096:min(len(fa), pg*4096+4096)], fb[pg*4096:min(len(fb), pg*4096+4096)]
			if !bytes.Equal(x, y) {
				for k := range x {
					if x[k] != y[k] {
						t.Logf("page %d differs at %d: %x vs %x", pg+1, k, x[max(0, k-8):min(len(x), k+24)], y[max(0, k-8):min(len(y), k+24)])
						break
					}
				}
			}
		}
		t.Fatal("the database files differ byte for byte")
	}
}

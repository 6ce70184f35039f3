package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
	"github.com/unionhall/unionhall/store/storetest"
)

// secretRun votes on a fresh database with storetest.VoteSecretBallot and
// returns the tables before the close (in key order) and after it (in
// storage order), and the database.
func secretRun(t *testing.T, voters, units []string, choices []int) (during, after []pgtest.Table, db *postgres.DB) {
	t.Helper()
	return secretRunWith(t, storetest.VoteSecretBallot, voters, units, choices)
}

// secretRunWith is secretRun voting with vote.
func secretRunWith(t *testing.T, vote func(testing.TB, *storetest.Stores, *bot.ManualClock, []string, []string, []int) int64,
	voters, units []string, choices []int) (during, after []pgtest.Table, db *postgres.DB) {
	t.Helper()
	ctx := context.Background()
	clock := bot.NewManualClock(storetest.PollsStart())
	url := pgtest.Fresh(t)
	s, err := engine.Open(ctx, url, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	db, err = postgres.Open(ctx, url, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// Keep autovacuum from moving rows in one run and not the other.
	for _, tb := range []string{"polls", "poll_participants", "poll_tally", "poll_rankings", "member_units"} {
		if _, err := db.Pool().Exec(ctx, `ALTER TABLE `+tb+` SET (autovacuum_enabled = false)`); err != nil {
			t.Fatal(err)
		}
	}
	id := vote(t, s, clock, voters, units, choices)
	during = pgtest.Dump(t, db.Pool(), false)
	if won, err := s.Polls.ClosePoll(ctx, id, "console:steward", clock.Now()); !won || err != nil {
		t.Fatal(won, err)
	}
	return during, pgtest.Dump(t, db.Pool(), true), db
}

// TestSecretBallotCannotBeLinked votes twice with the same members in the
// same order and the same totals per unit, but with the choices dealt out
// differently among the members (storetest.SecretBallots). Anything in
// the tables that linked a ballot to its voter would differ between the
// two, including the transaction each row version was written by; the
// test finds nothing, while voting goes on and after the close. After the
// close, no row records the order of voting (all were written by the
// closing transaction, participants in voter order), and no older row
// version of the ballot is left in the tables' pages.
func TestSecretBallotCannotBeLinked(t *testing.T) {
	voters, units, choices, shuffled := storetest.SecretBallots()
	duringA, afterA, db := secretRun(t, voters, units, choices)
	duringB, afterB, _ := secretRun(t, voters, units, shuffled)
	sameRuns(t, duringA, duringB, afterA, afterB)
	participants, tally, polls := pgtest.Find(t, afterA, "poll_participants"), pgtest.Find(t, afterA, "poll_tally"), pgtest.Find(t, afterA, "polls")
	if len(participants.Rows) != len(voters) || len(tally.Rows) != 9 {
		t.Fatalf("%d participants and %d counters", len(participants.Rows), len(tally.Rows))
	}
	closing := polls.Xids[0]
	var stored []string
	for i, row := range participants.Rows {
		stored = append(stored, row[1].(string))
		if participants.Xids[i] != closing {
			t.Fatalf("participant %v was written by transaction %d, not by the close (%d)", row, participants.Xids[i], closing)
		}
	}
	if !slices.IsSorted(stored) {
		t.Fatalf("participants are stored in voting order: %v", stored)
	}
	for i, x := range tally.Xids {
		if x != closing {
			t.Fatalf("counter %v was written by transaction %d, not by the close (%d)", tally.Rows[i], x, closing)
		}
	}

	noDeadRows(t, db, "poll_participants", "poll_tally")
}

// TestSecretRankedBallotCannotBeLinked is TestSecretBallotCannotBeLinked
// for a secret ranked poll: its counters per distinct ranking carry the
// latest vote's transaction while voting goes on, and the closing
// transaction after the close, stored in key order with no older row
// versions left.
func TestSecretRankedBallotCannotBeLinked(t *testing.T) {
	voters, units, choices, shuffled := storetest.SecretBallots()
	duringA, afterA, db := secretRunWith(t, storetest.VoteSecretRankedBallot, voters, units, choices)
	duringB, afterB, _ := secretRunWith(t, storetest.VoteSecretRankedBallot, voters, units, shuffled)
	sameRuns(t, duringA, duringB, afterA, afterB)
	rankings, polls := pgtest.Find(t, afterA, "poll_rankings"), pgtest.Find(t, afterA, "polls")
	if len(rankings.Rows) != 3 {
		t.Fatalf("%d rankings", len(rankings.Rows))
	}
	closing := polls.Xids[0]
	var stored []string
	for i, row := range rankings.Rows {
		stored = append(stored, fmt.Sprint(row[1]))
		if rankings.Xids[i] != closing {
			t.Fatalf("ranking %v was written by transaction %d, not by the close (%d)", row, rankings.Xids[i], closing)
		}
	}
	if !slices.IsSorted(stored) {
		t.Fatalf("rankings are stored out of key order: %v", stored)
	}
	noDeadRows(t, db, "poll_rankings")
}

// sameRuns fails the test unless two runs' tables are the same while
// voting went on and after the close.
func sameRuns(t *testing.T, duringA, duringB, afterA, afterB []pgtest.Table) {
	t.Helper()
	for _, c := range []struct {
		when string
		a, b []pgtest.Table
	}{{"while voting", duringA, duringB}, {"after the close", inRowOrder(afterA), inRowOrder(afterB)}} {
		if a, b := pgtest.Format(c.a), pgtest.Format(c.b); a != b {
			t.Fatalf("%s the databases differ, so something links ballots to voters:\n%s\n----\n%s", c.when, a, b)
		}
	}
}

// inRowOrder returns tables with each table's rows (and their writing
// transactions) sorted by their values. After the close, where in its
// pages PostgreSQL puts a rewritten row depends on whether it could prune
// a page at that moment, which other sessions' checkpoints decide, not
// on the ballots; the tests check the storage order that matters (that of
// participants and rankings) on its own.
func inRowOrder(tables []pgtest.Table) []pgtest.Table {
	out := make([]pgtest.Table, len(tables))
	for i, tb := range tables {
		idx := make([]int, len(tb.Rows))
		for j := range idx {
			idx[j] = j
		}
		slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(fmt.Sprint(tb.Rows[a]), fmt.Sprint(tb.Rows[b])) })
		sorted := tb
		sorted.Rows, sorted.Xids = make([][]any, len(idx)), make([]uint32, len(idx))
		for j, k := range idx {
			sorted.Rows[j], sorted.Xids[j] = tb.Rows[k], tb.Xids[k]
		}
		out[i] = sorted
	}
	return out
}

// noDeadRows fails the test unless every tuple in the pages of the tables
// is a live row: no older row version of a ballot is left.
func noDeadRows(t *testing.T, db *postgres.DB, tables ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pageinspect`); err != nil {
		t.Fatalf("pageinspect (a contrib module of PostgreSQL) is needed to look at the pages: %v", err)
	}
	for _, tb := range tables {
		var tuples, live int
		err := db.Pool().QueryRow(ctx, `SELECT
				(SELECT count(*) FROM generate_series(0, pg_relation_size($1::regclass) / current_setting('block_size')::int - 1) AS page,
					heap_page_items(get_raw_page($1::text, page::int)) WHERE lp_flags = 1),
				(SELECT count(*) FROM `+tb+`)`, tb).Scan(&tuples, &live)
		if err != nil {
			t.Fatal(err)
		}
		if tuples != live {
			t.Errorf("%s holds %d row versions for %d rows after the close", tb, tuples, live)
		}
	}
}

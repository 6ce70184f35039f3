package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
	"github.com/unionhall/unionhall/store/storetest"
)

// tableRows is one table's rows: each with the rank of the transaction
// that wrote it (xmin) among those in the dump, in primary key order, or
// in storage order when byStorage is set.
type tableRows struct {
	name string
	cols []string
	rows [][]any
	xids []uint32
}

// dumpTables reads every table of the database with each row's xmin.
func dumpTables(t *testing.T, db *postgres.DB, byStorage bool) []tableRows {
	t.Helper()
	ctx := context.Background()
	rows, _ := db.Pool().Query(ctx, `SELECT c.relname,
			coalesce((SELECT string_agg(a.attname, ', ' ORDER BY k.n)
				FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, n), pg_attribute a
				WHERE i.indrelid = c.oid AND i.indisprimary AND a.attrelid = c.oid AND a.attnum = k.attnum), 'ctid')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`)
	type table struct{ name, key string }
	tables, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tb table, err error) {
		err = row.Scan(&tb.name, &tb.key)
		return tb, err
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []tableRows
	for _, tb := range tables {
		order := tb.key
		if byStorage {
			order = "ctid"
		}
		rows, _ := db.Pool().Query(ctx, `SELECT xmin::text::bigint, * FROM `+pgx.Identifier{tb.name}.Sanitize()+` ORDER BY `+order)
		tr := tableRows{name: tb.name}
		for _, f := range rows.FieldDescriptions()[1:] {
			tr.cols = append(tr.cols, f.Name)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			tr.xids = append(tr.xids, uint32(vals[0].(int64)))
			tr.rows = append(tr.rows, vals[1:])
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		out = append(out, tr)
	}
	return out
}

// format writes the tables with each xmin replaced by its rank among the
// dump's xmins, so that dumps of two databases on one server compare.
func format(tables []tableRows) string {
	var xids []uint32
	for _, tb := range tables {
		xids = append(xids, tb.xids...)
	}
	slices.Sort(xids)
	xids = slices.Compact(xids)
	var b strings.Builder
	for _, tb := range tables {
		fmt.Fprintf(&b, "== %s %v\n", tb.name, tb.cols)
		for i, row := range tb.rows {
			rank, _ := slices.BinarySearch(xids, tb.xids[i])
			fmt.Fprintf(&b, "tx%d %v\n", rank, row)
		}
	}
	return b.String()
}

// table returns the dump of one table.
func table(t *testing.T, tables []tableRows, name string) tableRows {
	t.Helper()
	for _, tb := range tables {
		if tb.name == name {
			return tb
		}
	}
	t.Fatalf("no table %s", name)
	return tableRows{}
}

// secretRun votes on a fresh database with storetest.VoteSecretBallot and
// returns the tables before the close (in key order) and after it (in
// storage order), and the database.
func secretRun(t *testing.T, voters, units []string, choices []int) (during, after []tableRows, db *postgres.DB) {
	t.Helper()
	return secretRunWith(t, storetest.VoteSecretBallot, voters, units, choices)
}

// secretRunWith is secretRun voting with vote.
func secretRunWith(t *testing.T, vote func(testing.TB, *storetest.Stores, *bot.ManualClock, []string, []string, []int) int64,
	voters, units []string, choices []int) (during, after []tableRows, db *postgres.DB) {
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
	during = dumpTables(t, db, false)
	if won, err := s.Polls.ClosePoll(ctx, id, "console:steward", clock.Now()); !won || err != nil {
		t.Fatal(won, err)
	}
	return during, dumpTables(t, db, true), db
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
	participants, tally, polls := table(t, afterA, "poll_participants"), table(t, afterA, "poll_tally"), table(t, afterA, "polls")
	if len(participants.rows) != len(voters) || len(tally.rows) != 9 {
		t.Fatalf("%d participants and %d counters", len(participants.rows), len(tally.rows))
	}
	closing := polls.xids[0]
	var stored []string
	for i, row := range participants.rows {
		stored = append(stored, row[1].(string))
		if participants.xids[i] != closing {
			t.Fatalf("participant %v was written by transaction %d, not by the close (%d)", row, participants.xids[i], closing)
		}
	}
	if !slices.IsSorted(stored) {
		t.Fatalf("participants are stored in voting order: %v", stored)
	}
	for i, x := range tally.xids {
		if x != closing {
			t.Fatalf("counter %v was written by transaction %d, not by the close (%d)", tally.rows[i], x, closing)
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
	rankings, polls := table(t, afterA, "poll_rankings"), table(t, afterA, "polls")
	if len(rankings.rows) != 3 {
		t.Fatalf("%d rankings", len(rankings.rows))
	}
	closing := polls.xids[0]
	var stored []string
	for i, row := range rankings.rows {
		stored = append(stored, fmt.Sprint(row[1]))
		if rankings.xids[i] != closing {
			t.Fatalf("ranking %v was written by transaction %d, not by the close (%d)", row, rankings.xids[i], closing)
		}
	}
	if !slices.IsSorted(stored) {
		t.Fatalf("rankings are stored out of key order: %v", stored)
	}
	noDeadRows(t, db, "poll_rankings")
}

// sameRuns fails the test unless two runs' tables are the same while
// voting went on and after the close.
func sameRuns(t *testing.T, duringA, duringB, afterA, afterB []tableRows) {
	t.Helper()
	for _, c := range []struct {
		when string
		a, b []tableRows
	}{{"while voting", duringA, duringB}, {"after the close", afterA, afterB}} {
		if a, b := format(c.a), format(c.b); a != b {
			t.Fatalf("%s the databases differ, so something links ballots to voters:\n%s\n----\n%s", c.when, a, b)
		}
	}
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

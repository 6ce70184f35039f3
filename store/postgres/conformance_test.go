package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
	"github.com/unionhall/unionhall/store/storetest"
)

// engine is PostgreSQL for the conformance suite: each database created
// afresh on the test server.
var engine = storetest.NewEngine(pgtest.Fresh, postgres.Open, pollRows)

// pollRows reads a poll's voter count, ballot or participant rows and
// counters straight from the tables, in one statement. An open ballot
// keeps no voter count or counters until it closes: while it runs, they
// are its ballots, counted here by option (a ranked ballot by its first
// preference).
func pollRows(ctx context.Context, db *postgres.DB, id int64, secret bool) (storetest.PollRows, error) {
	table := "poll_ballots"
	if secret {
		table = "poll_participants"
	}
	r := storetest.PollRows{Counts: map[int]int{}}
	var options, votes []int
	err := db.Pool().QueryRow(ctx, `WITH live AS (SELECT closed_at IS NULL AND NOT secret AS live, ranked FROM polls WHERE id = $1),
			counters AS (
				SELECT option, votes FROM poll_tally, live WHERE poll_id = $1 AND NOT live
				UNION ALL
				SELECT CASE WHEN ranked THEN choices[1] ELSE option END, 1 FROM poll_ballots, live, unnest(choices) WITH ORDINALITY AS c (option, n)
					WHERE poll_id = $1 AND live AND (n = 1 OR NOT ranked))
		SELECT CASE WHEN live THEN (SELECT count(*) FROM poll_ballots WHERE poll_id = $1) ELSE voters END,
			(SELECT count(*) FROM `+table+` WHERE poll_id = $1),
			ARRAY(SELECT option FROM counters GROUP BY option ORDER BY option),
			ARRAY(SELECT sum(votes) FROM counters GROUP BY option ORDER BY option)
		FROM polls, live WHERE id = $1`, id).Scan(&r.Voters, &r.Ballots, &options, &votes)
	if err != nil {
		return r, fmt.Errorf("read the rows of poll %d: %w", id, err)
	}
	for i, o := range options {
		r.Counts[o] = votes[i]
	}
	return r, nil
}

// TestConformance runs the conformance suite of Union Hall's stores on
// PostgreSQL.
func TestConformance(t *testing.T) {
	pgtest.Server(t)
	storetest.Run(t, engine)
}

// BenchmarkRunDue1000 measures the reminders scheduler's busiest second on
// PostgreSQL.
func BenchmarkRunDue1000(b *testing.B) {
	pgtest.Server(b)
	storetest.BenchmarkRunDue1000(b, engine)
}

// BenchmarkRunDue1000TwoProcesses measures two processes' schedulers
// draining 1,000 reminders due at the same second, each posted once.
func BenchmarkRunDue1000TwoProcesses(b *testing.B) {
	pgtest.Server(b)
	storetest.BenchmarkRunDue1000OnReplicas(b, engine, 2)
}

package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
	"github.com/unionhall/unionhall/store/storetest"
)

// benchVoters is the number of members voting at once, as in the SQLite
// benchmark of the same name.
const benchVoters = 100

// BenchmarkDurableVotes measures votes per second through the polls
// service on PostgreSQL, 100 members voting at once, each vote confirmed
// after its commit, beside a baseline measured in the same run on the
// same server: raw single-row INSERT transactions from 100 goroutines.
// "processes=2" splits the voters between two handles on the database,
// each with its own pool and service, as two Union Hall processes are.
// "changed" has every member vote once before the clock starts, so that
// each vote measured changes a ballot (which takes its turn on the poll's
// row) rather than casts a first one.
func BenchmarkDurableVotes(b *testing.B) {
	for _, changed := range []bool{false, true} {
		for _, procs := range []int{1, 2} {
			name := fmt.Sprintf("processes=%d", procs)
			if changed {
				name += "/changed"
			}
			b.Run(name, func(b *testing.B) { benchVotes(b, procs, changed) })
		}
	}
}

func benchVotes(b *testing.B, procs int, changed bool) {
	ctx := context.Background()
	url := pgtest.Fresh(b)
	svcs := make([]*polls.Service, procs)
	var dbs []*postgres.DB
	for i := range svcs {
		db, err := postgres.Open(ctx, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		dbs = append(dbs, db)
		if svcs[i], err = polls.New(polls.Config{Store: postgres.NewPollStore(db), Poster: bot.NewHub(), Log: bottest.DiscardLogger()}); err != nil {
			b.Fatal(err)
		}
	}
	p, err := svcs[0].Open(ctx, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}, Platform: bot.PlatformConsole, Channel: "console", By: bot.User{ID: "console:steward"}})
	if err != nil {
		b.Fatal(err)
	}
	pool := dbs[0].Pool()
	if _, err := pool.Exec(ctx, `CREATE TABLE baseline (poll bigint NOT NULL, voter text NOT NULL, choice integer NOT NULL, PRIMARY KEY (poll, voter))`); err != nil {
		b.Fatal(err)
	}

	vote := func(i, choice int, want polls.Outcome) error {
		res, err := svcs[i%procs].Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Choices: []int{choice}})
		if err == nil && res.Outcome != want {
			err = fmt.Errorf("vote %d: outcome %v, want %v", i, res.Outcome, want)
		}
		return err
	}
	want := polls.Recorded
	if changed {
		storetest.Concurrently(b, b.N, benchVoters, func(i int) error { return vote(i, 2-i%2, polls.Recorded) })
		want = polls.Changed
	}

	b.ResetTimer()
	service := storetest.Concurrently(b, b.N, benchVoters, func(i int) error { return vote(i, 1+i%2, want) })
	baseline := storetest.Concurrently(b, b.N, benchVoters, func(i int) error {
		return pgx.BeginFunc(ctx, dbs[i%procs].Pool(), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO baseline (poll, voter, choice) VALUES ($1, $2, $3)`, 1, fmt.Sprintf("console:m%d", i), 1+i%2)
			return err
		})
	})
	b.StopTimer()

	storetest.ReportVotes(b, svcs[0], p.ID, service, baseline)
}

// TestFirstBallotsDoNotTakeTurns holds a poll's row as a change of ballot
// does (FOR NO KEY UPDATE) and casts votes meanwhile, on connections that
// give up at once rather than wait for a lock. A member's first ballot
// lands; a change of ballot, which takes its turn, gives up; the close
// waits for a first ballot under way, and a first ballot after the close
// is refused by decide, which sees the poll closed.
func TestFirstBallotsDoNotTakeTurns(t *testing.T) {
	fresh := pgtest.Fresh(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, impatient(t, fresh), nil)
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

// impatient returns the database URL u with a lock timeout, so that a
// statement that waits for a lock fails rather than waits.
func impatient(t *testing.T, u string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	q.Set("lock_timeout", "50ms")
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

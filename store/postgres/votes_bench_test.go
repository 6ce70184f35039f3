package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// benchVoters is the number of members voting at once, as in the SQLite
// benchmark of the same name.
const benchVoters = 100

// concurrently runs fn(i) for i in [0, n) on workers goroutines and
// returns the elapsed time.
func concurrently(b *testing.B, n, workers int, fn func(i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	begin := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	return elapsed
}

// BenchmarkDurableVotes measures votes per second through the polls
// service on PostgreSQL, 100 members voting at once, each vote confirmed
// after its commit, beside a baseline measured in the same run on the
// same server: raw single-row INSERT transactions from 100 goroutines.
// "processes=2" splits the voters between two handles on the database,
// each with its own pool and service, as two Union Hall processes are.
func BenchmarkDurableVotes(b *testing.B) {
	for _, procs := range []int{1, 2} {
		b.Run(fmt.Sprintf("processes=%d", procs), func(b *testing.B) { benchVotes(b, procs) })
	}
}

func benchVotes(b *testing.B, procs int) {
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

	b.ResetTimer()
	service := concurrently(b, b.N, benchVoters, func(i int) error {
		res, err := svcs[i%procs].Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Choices: []int{1 + i%2}})
		if err == nil && res.Outcome != polls.Recorded {
			err = fmt.Errorf("vote %d: outcome %v", i, res.Outcome)
		}
		return err
	})
	baseline := concurrently(b, b.N, benchVoters, func(i int) error {
		return pgx.BeginFunc(ctx, dbs[i%procs].Pool(), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO baseline (poll, voter, choice) VALUES ($1, $2, $3)`, 1, fmt.Sprintf("console:m%d", i), 1+i%2)
			return err
		})
	})
	b.StopTimer()

	res, err := svcs[0].Results(ctx, p.ID)
	if err != nil {
		b.Fatal(err)
	}
	if res.Voters != b.N {
		b.Fatalf("%d votes counted, want %d", res.Voters, b.N)
	}
	votesPerSec := float64(b.N) / service.Seconds()
	basePerSec := float64(b.N) / baseline.Seconds()
	b.ReportMetric(votesPerSec, "votes/s")
	b.ReportMetric(basePerSec, "baseline-tx/s")
	b.ReportMetric(100*votesPerSec/basePerSec, "%-of-baseline")
	b.ReportMetric(0, "ns/op")
}

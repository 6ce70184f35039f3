package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// voters is the number of members voting at once in the benchmark.
const benchVoters = 100

// concurrently runs fn(i) for i in [0, n) on workers goroutines and returns
// the elapsed time.
func concurrently(b *testing.B, n, workers int, fn func(i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	begin := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
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
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	return elapsed
}

// BenchmarkDurableVotes measures votes per second through the polls
// service with 100 members voting at once, each vote confirmed only after
// its transaction commits, beside a baseline measured in the same run: raw
// SQLite inserts, one transaction each, from 100 goroutines on a database
// opened with the same settings. It reports both rates and their ratio.
func BenchmarkDurableVotes(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()

	db, err := Open(ctx, filepath.Join(dir, "polls.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc, err := polls.NewService(polls.Config{Store: NewPollStore(db), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	p, err := svc.Open(ctx, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}, Platform: "console", Channel: "console", By: bot.User{ID: "console:steward"}})
	if err != nil {
		b.Fatal(err)
	}

	raw, err := sql.Open("sqlite3", dsn(filepath.Join(dir, "baseline.db"), false))
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.Exec(`CREATE TABLE votes (poll INTEGER NOT NULL, voter TEXT NOT NULL, choice INTEGER NOT NULL, PRIMARY KEY (poll, voter)) STRICT`); err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	service := concurrently(b, b.N, benchVoters, func(i int) error {
		res, err := svc.Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Choices: []int{1 + i%2}})
		if err == nil && res.Outcome != polls.Recorded {
			err = fmt.Errorf("vote %d: outcome %v", i, res.Outcome)
		}
		return err
	})
	baseline := concurrently(b, b.N, benchVoters, func(i int) error {
		tx, err := raw.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO votes (poll, voter, choice) VALUES (?, ?, ?)`, 1, fmt.Sprintf("console:m%d", i), 1+i%2); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	})
	b.StopTimer()

	res, err := svc.Results(ctx, p.ID)
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

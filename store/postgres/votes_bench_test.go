package postgres_test

import (
	"context"
	"fmt"
	"testing"

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
	service := storetest.Concurrently(b, b.N, benchVoters, func(i int) error {
		res, err := svcs[i%procs].Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Choices: []int{1 + i%2}})
		if err == nil && res.Outcome != polls.Recorded {
			err = fmt.Errorf("vote %d: outcome %v", i, res.Outcome)
		}
		return err
	})
	baseline := storetest.Concurrently(b, b.N, benchVoters, func(i int) error {
		return pgx.BeginFunc(ctx, dbs[i%procs].Pool(), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO baseline (poll, voter, choice) VALUES ($1, $2, $3)`, 1, fmt.Sprintf("console:m%d", i), 1+i%2)
			return err
		})
	})
	b.StopTimer()

	storetest.ReportVotes(b, svcs[0], p.ID, service, baseline)
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/storetest"
)

// voters is the number of members voting at once in the benchmark.
const benchVoters = 100

// BenchmarkDurableVotes measures votes per second with 100 members voting
// at once, each vote confirmed only after its transaction commits, beside
// a baseline measured in the same run: raw SQLite inserts, one transaction
// each, from 100 goroutines on a database opened with the same settings.
// It reports both rates and their ratio. "service" calls the polls service
// directly; "router" sends each vote as a /vote message through the Router,
// including the private confirmation and the card update.
func BenchmarkDurableVotes(b *testing.B) {
	b.Run("service", func(b *testing.B) {
		benchVotes(b, func(svc *polls.Service, _ *bot.Router, pollID int64, i int) error {
			res, err := svc.Vote(context.Background(), polls.VoteRequest{PollID: pollID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Choices: []int{1 + i%2}})
			if err == nil && res.Outcome != polls.Recorded {
				err = fmt.Errorf("vote %d: outcome %v", i, res.Outcome)
			}
			return err
		})
	})
	b.Run("router", func(b *testing.B) {
		benchVotes(b, func(_ *polls.Service, r *bot.Router, pollID int64, i int) error {
			w := &confirmWriter{}
			r.Dispatch(context.Background(), w, &bot.Message{
				Platform: bot.PlatformConsole, Channel: bot.Channel{ID: "console"},
				User: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Text: fmt.Sprintf("/vote %d %d", pollID, 1+i%2), Button: true,
			})
			if !w.confirmed {
				return fmt.Errorf("vote %d not confirmed: %q", i, w.text)
			}
			return nil
		})
	})
}

// confirmWriter is a ResponseWriter that notes whether a vote was
// confirmed and drops card updates.
type confirmWriter struct {
	confirmed bool
	text      string
}

func (w *confirmWriter) Reply(_ context.Context, r bot.Reply) error {
	w.text = r.Text
	w.confirmed = w.confirmed || len(r.Text) > 0 && r.Private && strings.Contains(r.Text, "is recorded")
	return nil
}

func (w *confirmWriter) UpdateCard(context.Context, bot.Card) error { return nil }

func benchVotes(b *testing.B, vote func(svc *polls.Service, r *bot.Router, pollID int64, i int) error) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := Open(ctx, filepath.Join(dir, "polls.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := polls.New(polls.Config{Store: NewPollStore(db), Poster: bot.NewHub(), Log: log})
	if err != nil {
		b.Fatal(err)
	}
	router := bot.NewRouter(nil, log)
	for _, c := range svc.Commands() {
		router.Register(c)
	}
	p, err := svc.Open(ctx, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}, Platform: bot.PlatformConsole, Channel: "console", By: bot.User{ID: "console:steward"}})
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
	service := storetest.Concurrently(b, b.N, benchVoters, func(i int) error { return vote(svc, router, p.ID, i) })
	baseline := storetest.Concurrently(b, b.N, benchVoters, func(i int) error {
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

	storetest.ReportVotes(b, svc, p.ID, service, baseline)
}

package polls_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/sqlite"
)

// instantClock is a clock on which every wait ends at once, moving the
// time on by the wait: it runs a paced job at full speed while keeping
// the time the pace would take.
type instantClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *instantClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *instantClock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	go f()
	return func() bool { return false }
}

// countingPoster counts direct messages and passes on the steward's
// report.
type countingPoster struct {
	mu     sync.Mutex
	dms    int
	report chan string
}

func (p *countingPoster) Send(_ context.Context, _ string, to bot.Destination, r bot.Reply) error {
	if to.User == "console:steward" {
		p.report <- r.Text
		return nil
	}
	p.mu.Lock()
	p.dms++
	p.mu.Unlock()
	return nil
}

func (p *countingPoster) UpdateCard(context.Context, string, bot.Card) error { return nil }

// BenchmarkNudge2600 nudges the 2,600 members of P-4 (the size of the
// P-4 bargaining unit) at the default pace, one direct message a second,
// and reports the time the pace takes ("modelled-min", 43.3: 2,599 waits
// of a second) beside the time the work itself takes.
func BenchmarkNudge2600(b *testing.B) {
	const members = 2600
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		clock := &instantClock{now: start}
		db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), clock)
		if err != nil {
			b.Fatal(err)
		}
		st := sqlite.NewPollStore(db)
		entries := make([]polls.RosterEntry, members)
		for i := range entries {
			entries[i] = polls.RosterEntry{Member: fmt.Sprintf("console:m%04d", i), Unit: "P-4", Person: i}
		}
		if err := st.ReplaceRoster(ctx, entries); err != nil {
			b.Fatal(err)
		}
		poster := &countingPoster{report: make(chan string, 1)}
		svc, err := polls.New(polls.Config{Store: st, Poster: poster, Clock: clock, Units: testUnits(), Roster: st, Nudges: st, Log: bottest.DiscardLogger()})
		if err != nil {
			b.Fatal(err)
		}
		p, err := svc.Open(ctx, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}, Eligible: polls.Eligibility{Units: []string{"P-4"}},
			Platform: bot.PlatformConsole, Channel: "console", By: bot.User{ID: "console:steward"}})
		if err != nil {
			b.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- svc.Run(runCtx) }()
		began := clock.Now()
		b.StartTimer()
		if n, _, err := svc.Nudge(ctx, p.ID, "console:steward"); err != nil || n != members {
			b.Fatalf("nudge: %d %v", n, err)
		}
		<-poster.report
		b.StopTimer()
		cancel()
		<-done
		if poster.dms != members {
			b.Fatalf("%d direct messages, want %d", poster.dms, members)
		}
		b.ReportMetric(clock.Now().Sub(began).Minutes(), "modelled-min")
		db.Close()
		b.StartTimer()
	}
}

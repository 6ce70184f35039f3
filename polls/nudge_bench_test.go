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
	"github.com/unionhall/unionhall/bot/pace"
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

// window is one fixed rate-limit window, opened by its first request, as
// the platform fakes count them.
type window struct {
	reset time.Time
	used  int
}

// request is one platform request a direct message makes, with the limit
// that counts it and the window it counts in.
type request struct {
	key   string
	limit pace.Limit
}

// dmRequests are the requests one direct message to member makes on
// platform, under the limits the platform fakes enforce (slacktest's
// method tiers and per-channel posts, discordtest.DocumentedLimits): a
// conversation opened and a post in it.
func dmRequests(platform, member string) []request {
	switch platform {
	case bot.PlatformSlack:
		return []request{{"conversations.open", pace.SlackTier(pace.SlackTier3)}, {"chat.postMessage " + member, pace.SlackChannelPosts()}}
	case bot.PlatformDiscord:
		return []request{{"global", pace.DiscordGlobal()}, {"global", pace.DiscordGlobal()}, {"messages " + member, pace.DiscordChannelMessages()}}
	}
	return nil
}

// throttledPoster counts direct messages, refusing (and counting) those
// the platform's limits would refuse at the clock's time, and passes on
// the steward's report.
type throttledPoster struct {
	clock   bot.Clock
	steward string
	report  chan string

	mu       sync.Mutex
	dms      int
	refused  int
	windows  map[string]*window
	platform string
}

func (p *throttledPoster) Send(_ context.Context, platform string, to bot.Destination, r bot.Reply) error {
	if to.User == p.steward {
		p.report <- r.Text
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	for _, q := range dmRequests(platform, to.User) {
		w := p.windows[q.key]
		if w == nil || !now.Before(w.reset) {
			w = &window{reset: now.Add(q.limit.Per)}
			p.windows[q.key] = w
		}
		if w.used >= q.limit.Count {
			p.refused++
			return fmt.Errorf("rate limited: %s", q.key)
		}
		w.used++
	}
	p.dms++
	return nil
}

func (p *throttledPoster) UpdateCard(context.Context, string, bot.Card) error { return nil }

// nudgeUnderLimits nudges members of P-4 on platform, none of whom has
// voted, at the platform's nudge pace, under the limits its fake enforces,
// on a clock whose waits end at once. It returns the time the nudge takes
// on that clock, from the steward's command to their report, and how many
// messages the limits refused.
func nudgeUnderLimits(tb testing.TB, platform string, members int) (time.Duration, int) {
	tb.Helper()
	ctx := context.Background()
	clock := &instantClock{now: start}
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "nudge.db"), clock)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	st := sqlite.NewPollStore(db)
	entries := make([]polls.RosterEntry, members)
	for i := range entries {
		entries[i] = polls.RosterEntry{Member: bot.QualifiedID(platform, fmt.Sprintf("m%04d", i)), Unit: "P-4", Person: i}
	}
	if err := st.ReplaceRoster(ctx, entries); err != nil {
		tb.Fatal(err)
	}
	steward := bot.QualifiedID(platform, "steward")
	poster := &throttledPoster{clock: clock, steward: steward, report: make(chan string, 1), windows: map[string]*window{}}
	svc, err := polls.New(polls.Config{Store: st, Poster: poster, Clock: clock, Units: testUnits(), Roster: st, Nudges: st, Log: bottest.DiscardLogger()})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := svc.Open(ctx, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}, Eligible: polls.Eligibility{Units: []string{"P-4"}},
		Platform: platform, Channel: "general", By: bot.User{ID: steward}})
	if err != nil {
		tb.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	began := clock.Now()
	if n, _, err := svc.Nudge(ctx, p.ID, steward); err != nil || n != members {
		tb.Fatalf("nudge: %d %v", n, err)
	}
	<-poster.report
	poster.mu.Lock()
	defer poster.mu.Unlock()
	if poster.dms+poster.refused != members {
		tb.Fatalf("%d direct messages and %d refused, want %d in all", poster.dms, poster.refused, members)
	}
	return clock.Now().Sub(began), poster.refused
}

// TestNudgePaceKeepsWithinEachPlatformsLimits nudges enough members on
// each platform to fill its limits' windows several times over (120:
// more than two minutes of Slack's 50 a minute) and checks that the
// nudge's pace is never refused, and takes the pace's time.
func TestNudgePaceKeepsWithinEachPlatformsLimits(t *testing.T) {
	const members = 120
	for _, platform := range []string{bot.PlatformSlack, bot.PlatformDiscord} {
		took, refused := nudgeUnderLimits(t, platform, members)
		if refused > 0 {
			t.Errorf("%s: the limits refused %d of %d nudges", platform, refused, members)
		}
		if want := (members - 1) * pace.DirectMessages(platform).Interval(); took != want {
			t.Errorf("%s: %d nudges took %v, want %v", platform, members, took, want)
		}
	}
}

// BenchmarkNudge2600 nudges the 2,600 members of P-4 (the size of the
// P-4 bargaining unit) on each platform at its pace, under the limits its
// fake enforces, and reports the time the pace takes ("modelled-min":
// 2,599 waits, 51.98 on Slack, 43.32 on Discord) beside the time the work
// itself takes.
func BenchmarkNudge2600(b *testing.B) {
	for _, platform := range []string{bot.PlatformSlack, bot.PlatformDiscord} {
		b.Run(platform, func(b *testing.B) {
			var took time.Duration
			for b.Loop() {
				var refused int
				if took, refused = nudgeUnderLimits(b, platform, 2600); refused > 0 {
					b.Fatalf("the limits refused %d nudges", refused)
				}
			}
			b.ReportMetric(took.Minutes(), "modelled-min")
		})
	}
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// PollsStart is when the polls tests begin, the suite's and those an
// engine runs of its own.
func PollsStart() time.Time { return time.Date(2011, time.July, 18, 9, 0, 0, 0, time.UTC) }

// testCoalition is the unit list of the polls tests.
func testCoalition() *polls.Coalition {
	return &polls.Coalition{Units: []polls.Unit{{Name: "P-2", Members: 100}, {Name: "P-4", Members: 100}}, UnitsNeeded: 2, PercentNeeded: 80}
}

// pollsEnv is the polls service on one handle, with a router for
// members' commands.
type pollsEnv struct {
	stores *Stores
	svc    *polls.Service
	router *bot.Router
	clock  *bot.ManualClock
}

func newPollsEnv(t testing.TB, s *Stores, clock *bot.ManualClock) *pollsEnv {
	t.Helper()
	svc, err := polls.New(polls.Config{Store: s.Polls, Poster: bot.NewHub(), Clock: clock, Location: time.UTC, Units: testCoalition(), Log: quiet,
		Roster: s.Roster, Nudges: s.Nudges})
	if err != nil {
		t.Fatal(err)
	}
	r := bot.NewRouter(nil, quiet)
	for _, c := range svc.Commands() {
		r.Register(c)
	}
	return &pollsEnv{stores: s, svc: svc, router: r, clock: clock}
}

// freshPolls opens a fresh database and the polls service on it.
func freshPolls(t *testing.T, e Engine) *pollsEnv {
	t.Helper()
	clock := bot.NewManualClock(PollsStart())
	return newPollsEnv(t, fresh(t, e, clock).open(), clock)
}

func (e *pollsEnv) openPoll(t testing.TB, req polls.OpenRequest) *polls.Poll {
	t.Helper()
	if req.Platform == "" {
		req.Platform, req.Channel = bot.PlatformConsole, "console"
	}
	req.By = bot.User{ID: "console:steward", Name: "steward"}
	p, err := e.svc.Open(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// consistent checks that a poll's counters agree with its ballots (open
// ballots) or its participants (secret ballots), both as the Store
// interface shows them and as the tables hold them: no vote was counted
// twice or half-recorded. It returns the number of ballots and the
// counters by option.
func consistent(t testing.TB, s *Stores, pollID int64, secret bool) (voters int, counts map[int]int) {
	t.Helper()
	ctx := context.Background()
	rows, err := s.PollRows(ctx, pollID, secret)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Ballots != rows.Voters {
		t.Fatalf("poll %d: %d ballots but voters = %d", pollID, rows.Ballots, rows.Voters)
	}
	tally, err := s.Polls.Tally(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	if tally.Poll.Voters != rows.Voters {
		t.Fatalf("poll %d: the tally says %d voters, the table %d", pollID, tally.Poll.Voters, rows.Voters)
	}
	shown := map[int]int{}
	for _, c := range tally.Counts {
		shown[c.Option] += c.Votes
	}
	sum := 0
	for o := range max(len(shown), len(rows.Counts)) + 1 {
		if shown[o] != rows.Counts[o] {
			t.Fatalf("poll %d option %d: the tally shows %d, the counters hold %d", pollID, o, shown[o], rows.Counts[o])
		}
		sum += rows.Counts[o]
	}
	ballots, err := s.Polls.Ballots(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	if secret {
		if len(ballots) != 0 {
			t.Fatalf("secret poll %d has ballots %+v", pollID, ballots)
		}
		if sum != rows.Voters {
			t.Fatalf("secret poll %d: %d counted choices from %d participants", pollID, sum, rows.Voters)
		}
		return rows.Ballots, rows.Counts
	}
	if len(ballots) != rows.Ballots {
		t.Fatalf("poll %d: Ballots returns %d of %d ballots", pollID, len(ballots), rows.Ballots)
	}
	fromBallots := map[int]int{}
	for _, b := range ballots {
		for _, c := range b.Choices {
			fromBallots[c]++
		}
	}
	for o := range max(len(rows.Counts), len(fromBallots)) + 1 {
		if rows.Counts[o] != fromBallots[o] {
			t.Fatalf("poll %d option %d: counter %d, ballots %d", pollID, o, rows.Counts[o], fromBallots[o])
		}
	}
	return rows.Ballots, rows.Counts
}

// countsOf returns a tally's counters as "option/unit=votes", in order.
func countsOf(t testing.TB, s *Stores, pollID int64) string {
	t.Helper()
	tally, err := s.Polls.Tally(context.Background(), pollID)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range tally.Counts {
		parts = append(parts, fmt.Sprintf("%d/%s=%d", c.Option, c.Unit, c.Votes))
	}
	return strings.Join(parts, " ")
}

// equalPolls compares polls field by field, times by instant and in UTC.
func equalPolls(a, b *polls.Poll) bool {
	for _, t := range []time.Time{a.OpenedAt, a.ClosesAt, a.ClosedAt} {
		if !t.IsZero() && t.Location() != time.UTC {
			return false
		}
	}
	ca, cb := *a, *b
	ca.Coalition, cb.Coalition = nil, nil
	return fmt.Sprintf("%+v %+v", ca, a.Coalition) == fmt.Sprintf("%+v %+v", cb, b.Coalition)
}

// testClosePollOnce: many callers in several processes close one poll at
// once; exactly one is told it closed it, and that close owns the first
// result post.
func testClosePollOnce(t *testing.T, e Engine) {
	clock := bot.NewManualClock(PollsStart())
	handles := fresh(t, e, clock).openN(4)
	env := newPollsEnv(t, handles[0], clock)
	ctx := context.Background()
	p := env.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"}, ClosesAt: PollsStart().Add(time.Hour)})
	if next, ok, err := handles[1].Polls.NextClose(ctx); err != nil || !ok || !next.Equal(PollsStart().Add(time.Hour)) {
		t.Fatalf("next close %v %v %v", next, ok, err)
	}
	won := make([]bool, 20)
	together(len(won), func(i int) {
		var err error
		if won[i], err = handles[i%len(handles)].Polls.ClosePoll(ctx, p.ID, "schedule", PollsStart()); err != nil {
			t.Error(err)
		}
	})
	if winners := trues(won); winners != 1 {
		t.Fatalf("%d callers closed the poll", winners)
	}
	if _, ok, _ := handles[2].Polls.NextClose(ctx); ok {
		t.Fatal("a closed poll still has a deadline pending")
	}
	got, err := handles[3].Polls.Poll(ctx, p.ID)
	if err != nil || !got.ClosedAt.Equal(PollsStart()) || got.ClosedBy != "schedule" || got.Revision <= p.Revision {
		t.Fatalf("closed poll %+v %v", got, err)
	}
	if rp, err := handles[3].Polls.ResultPost(ctx, p.ID); err != nil || rp.State != polls.ResultSending || rp.Attempts != 0 || !rp.ClosedAt.Equal(PollsStart()) {
		t.Fatalf("result post after the close %+v %v", rp, err)
	}
}

// testPollsStoredAndListed: a poll reads back as stored, times in UTC to
// the second; OpenPolls lists a channel's polls not yet closed, oldest
// first; DuePolls those whose deadline has come, earliest first;
// NextClose the earliest deadline; a missing poll is polls.ErrNotFound.
func testPollsStoredAndListed(t *testing.T, e Engine) {
	clock := bot.NewManualClock(PollsStart())
	d := fresh(t, e, clock)
	s := d.open()
	ctx := context.Background()
	newPoll := func(channel string, closesIn time.Duration) *polls.Poll {
		t.Helper()
		p := &polls.Poll{Question: "Ratify? " + channel, Options: []string{"Yes", "No", "Abstain"}, MaxChoices: 1,
			Rule: polls.RuleMajority, Favour: 1, Against: 2, Coalition: testCoalition(),
			Platform: "slack", Channel: channel, Thread: "1700000000.000100", OpenedBy: "slack:U1", OpenedByName: "Sam",
			OpenedAt: clock.Now().Add(500 * time.Millisecond)}
		if closesIn > 0 {
			p.ClosesAt = clock.Now().Add(closesIn)
		}
		must(t, s.Polls.CreatePoll(ctx, p))
		return p
	}
	a := newPoll("C1", 3*time.Hour)
	b := newPoll("C1", time.Hour)
	c := newPoll("C2", 2*time.Hour)
	none := newPoll("C1", 0)
	if !(a.ID < b.ID && b.ID < c.ID && c.ID < none.ID) {
		t.Fatalf("IDs %d %d %d %d do not increase", a.ID, b.ID, c.ID, none.ID)
	}
	secret := &polls.Poll{Question: "Secret?", Options: []string{"Yes", "No"}, Secret: true, Hidden: true, MaxChoices: 2,
		Platform: "discord", Channel: "81", OpenedBy: "discord:1", OpenedAt: PollsStart()}
	must(t, s.Polls.CreatePoll(ctx, secret))

	closeStores(t, s)
	s = d.open()
	got, err := s.Polls.Poll(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *a
	want.OpenedAt = PollsStart()
	if !equalPolls(got, &want) {
		t.Fatalf("stored %+v\nread   %+v", want, *got)
	}
	if got, err := s.Polls.Poll(ctx, secret.ID); err != nil || !equalPolls(got, secret) {
		t.Fatalf("secret poll read as %+v, %v", got, err)
	}
	if got, err := s.Polls.Poll(ctx, 999); !errors.Is(err, polls.ErrNotFound) || got != nil {
		t.Fatalf("missing poll: %v %v", got, err)
	}
	if _, err := s.Polls.Tally(ctx, 999); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("tally of a missing poll: %v", err)
	}
	if _, err := s.Polls.ResultPost(ctx, 999); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("result post of a missing poll: %v", err)
	}
	if rp, err := s.Polls.ResultPost(ctx, a.ID); err != nil || rp.State != polls.ResultNone || rp.PollID != a.ID {
		t.Fatalf("result post of an open poll: %+v %v", rp, err)
	}

	ids := func(ps []*polls.Poll, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprint(p.ID))
		}
		return strings.Join(out, " ")
	}
	if got, want := ids(s.Polls.OpenPolls(ctx, "slack", "C1")), fmt.Sprint(a.ID, " ", b.ID, " ", none.ID); got != want {
		t.Fatalf("open polls in C1: %s, want %s", got, want)
	}
	if got := ids(s.Polls.OpenPolls(ctx, "discord", "C1")); got != "" {
		t.Fatalf("open polls in discord C1: %s", got)
	}
	if got, want := ids(s.Polls.DuePolls(ctx, PollsStart().Add(2*time.Hour))), fmt.Sprint(b.ID, " ", c.ID); got != want {
		t.Fatalf("due polls: %s, want %s", got, want)
	}
	if next, ok, err := s.Polls.NextClose(ctx); err != nil || !ok || !next.Equal(b.ClosesAt) {
		t.Fatalf("next close %v %v %v, want %v", next, ok, err, b.ClosesAt)
	}
	if ok, err := s.Polls.ClosePoll(ctx, b.ID, "slack:U1", PollsStart().Add(time.Minute)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if got, want := ids(s.Polls.OpenPolls(ctx, "slack", "C1")), fmt.Sprint(a.ID, " ", none.ID); got != want {
		t.Fatalf("open polls in C1 after a close: %s, want %s", got, want)
	}
	if got, want := ids(s.Polls.DuePolls(ctx, PollsStart().Add(2*time.Hour))), fmt.Sprint(c.ID); got != want {
		t.Fatalf("due polls after a close: %s, want %s", got, want)
	}
	if next, ok, err := s.Polls.NextClose(ctx); err != nil || !ok || !next.Equal(c.ClosesAt) {
		t.Fatalf("next close %v %v %v, want %v", next, ok, err, c.ClosesAt)
	}
	if ok, err := s.Polls.ClosePoll(ctx, b.ID, "slack:U2", PollsStart().Add(2*time.Minute)); ok || err != nil {
		t.Fatalf("closed a closed poll again: %v %v", ok, err)
	}
}

// testUnits: the unit a member names is kept, replaced by a later one,
// and remembered across a restart; an unknown member has none.
func testUnits(t *testing.T, e Engine) {
	ctx := context.Background()
	d := fresh(t, e, bot.NewManualClock(PollsStart()))
	s := d.open()
	if u, err := s.Polls.Unit(ctx, "console:alice"); err != nil || u != "" {
		t.Fatalf("unit of a member who named none: %q %v", u, err)
	}
	must(t, s.Polls.SetUnit(ctx, "console:alice", "P-2"))
	must(t, s.Polls.SetUnit(ctx, "console:bob", "P-4"))
	must(t, s.Polls.SetUnit(ctx, "console:alice", "CSEA/SEIU Local 2001"))
	closeStores(t, s)
	s = d.open()
	for member, want := range map[string]string{"console:alice": "CSEA/SEIU Local 2001", "console:bob": "P-4", "console:carol": ""} {
		if u, err := s.Polls.Unit(ctx, member); err != nil || u != want {
			t.Errorf("unit of %s: %q %v, want %q", member, u, err, want)
		}
	}
}

package polls_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// dms returns the private posts the service sent to members other than
// the steward, by member.
func dms(hub *bottest.Hub) map[string]int {
	out := map[string]int{}
	for _, p := range hub.Posts() {
		if p.Reply.Private && p.To.User != "" && p.To.User != "console:steward" {
			out[p.To.User]++
		}
	}
	return out
}

// stewardNote returns what the service told the steward privately, or "".
func stewardNote(hub *bottest.Hub) string {
	for _, p := range hub.Posts() {
		if p.To.User == "console:steward" {
			return p.Reply.Text
		}
	}
	return ""
}

func TestNudgeReachesOnlyEligibleMembersWhoHaveNotVotedAtItsPace(t *testing.T) {
	e := newEnv(t)
	e.importRoster("ann", "P-4", "bob", "P-4", "carl", "P-4", "dora", "P-4", "erin", "P-2")
	// A roster member of another platform is not messaged on this one.
	e.importRosterWith("slack:U1", "P-4")
	e.open(`/poll "Ratify?" "Yes" "No" --units P-4`)
	e.mustSay("ann", "/vote 1 yes", "is recorded")
	running := e.runCloser()
	e.mustSay("steward", "/poll nudge 1", "Reminding 3 members privately, one every 1s; this takes about 2s.")
	e.mustSay("ann", "/poll nudge 1", "Only stewards")

	bottest.WaitFor(t, "the first nudge", func() bool { return len(dms(e.hub)) == 1 })
	bottest.WaitFor(t, "the pace's timer", func() bool { return e.clock.Timers() > 0 })
	if n := len(dms(e.hub)); n != 1 {
		t.Fatalf("%d nudges before the pace allowed a second", n)
	}
	// carl votes from his direct messages before his turn comes.
	m := bottest.Message("carl", "/vote 1 no")
	m.Channel, m.DM = bot.Channel{ID: "dm-carl"}, true
	rec := &bottest.Recorder{}
	e.router.Dispatch(t.Context(), rec, m)
	if !strings.Contains(rec.Text(), "is recorded") {
		t.Fatalf("vote from a direct message: %s", rec.Text())
	}
	for i := 0; stewardNote(e.hub) == "" && i < 10; i++ {
		bottest.WaitFor(t, "the pace's timer", func() bool { return e.clock.Timers() > 0 || stewardNote(e.hub) != "" })
		e.clock.Advance(time.Second)
		bottest.WaitFor(t, "the next nudge or the report", func() bool { return e.clock.Timers() > 0 || stewardNote(e.hub) != "" })
	}
	got := dms(e.hub)
	if got["console:ann"] != 0 || got["slack:U1"] != 0 || got["console:erin"] != 0 {
		t.Errorf("nudged a voter, another platform's member or an ineligible member: %v", got)
	}
	if got["console:bob"]+got["console:carl"]+got["console:dora"] != 2 || len(got) != 2 {
		t.Errorf("nudges %v, want one each to two of bob, carl, dora (carl voted before his turn)", got)
	}
	note := stewardNote(e.hub)
	if !strings.Contains(note, "I reminded 2 members who may vote and had not.") || strings.Contains(note, "bob") || strings.Contains(note, "dora") {
		t.Errorf("steward told %q", note)
	}
	for _, p := range e.hub.Posts() {
		if p.To.User == "console:bob" && (p.Reply.Card == nil || len(p.Reply.Card.Buttons) != 2 || !strings.Contains(p.Reply.Text, "you may vote in poll 1")) {
			t.Errorf("nudge without the poll's buttons: %+v", p.Reply)
		}
	}
	running.Stop()
}

func TestNudgeNeedsKnownVoters(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No"`)
	e.mustSay("steward", "/poll nudge 1", "open to everyone in its channel")
	e.open(`/poll "Strike?" "Yes" "No" --roster`)
	e.mustSay("steward", "/poll nudge 2", "No roster has been imported")
	e.mustSay("steward", `/poll "Again?" "Yes" "No" --roster --nudge 1h`, "needs --closes")
	e.importRoster("ann", "P-4")
	e.mustSay("steward", `/poll "Again?" "Yes" "No" --nudge 1h --closes in 2h`, "limited with --roster or --units")
	e.mustSay("steward", `/poll "Again?" "Yes" "No" --roster --nudge 3h --closes in 2h`, "now or in the past")
	// Everyone has voted: nothing to send.
	e.mustSay("ann", "/vote 2 yes", "is recorded")
	e.mustSay("steward", "/poll nudge 2", "has voted; no one to remind")
}

func TestScheduledNudgeIsSentOnceAcrossRestarts(t *testing.T) {
	e := newEnv(t)
	var pairs []string
	for i := range 3 {
		pairs = append(pairs, fmt.Sprintf("m%d", i), "P-2")
	}
	e.importRoster(pairs...)
	e.open(`/poll "Ratify?" "Yes" "No" --roster --closes in 48h --nudge 24h`)
	running := e.runCloser()
	e.clock.Advance(23 * time.Hour)
	running.Stop()
	if n := len(dms(e.hub)); n != 0 {
		t.Fatalf("%d nudges before their time", n)
	}
	e.clock.Advance(time.Hour) // due now, found at the next start
	e.restart()
	running = e.runCloser()
	for i := 0; stewardNote(e.hub) == "" && i < 5; i++ {
		bottest.WaitFor(t, "the pace's timer or the report", func() bool { return e.clock.Timers() > 0 || stewardNote(e.hub) != "" })
		e.clock.Advance(time.Second)
	}
	bottest.WaitFor(t, "the report", func() bool { return stewardNote(e.hub) != "" })
	if n := len(dms(e.hub)); n != 3 {
		t.Errorf("%d members nudged, want 3", n)
	}
	running.Stop()
	e.restart()
	running = e.runCloser()
	e.clock.Advance(time.Hour)
	e.open(`/poll "Wake the job" "Yes" "No"`)
	running.Stop()
	if n := len(e.hub.Posts()); n != 0 {
		t.Errorf("the nudge was sent again after a restart: %d posts", n)
	}
}

func TestNudgeOnASmallSecretBallotKeepsItsCountsFromTheSteward(t *testing.T) {
	e := newEnv(t)
	e.importRoster("ann", "P-4", "bob", "P-4", "carl", "P-4")
	e.open(`/poll "Ratify?" "Yes" "No" --roster --anonymous`)
	e.mustSay("ann", "/vote 1 yes", "is recorded")
	running := e.runCloser()
	rec := e.mustSay("steward", "/poll nudge 1", "I don't give the number on a secret ballot this small")
	if strings.ContainsAny(rec.Text(), "0123456789"[2:]) {
		t.Errorf("the steward is given a count: %s", rec.Text())
	}
	for i := 0; stewardNote(e.hub) == "" && i < 5; i++ {
		bottest.WaitFor(t, "the pace's timer or the report", func() bool { return e.clock.Timers() > 0 || stewardNote(e.hub) != "" })
		e.clock.Advance(time.Second)
	}
	bottest.WaitFor(t, "the report", func() bool { return stewardNote(e.hub) != "" })
	if note := stewardNote(e.hub); strings.Contains(note, "2 members") || !strings.Contains(note, "I don't give the number") {
		t.Errorf("steward told %q", note)
	}
	if got := dms(e.hub); len(got) != 2 || got["console:ann"] != 0 {
		t.Errorf("nudges %v, want bob and carl", got)
	}
	running.Stop()
}

// TestNudgeFromPlatformGroupsWithoutARoster nudges, without a roster, the
// members of the platform groups of the units a poll is limited to: only
// those who have not voted, and not a member in two units' groups, whose
// vote counts for no unit. A poll whose units' groups are not all listed,
// or one limited to the roster, still needs a roster.
func TestNudgeFromPlatformGroupsWithoutARoster(t *testing.T) {
	groups := &fakeGroups{members: map[string][]string{
		"@p2-members": {"slack:U1", "slack:U2", "slack:U3", "slack:U4"},
		"@csea":       {"slack:U4", "slack:U5"},
	}}
	e := &env{t: t, clock: bot.NewManualClock(start), path: t.TempDir() + "/polls.db", logs: &bottest.LogBuffer{}, groups: groups}
	e.start()
	e.sayOn(bot.PlatformSlack, "sam", nil, `/poll "Ratify?" "Yes" "No" --units P-2`)
	e.sayOn(bot.PlatformSlack, "U1", []string{"@p2-members"}, "/vote 1 yes")
	e.runCloser()
	if rec := e.sayOn(bot.PlatformSlack, "sam", nil, "/poll nudge 1"); !strings.Contains(rec.Text(), "Reminding 2 members privately, one every 1.2s; this takes about 1s.") {
		t.Fatalf("nudge from the groups: %s", rec.Text())
	}
	report := func() string {
		for _, p := range e.hub.Posts() {
			if p.To.User == "slack:sam" {
				return p.Reply.Text
			}
		}
		return ""
	}
	for report() == "" {
		bottest.WaitFor(t, "the pace's timer or the report", func() bool { return e.clock.Timers() > 0 || report() != "" })
		e.clock.Advance(1200 * time.Millisecond)
	}
	got := map[string]int{}
	for _, p := range e.hub.Posts() {
		if p.Reply.Private && p.To.User != "slack:sam" {
			got[p.To.User]++
		}
	}
	if len(got) != 2 || got["slack:U2"] != 1 || got["slack:U3"] != 1 {
		t.Errorf("nudged %v, want U2 and U3 once each", got)
	}
	if !strings.Contains(report(), "I reminded 2 members") {
		t.Errorf("steward's report: %s", report())
	}

	// A member whose groups the platform does not give with the vote (a
	// Discord direct message) is found in the group lists.
	if rec := e.sayOn(bot.PlatformSlack, "U2", nil, "/vote 1 no"); !strings.Contains(rec.Text(), "It counts for P-2.") {
		t.Errorf("vote without the member's groups: %s", rec.Text())
	}
	e.sayOn(bot.PlatformSlack, "sam", nil, `/poll "Strike?" "Yes" "No" --units P-2,AFSCME Local 2663`)
	if rec := e.sayOn(bot.PlatformSlack, "sam", nil, "/poll nudge 2"); !strings.Contains(rec.Text(), "No roster has been imported") {
		t.Errorf("nudge of a unit that names no group: %s", rec.Text())
	}
	e.sayOn(bot.PlatformSlack, "sam", nil, `/poll "Other?" "Yes" "No" --units P-2 --roster`)
	if rec := e.sayOn(bot.PlatformSlack, "sam", nil, "/poll nudge 3"); !strings.Contains(rec.Text(), "No roster has been imported") {
		t.Errorf("nudge of a poll limited to the roster: %s", rec.Text())
	}
}

// TestNudgeStopsWhenThePlatformRefusesMoreDirectMessages checks that a
// nudge stops at the first direct message the platform refuses to open
// for now (Discord's spam protection), rather than press on and risk the
// bot's quarantine, and tells the steward how many it reached and what to
// do about the rest.
func TestNudgeStopsWhenThePlatformRefusesMoreDirectMessages(t *testing.T) {
	e := newEnv(t)
	e.importRoster("ann", "P-4", "bob", "P-4", "carl", "P-4", "dora", "P-4")
	e.open(`/poll "Ratify?" "Yes" "No" --units P-4`)
	var mu sync.Mutex
	tried := 0
	e.hub.FailWhen(func(_ string, r bot.Reply, _ int) error {
		if !strings.Contains(r.Text, "you may vote in poll 1") {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if tried++; tried > 1 {
			return fmt.Errorf("open a direct message: %w", bot.ErrDirectMessagesRefused)
		}
		return nil
	})
	running := e.runCloser()
	e.mustSay("steward", "/poll nudge 1", "Reminding 4 members privately")
	for i := 0; stewardNote(e.hub) == "" && i < 10; i++ {
		bottest.WaitFor(t, "the pace's timer or the report", func() bool { return e.clock.Timers() > 0 || stewardNote(e.hub) != "" })
		e.clock.Advance(time.Second)
	}
	bottest.WaitFor(t, "the steward's report", func() bool { return stewardNote(e.hub) != "" })
	note := stewardNote(e.hub)
	if !strings.Contains(note, "I reminded 1 member who may vote and had not.") ||
		!strings.Contains(note, "the platform stopped me from opening more direct messages") ||
		!strings.Contains(note, "try /poll nudge 1 again in a few hours") {
		t.Errorf("steward told %q", note)
	}
	mu.Lock()
	if tried != 2 {
		t.Errorf("%d nudges tried, want the one sent and the one refused, then none", tried)
	}
	mu.Unlock()
	if got := dms(e.hub); len(got) != 1 {
		t.Errorf("nudges delivered: %v, want one", got)
	}
	running.Stop()
}

package storetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// testRosterReplacedWhole: ReplaceRoster replaces the whole roster; the
// members of a person listed under two IDs count once in their unit's
// size; RosterMembers lists a unit's IDs, or everyone's, sorted; an empty
// replacement leaves no roster.
func testRosterReplacedWhole(t *testing.T, e Engine) {
	ctx := context.Background()
	d := fresh(t, e, bot.NewManualClock(PollsStart()))
	s := d.open()
	if ok, err := s.Roster.HasRoster(ctx); err != nil || ok {
		t.Fatalf("a new database has a roster: %v %v", ok, err)
	}
	must(t, s.Roster.ReplaceRoster(ctx, []polls.RosterEntry{
		{Member: "slack:U1", Unit: "P-2", Person: 2}, {Member: "discord:81", Unit: "P-2", Person: 2},
		{Member: "slack:U2", Unit: "P-2", Person: 3}, {Member: "slack:U3", Unit: "P-4", Person: 4},
	}))
	closeStores(t, s)
	s = d.open()
	if sizes, err := s.Roster.RosterSizes(ctx); err != nil || !maps.Equal(sizes, map[string]int{"P-2": 2, "P-4": 1}) {
		t.Errorf("sizes %v %v, want P-2 2 (one person under two IDs) and P-4 1", sizes, err)
	}
	if u, ok, err := s.Roster.RosterUnit(ctx, "discord:81"); err != nil || !ok || u != "P-2" {
		t.Errorf("unit of discord:81: %q %v %v", u, ok, err)
	}
	if m, err := s.Roster.RosterMembers(ctx, []string{"P-2"}); err != nil || !slices.Equal(m, []string{"discord:81", "slack:U1", "slack:U2"}) {
		t.Errorf("members of P-2: %v %v", m, err)
	}
	must(t, s.Roster.ReplaceRoster(ctx, []polls.RosterEntry{{Member: "slack:U9", Unit: "P-4", Person: 2}}))
	if m, err := s.Roster.RosterMembers(ctx, nil); err != nil || !slices.Equal(m, []string{"slack:U9"}) {
		t.Errorf("members after a replacement: %v %v", m, err)
	}
	if _, ok, err := s.Roster.RosterUnit(ctx, "slack:U1"); err != nil || ok {
		t.Errorf("slack:U1 is still on the roster after a replacement without it: %v", err)
	}
	must(t, s.Roster.ReplaceRoster(ctx, nil))
	if ok, err := s.Roster.HasRoster(ctx); err != nil || ok {
		t.Errorf("an empty replacement left a roster: %v %v", ok, err)
	}
}

// testNudgeClaimedOnce: a scheduled nudge is due from its time, its due
// time is the next; of callers racing from several processes exactly one
// claims it, after which it is neither due nor next.
func testNudgeClaimedOnce(t *testing.T, e Engine) {
	clock := bot.NewManualClock(PollsStart())
	handles := fresh(t, e, clock).openN(3)
	env := newPollsEnv(t, handles[0], clock)
	ctx := context.Background()
	p := env.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"}, ClosesAt: PollsStart().Add(48 * time.Hour)})
	due := PollsStart().Add(24 * time.Hour)
	must(t, handles[0].Nudges.ScheduleNudge(ctx, p.ID, due))
	if ids, err := handles[1].Nudges.DueNudges(ctx, due.Add(-time.Second)); err != nil || len(ids) != 0 {
		t.Fatalf("due before its time: %v %v", ids, err)
	}
	if next, ok, err := handles[1].Nudges.NextNudge(ctx); err != nil || !ok || !next.Equal(due) {
		t.Fatalf("next nudge %v %v %v, want %v", next, ok, err, due)
	}
	if ids, err := handles[2].Nudges.DueNudges(ctx, due); err != nil || !slices.Equal(ids, []int64{p.ID}) {
		t.Fatalf("due at its time: %v %v", ids, err)
	}
	won := make([]bool, 12)
	together(len(won), func(i int) {
		var err error
		if won[i], err = handles[i%len(handles)].Nudges.ClaimNudge(ctx, p.ID, due); err != nil {
			t.Error(err)
		}
	})
	if n := trues(won); n != 1 {
		t.Fatalf("%d callers claimed the nudge", n)
	}
	if _, ok, err := handles[0].Nudges.NextNudge(ctx); err != nil || ok {
		t.Errorf("a claimed nudge is still next: %v", err)
	}
	if ids, err := handles[0].Nudges.DueNudges(ctx, due.Add(time.Hour)); err != nil || len(ids) != 0 {
		t.Errorf("a claimed nudge is still due: %v %v", ids, err)
	}
	// A poll opened by mistake is deleted with its nudge.
	q := env.openPoll(t, polls.OpenRequest{Question: "Oops?", Options: []string{"A", "B"}, ClosesAt: PollsStart().Add(48 * time.Hour)})
	must(t, handles[0].Nudges.ScheduleNudge(ctx, q.ID, due))
	if deleted, err := handles[1].Polls.DeletePoll(ctx, q.ID, polls.AuditEntry{PollID: q.ID, At: PollsStart(), Action: polls.AuditDelete, By: "console:steward"}); err != nil || !deleted {
		t.Fatalf("delete a poll with a nudge: %v %v", deleted, err)
	}
	if ids, err := handles[2].Nudges.DueNudges(ctx, due); err != nil || len(ids) != 0 {
		t.Errorf("a deleted poll's nudge is due: %v %v", ids, err)
	}
}

// testParticipantsOfBothBallots: Participants lists who voted, on an open
// ballot and on a secret one alike, and no one else.
func testParticipantsOfBothBallots(t *testing.T, e Engine) {
	clock := bot.NewManualClock(PollsStart())
	s := fresh(t, e, clock).open()
	env := newPollsEnv(t, s, clock)
	ctx := context.Background()
	for _, secret := range []bool{false, true} {
		p := env.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"}, Secret: secret})
		env.say("ann", fmt.Sprintf("/vote %d 1", p.ID))
		env.say("bob", fmt.Sprintf("/vote %d 2", p.ID))
		got, err := s.Nudges.Participants(ctx, p.ID)
		slices.Sort(got)
		if err != nil || !slices.Equal(got, []string{"console:ann", "console:bob"}) {
			t.Errorf("secret %v: participants %v %v", secret, got, err)
		}
	}
}

// testEligibilityStored: a poll's eligibility reads back as stored, from
// the poll, the channel's open polls and a fresh handle; a poll opened
// without one lets everyone vote.
func testEligibilityStored(t *testing.T, e Engine) {
	clock := bot.NewManualClock(PollsStart())
	d := fresh(t, e, clock)
	env := newPollsEnv(t, d.open(), clock)
	ctx := context.Background()
	want := polls.Eligibility{Units: []string{"P-2", "P-4"}, Roster: true}
	limited := env.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"}, Eligible: want})
	open := env.openPoll(t, polls.OpenRequest{Question: "R?", Options: []string{"A", "B"}})
	s := d.open()
	got, err := s.Polls.Poll(ctx, limited.ID)
	if err != nil || !slices.Equal(got.Eligible.Units, want.Units) || !got.Eligible.Roster {
		t.Errorf("eligibility read back %+v %v, want %+v", got.Eligible, err, want)
	}
	listed, err := s.Polls.OpenPolls(ctx, bot.PlatformConsole, "console")
	if err != nil || len(listed) != 2 || !listed[0].Eligible.Roster || listed[1].Eligible.Limited() {
		t.Errorf("open polls' eligibility: %v", err)
	}
	if got, err := s.Polls.Poll(ctx, open.ID); err != nil || got.Eligible.Limited() {
		t.Errorf("a poll without eligibility reads back limited: %+v %v", got, err)
	}
}

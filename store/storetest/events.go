package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// testPollEventsClaimedOnce: CreatePoll schedules a poll's opening and
// its reminder; each is due at its time, claimed by exactly one of racing
// replicas, and recorded; a failed one is due again at its next try; one
// left sending at start-up is marked uncertain and never due again.
func testPollEventsClaimedOnce(t *testing.T, e Engine) {
	clock := bot.NewManualClock(PollsStart())
	handles := fresh(t, e, clock).openN(4)
	env := newPollsEnv(t, handles[0], clock)
	ctx := context.Background()
	start := PollsStart()
	p := env.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"},
		OpensAt: start.Add(time.Hour), ClosesAt: start.Add(5 * time.Hour), RemindBefore: time.Hour})
	got, err := handles[1].Polls.Poll(ctx, p.ID)
	if err != nil || !got.OpensAt.Equal(start.Add(time.Hour)) || got.RemindBefore != time.Hour {
		t.Fatalf("scheduled poll reads back %+v %v", got, err)
	}
	if next, ok, err := handles[1].Polls.NextEvent(ctx); err != nil || !ok || !next.Equal(start.Add(time.Hour)) {
		t.Fatalf("next event %v %v %v", next, ok, err)
	}
	if due, err := handles[2].Polls.DueEvents(ctx, start); err != nil || len(due) != 0 {
		t.Fatalf("due before its time: %v %v", due, err)
	}
	due, err := handles[2].Polls.DueEvents(ctx, start.Add(4*time.Hour))
	if err != nil || len(due) != 2 || due[0].Kind != polls.EventOpening || due[1].Kind != polls.EventReminder ||
		!due[1].At.Equal(start.Add(4*time.Hour)) || due[0].State != polls.EventDue {
		t.Fatalf("due %+v %v", due, err)
	}
	opening := due[0]
	won := make([]bool, 20)
	together(len(won), func(i int) {
		var err error
		if won[i], err = handles[i%len(handles)].Polls.ClaimEvent(ctx, opening, start.Add(time.Hour)); err != nil {
			t.Error(err)
		}
	})
	if n := trues(won); n != 1 {
		t.Fatalf("%d callers claimed the opening", n)
	}
	opening.State, opening.Attempts, opening.At = polls.EventDue, 1, start.Add(61*time.Minute)
	must(t, handles[3].Polls.FinishEvent(ctx, opening))
	if err := handles[3].Polls.FinishEvent(ctx, opening); err == nil {
		t.Fatal("an event not being sent was recorded")
	}
	if next, _, _ := handles[0].Polls.NextEvent(ctx); !next.Equal(start.Add(61 * time.Minute)) {
		t.Fatalf("retry due at %v", next)
	}
	if ok, err := handles[0].Polls.ClaimEvent(ctx, opening, start.Add(time.Hour)); ok || err != nil {
		t.Fatalf("claimed before the retry's time: %v %v", ok, err)
	}
	if ok, err := handles[0].Polls.ClaimEvent(ctx, opening, start.Add(61*time.Minute)); !ok || err != nil {
		t.Fatalf("retry claim %v %v", ok, err)
	}
	marked, err := handles[1].Polls.MarkEventsInterrupted(ctx)
	if err != nil || len(marked) != 1 || marked[0].Kind != polls.EventOpening || marked[0].State != polls.EventUncertain {
		t.Fatalf("marked %+v %v", marked, err)
	}
	if due, _ := handles[1].Polls.DueEvents(ctx, start.Add(48*time.Hour)); len(due) != 1 || due[0].Kind != polls.EventReminder {
		t.Fatalf("due after the mark %+v", due)
	}
}

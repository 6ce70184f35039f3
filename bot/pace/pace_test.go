package pace_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/pace"
)

var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestBudgetSpacesSendsAfterTheBurst(t *testing.T) {
	clock := bot.NewManualClock(start)
	b := pace.NewBudget(clock, pace.Limit{Count: 1, Per: time.Second, Burst: 3})
	var waits []time.Duration
	for range 5 {
		waits = append(waits, b.Reserve("C1"))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits = %v, want %v", waits, want)
		}
	}
	if d := b.Reserve("C2"); d != 0 {
		t.Errorf("another key waited %v; keys are paced apart", d)
	}
	clock.Advance(10 * time.Second)
	if d := b.Reserve("C1"); d != 0 {
		t.Errorf("after a quiet spell the key waited %v", d)
	}
}

func TestBudgetDelayEstimatesTheQueueWithoutReserving(t *testing.T) {
	clock := bot.NewManualClock(start)
	b := pace.NewBudget(clock, pace.DiscordChannelMessages())
	if d := b.Delay("C1", 4); d != 4*time.Second {
		t.Errorf("Delay behind 4 = %v, want 4s at one message a second", d)
	}
	if d := b.Reserve("C1"); d != 0 {
		t.Errorf("Delay reserved a slot: the first send waited %v", d)
	}
	if d := b.Delay("C1", 0); d != time.Second {
		t.Errorf("Delay after one send = %v, want 1s", d)
	}
}

func TestBudgetPauseHoldsTheKeyAsThePlatformAsked(t *testing.T) {
	clock := bot.NewManualClock(start)
	b := pace.NewBudget(clock, pace.SlackChannelPosts())
	b.Pause("C1", 30*time.Second)
	if d := b.Reserve("C1"); d != 30*time.Second {
		t.Errorf("first send after a 30 s Retry-After waits %v", d)
	}
	if d := b.Reserve("C2"); d != 0 {
		t.Errorf("a pause of C1 held C2 for %v", d)
	}
}

func TestBudgetWaitEndsWithTheClockOrTheContext(t *testing.T) {
	clock := bot.NewManualClock(start)
	b := pace.NewBudget(clock, pace.Limit{Count: 1, Per: time.Second})
	if err := b.Wait(t.Context(), "C1"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Wait(t.Context(), "C1") }()
	bottest.WaitFor(t, "the second send to wait on the clock", func() bool { return clock.Timers() == 1 })
	clock.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Wait(ctx, "C1"); err == nil {
		t.Error("Wait with an ended context returned no error")
	}
}

func TestBudgetForgetsIdleKeys(t *testing.T) {
	clock := bot.NewManualClock(start)
	b := pace.NewBudget(clock, pace.Limit{Count: 1, Per: time.Second})
	for i := range 5000 {
		b.Reserve("C" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune(i)))
		clock.Advance(10 * time.Millisecond)
	}
	if n := b.Keys(); n > 1100 {
		t.Errorf("budget remembers %d keys after 5000 one-off channels; want it bounded", n)
	}
}

func TestStormLogsOneLinePerWindow(t *testing.T) {
	clock := bot.NewManualClock(start)
	var logs bottest.LogBuffer
	s := pace.NewStorm(logs.Logger(), clock, "Slack", time.Minute)
	for range 296 {
		s.Refused("chat.postMessage", time.Second)
		clock.Advance(100 * time.Millisecond)
	}
	if n := strings.Count(logs.String(), "rate limited by Slack"); n != 1 {
		t.Fatalf("296 refusals within 30 s logged %d lines, want 1:\n%s", n, logs.String())
	}
	clock.Advance(time.Minute)
	s.Refused("chat.postMessage", time.Second)
	out := logs.String()
	if n := strings.Count(out, "rate limited by Slack"); n != 2 {
		t.Fatalf("a refusal in the next window logged %d lines in all, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "refusals=296") {
		t.Errorf("the second line does not count the first window's other 295 refusals with its own:\n%s", out)
	}
	if s.Total() != 297 {
		t.Errorf("Total = %d, want 297", s.Total())
	}
}

func TestBudgetAllowAdmitsWithinTheLimitAndSaysHowLongOtherwise(t *testing.T) {
	clock := bot.NewManualClock(start)
	b := pace.NewBudget(clock, pace.SlackChannelPosts())
	for i := range 3 {
		if ok, _ := b.Allow("C1"); !ok {
			t.Fatalf("post %d of a burst of 3 refused", i+1)
		}
	}
	ok, wait := b.Allow("C1")
	if ok || wait != time.Second {
		t.Fatalf("fourth post at once: allowed %v, wait %v; want refused for 1s", ok, wait)
	}
	clock.Advance(wait)
	if ok, _ := b.Allow("C1"); !ok {
		t.Error("refused once the wait it gave had passed")
	}
}

func TestOnlyAnswersWithoutPollsOrFilesGoPrivately(t *testing.T) {
	for _, tc := range []struct {
		r    bot.Reply
		want bool
	}{
		{bot.Reply{Text: "an answer"}, true},
		{bot.Reply{Card: &bot.Card{Key: "faq:x:1", Title: "An answer"}}, true},
		{bot.Reply{Card: &bot.Card{Key: "poll:1", Poll: &bot.PollView{ID: "1"}}}, false},
		{bot.Reply{File: &bot.File{Name: "poll-1.csv"}}, false},
	} {
		if got := pace.MayAnswerPrivately(tc.r); got != tc.want {
			t.Errorf("MayAnswerPrivately(%+v) = %v, want %v", tc.r, got, tc.want)
		}
	}
	r := pace.Privately(bot.Reply{Text: "Ratification needs a majority."})
	if !r.Private || r.Text != pace.BusyNote+"\n\nRatification needs a majority." {
		t.Errorf("Privately = %+v", r)
	}
}

func TestPendingCountsPerKeyAndForgetsFinishedOnes(t *testing.T) {
	var p pace.Pending
	p.Add("C1:U1", 1)
	p.Add("C1:U1", 1)
	p.Add("C1:U1", -1)
	if !p.Waiting("C1:U1") || p.Waiting("C1:U2") {
		t.Fatal("Waiting does not follow the counts")
	}
	p.Add("C1:U1", -1)
	if p.Waiting("C1:U1") || p.Keys() != 0 {
		t.Errorf("after every answer was sent: Waiting %v, %d keys kept", p.Waiting("C1:U1"), p.Keys())
	}
}

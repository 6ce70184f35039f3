package pace_test

import (
	"context"
	"slices"
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

func TestBudgetDelayCountsAPause(t *testing.T) {
	clock := bot.NewManualClock(start)
	b := pace.NewBudget(clock, pace.SlackChannelPosts())
	b.Pause("C1", 30*time.Second)
	if d := b.Delay("C1", 0); d != 30*time.Second {
		t.Errorf("Delay after a 30 s Retry-After = %v, want 30s", d)
	}
	if d := b.Delay("C1", 2); d != 32*time.Second {
		t.Errorf("Delay behind 2 after a 30 s Retry-After = %v, want 32s", d)
	}
}

func TestColdBudgetStartsWithItsBurstSpent(t *testing.T) {
	clock := bot.NewManualClock(start)
	limit := pace.SlackTier(pace.SlackTier3)
	// The platform still counts a burst the previous process spent just
	// before it stopped, a moment before this one starts.
	platform := pace.NewBudget(clock, limit)
	for range pace.SlackTier3 {
		if ok, _ := platform.Allow("chat.update"); !ok {
			t.Fatal("the platform refused its own burst")
		}
	}
	clock.Advance(limit.Interval())
	b := pace.NewBudget(clock, limit).Cold()
	for i := range 100 {
		clock.Advance(b.Reserve("chat.update"))
		if ok, wait := platform.Allow("chat.update"); !ok {
			t.Fatalf("call %d after the start refused; the platform asked for %v more", i+1, wait)
		}
	}
	// Once a burst's length has passed, a key not used yet starts fresh.
	posts := pace.NewBudget(clock, pace.SlackChannelPosts()).Cold()
	if d := posts.Reserve("C1"); d != 0 {
		t.Errorf("first post of a cold start waited %v", d)
	}
	if d := posts.Reserve("C1"); d != time.Second {
		t.Errorf("second post of a cold start waited %v, want the steady 1s", d)
	}
	clock.Advance(3 * time.Second)
	for i := range 3 {
		if d := posts.Reserve("C2"); d != 0 {
			t.Errorf("post %d in another channel after the cold start waited %v; its burst is back", i+1, d)
		}
	}
}

func TestMarginKeepsTheBotBehindAPlatformThatCountsFromArrival(t *testing.T) {
	for _, tc := range []struct {
		limit pace.Limit
		burst int
		every time.Duration
	}{
		{pace.SlackChannelPosts(), 2, time.Second},
		{pace.SlackTier(pace.SlackTier3), 45, 1200 * time.Millisecond},
		{pace.SlackTier(pace.SlackTier1), 1, time.Minute + 1200*time.Millisecond},
		{pace.DiscordChannelMessages(), 1, 1020 * time.Millisecond},
	} {
		m := pace.Margin(tc.limit)
		if m.Burst != tc.burst && tc.burst > 1 || m.Interval() != tc.every {
			t.Errorf("Margin(%+v) = %+v: burst %d every %v, want %d every %v", tc.limit, m, m.Burst, m.Interval(), tc.burst, tc.every)
		}
	}
	// Each call is sent when its turn comes and reaches the platform
	// after the one before has been answered; the first takes 5 ms on its
	// way, the others 1 ms. Paced at the platform's own figures, a call
	// after the burst arrives 4 ms early.
	for _, tc := range []struct {
		ours    pace.Limit
		refused bool
	}{{pace.SlackChannelPosts(), true}, {pace.Margin(pace.SlackChannelPosts()), false}} {
		ours, theirs := bot.NewManualClock(start), bot.NewManualClock(start)
		b, platform := pace.NewBudget(ours, tc.ours), pace.NewBudget(theirs, pace.SlackChannelPosts())
		refused := 0
		for i := range 10 {
			sent := ours.Advance(b.Reserve("C1"))
			way := time.Millisecond
			if i == 0 {
				way = 5 * time.Millisecond
			}
			theirs.Set(sent.Add(way))
			if ok, _ := platform.Allow("C1"); !ok {
				refused++
			}
			ours.Set(theirs.Now().Add(time.Millisecond)) // the answer comes back
		}
		if (refused > 0) != tc.refused {
			t.Errorf("paced at %+v: %d of 10 calls refused", tc.ours, refused)
		}
	}
}

func TestHeldKeepsAMembersAnswersInOrder(t *testing.T) {
	h := pace.NewHeld(bot.NewManualClock(start))
	first := h.Hold("C1", "U1", time.Time{}, nil)
	if !h.Waiting("C1", "U1") || h.Waiting("C1", "U2") || h.Waiting("C2", "U1") {
		t.Fatal("Waiting does not follow the answers held")
	}
	if !first.Sending() || !first.Done() {
		t.Fatal("an answer that was never diverted could not be sent")
	}
	if h.Waiting("C1", "U1") || h.Channels() != 0 {
		t.Errorf("after the answer was sent: Waiting %v, %d channels kept", h.Waiting("C1", "U1"), h.Channels())
	}
}

// steady is when the answers queued in a channel are posted, one a
// second from next.
func steady(next time.Time) func(k int) time.Time {
	return func(k int) time.Time { return next.Add(time.Duration(k) * time.Second) }
}

func TestHeldGivesALateQuestionLessTimeInTheChannel(t *testing.T) {
	clock := bot.NewManualClock(start)
	h := pace.NewHeld(clock)
	for _, tc := range []struct {
		asked time.Time
		left  time.Duration
	}{
		{time.Time{}, pace.BusyAfter},
		{clock.Now().Add(time.Hour), pace.BusyAfter},
		{clock.Now().Add(-2 * time.Second), pace.BusyAfter - 2*time.Second},
		{clock.Now().Add(-time.Minute), 0},
	} {
		if got := h.Left(tc.asked); got != tc.left {
			t.Errorf("Left(%v) = %v, want %v", tc.asked, got, tc.left)
		}
	}
	var diverted bool
	h.Hold("C1", "U1", clock.Now().Add(-2*time.Second), func() { diverted = true })
	h.Late("C1", steady(clock.Now().Add(1500*time.Millisecond)))
	if !diverted {
		t.Error("an answer to a question asked 2 s ago, due in 1.5 s more, stayed in the channel")
	}
}

func TestHeldDivertsAnswersAPauseMakesLate(t *testing.T) {
	clock := bot.NewManualClock(start)
	h := pace.NewHeld(clock)
	var diverted []string
	divert := func(name string) func() { return func() { diverted = append(diverted, name) } }
	head := h.Hold("C1", "U1", time.Time{}, divert("head"))
	poll := h.Hold("C1", "U2", time.Time{}, nil) // a poll stays in the channel
	later := h.Hold("C1", "U2", time.Time{}, divert("U2's later answer"))
	other := h.Hold("C1", "U3", time.Time{}, divert("U3"))
	elsewhere := h.Hold("C2", "U4", time.Time{}, divert("elsewhere"))
	// Posting at one a second from now, everyone is within BusyAfter.
	h.Late("C1", steady(clock.Now()))
	if len(diverted) != 0 {
		t.Fatalf("answers on time were diverted: %v", diverted)
	}
	if !head.Sending() {
		t.Fatal("the head could not be claimed")
	}
	// A 429 asks for 30 s while the head is being posted: the head stays,
	// and so does U2's answer behind their poll, which cannot move.
	clock.Advance(time.Second)
	h.Late("C1", steady(clock.Now().Add(30*time.Second)))
	if want := []string{"U3"}; !slices.Equal(diverted, want) {
		t.Fatalf("diverted %v while the head was being posted, want %v", diverted, want)
	}
	// The head's post was refused: back in the queue, it goes privately.
	head.Retry()
	h.Late("C1", steady(clock.Now().Add(30*time.Second)))
	if want := []string{"U3", "head"}; !slices.Equal(diverted, want) {
		t.Fatalf("diverted %v, want %v", diverted, want)
	}
	if head.Sending() || head.Done() || !head.Diverted() || !other.Diverted() {
		t.Error("a diverted answer could still be posted in the channel")
	}
	if later.Diverted() || poll.Diverted() || elsewhere.Diverted() {
		t.Error("an answer behind the member's poll, the poll, or another channel's answer was diverted")
	}
	// Once part of an answer is shown, a refusal of the rest keeps it in
	// the channel.
	shown := h.Hold("C1", "U5", time.Time{}, divert("U5"))
	shown.Sending()
	shown.Shown()
	shown.Retry()
	poll.Done()
	h.Late("C1", steady(clock.Now().Add(30*time.Second)))
	if shown.Diverted() {
		t.Error("an answer partly shown in the channel was diverted")
	}
	shown.Done()
	if !later.Diverted() {
		t.Error("once the member's poll was posted, their late answer stayed in the channel")
	}
	elsewhere.Done()
	if h.Channels() != 0 {
		t.Errorf("%d channels kept once every answer was sent or diverted", h.Channels())
	}
}

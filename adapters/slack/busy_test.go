package slack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/pace"
)

// answers returns, per member, the answers they can see to a question of
// theirs: public posts naming their question and ephemerals to them.
func answers(srv *slacktest.Server, members int) (public, private map[string]int) {
	public, private = map[string]int{}, map[string]int{}
	for i := range members {
		user, q := fmt.Sprintf("U%03d", i), fmt.Sprintf("question %03d", i)
		for _, c := range srv.Posts() {
			if c.Err == "" && strings.Contains(c.Text(), q) {
				public[user]++
			}
		}
		for _, c := range srv.Ephemerals() {
			if c.Err == "" && c.Form.Get("user") == user && strings.Contains(c.Text(), q) {
				private[user]++
			}
		}
	}
	return public, private
}

// answeredOnce checks that each of the n members was answered once, in
// the channel or privately, and returns the answers' counts.
func answeredOnce(t *testing.T, srv *slacktest.Server, n int) (public, private map[string]int) {
	t.Helper()
	public, private = answers(srv, n)
	for i := range n {
		user := fmt.Sprintf("U%03d", i)
		if public[user]+private[user] != 1 {
			t.Errorf("%s answered %d times in the channel and %d privately, want once", user, public[user], private[user])
		}
	}
	return public, private
}

// TestBusyChannelAnswersPrivatelyWithinSlacksLimits is the burst of
// mentions in one channel against a Slack that enforces its documented
// limits. The clock stands still but for the test moving it while posts
// wait their turn, so the pacing is exact: a few members are answered in
// the channel at Slack's rate, the rest at once and privately, saying
// why; everyone once, and Slack never has to refuse a call.
func TestBusyChannelAnswersPrivatelyWithinSlacksLimits(t *testing.T) {
	const n = 40
	srv, clock, a := throttledAdapter(t, newTestBot(), nil)
	askInC1(srv, 0, n)
	everyone := func() bool {
		pub, priv := answers(srv, n)
		return len(pub)+len(priv) == n
	}
	bottest.WaitFor(t, "every mention answered or queued, the clock standing still", func() bool {
		pub, priv := answers(srv, n)
		return len(pub)+len(priv)+a.out.Queued("C1")+clock.Timers() == n
	})
	bottest.WaitFor(t, "every member answered, with the clock moving while posts wait", func() bool {
		if clock.Timers() > 0 {
			clock.Advance(a.pacer.posts.Limit().Interval())
		}
		return everyone()
	})
	if err := a.out.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	pub, _ := answeredOnce(t, srv, n)
	if len(pub) == 0 || len(pub) > 8 {
		t.Errorf("%d answers in the channel; want the first few, at Slack's rate, no more than 3 s behind", len(pub))
	}
	for _, c := range srv.Ephemerals() {
		if !strings.HasPrefix(c.Text(), pace.BusyNote) {
			t.Errorf("private answer %q does not say why it is private", c.Text())
		}
	}
	if r := srv.RateLimited(); r != 0 {
		t.Errorf("Slack refused %d calls; the adapter should keep within its limits", r)
	}
}

func TestOnlyAnswersToOneMemberInAChannelGoPrivately(t *testing.T) {
	answer := bot.Reply{Text: "an answer"}
	if !mayGoPrivate(destination{channel: "C1", user: "U1"}, answer) {
		t.Error("an answer to a member in a channel may not go privately")
	}
	if mayGoPrivate(destination{channel: "C1"}, answer) {
		t.Error("a post that answers no member may go privately")
	}
	if mayGoPrivate(destination{channel: "C1", user: "U1"}, bot.Reply{Card: &bot.Card{Key: "poll:1", Poll: &bot.PollView{ID: "1"}}}) {
		t.Error("a poll may go privately")
	}
}

// TestBusyChannelPicksTheQuickerPrivateRoute saturates the channel's
// posting limit, then chat.postEphemeral's tier: an answer goes
// ephemeral while that is quick, then by direct message, and through the
// response_url whenever there is one.
func TestBusyChannelPicksTheQuickerPrivateRoute(t *testing.T) {
	srv := slacktest.NewServer(t)
	clock := newTestClock()
	a := idleAdapter(t, srv, func(o *Options) { o.Clock = clock })
	dest := destination{channel: "C1", user: "U1"}
	answer := bot.Reply{Text: "an answer"}
	if got := a.routeFor(dest, answer); got != inChannel {
		t.Fatalf("quiet channel: route %v, want in the channel", got)
	}
	for range 10 {
		a.pacer.posts.Reserve("C1")
	}
	if got := a.routeFor(dest, answer); got != ephemeral {
		t.Fatalf("busy channel: route %v, want ephemeral", got)
	}
	for range 150 {
		a.pacer.tiers["chat.postEphemeral"].Reserve("chat.postEphemeral")
	}
	if got := a.routeFor(dest, answer); got != directMessage {
		t.Errorf("busy channel, ephemeral tier spent: route %v, want a direct message", got)
	}
	withURL := dest
	withURL.resp = &responseURL{url: srv.ResponseURL("r1")}
	if got := a.routeFor(withURL, answer); got != ephemeral {
		t.Errorf("with a response_url: route %v, want ephemeral (through it)", got)
	}
}

// TestAnswersHeldUpByARetryAfterGoPrivatelyAtOnce queues answers behind a
// channel's burst, then has Slack refuse the next post with a long
// Retry-After: the answers already queued go privately at once, on the
// clock that stands still at the refusal, and each member is answered
// once.
func TestAnswersHeldUpByARetryAfterGoPrivatelyAtOnce(t *testing.T) {
	const n = 5
	srv, clock, a := throttledAdapter(t, newTestBot(), nil)
	askInC1(srv, 0, n)
	// The channel's burst (kept two by the margin) is posted; the third
	// answer waits a second for its turn, the others behind it.
	bottest.WaitFor(t, "two answers posted and three queued", func() bool {
		pub, _ := answers(srv, n)
		return len(pub) == 2 && clock.Timers() == 1 && a.out.Queued("C1") == 2
	})
	srv.FailNext("chat.postMessage", 1, slacktest.Failure{Status: 429, RetryAfter: "30"})
	paused := clock.Advance(time.Second)
	bottest.WaitFor(t, "the three queued answers shown privately, the clock standing at the refusal", func() bool {
		_, priv := answers(srv, n)
		return len(priv) == 3
	})
	if now := clock.Now(); now.Sub(paused) > pace.BusyAfter {
		t.Fatalf("answered privately %v after the refusal", now.Sub(paused))
	}
	// Anything still waiting in the channel would go once the pause is
	// over: nothing does.
	clock.Advance(time.Minute)
	if err := a.out.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, priv := answeredOnce(t, srv, n)
	for _, user := range []string{"U002", "U003", "U004"} {
		if priv[user] != 1 {
			t.Errorf("%s, queued when Slack asked for 30 s, was not answered privately", user)
		}
	}
	if a.held.Channels() != 0 {
		t.Errorf("%d channels still hold answers once every answer was sent", a.held.Channels())
	}
}

// TestPacedWaitsHoldNoOutboundSlot has more channels than the adapter has
// outbound slots each wait for its turn within Slack's posting limit: a
// post in another channel still goes at once.
func TestPacedWaitsHoldNoOutboundSlot(t *testing.T) {
	srv := slacktest.NewServer(t)
	clock := newTestClock()
	a := idleAdapter(t, srv, func(o *Options) { o.Clock = clock })
	busy := maxSenders + 8
	for c := range busy {
		for i := range 3 { // a burst (of two, with the margin), and one that waits a second
			if err := a.deliver(t.Context(), destination{channel: fmt.Sprintf("CB%03d", c)}, bot.Reply{Text: fmt.Sprintf("post %d", i)}, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	bottest.WaitFor(t, "every busy channel's third post waiting for its turn", func() bool { return clock.Timers() == busy })
	if err := a.deliver(t.Context(), destination{channel: "CQUIET"}, bot.Reply{Text: "elsewhere"}, false); err != nil {
		t.Fatal(err)
	}
	bottest.WaitFor(t, "the post in a quiet channel, the clock standing still", func() bool {
		for _, c := range srv.Posts() {
			if c.Form.Get("channel") == "CQUIET" {
				return true
			}
		}
		return false
	})
	clock.Advance(time.Second)
	if err := a.out.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
}

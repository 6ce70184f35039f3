package discord

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/pace"
)

// throttled starts an adapter against a fake that enforces Discord's
// documented limits, both on one manual clock the test moves.
func throttled(t *testing.T) (*harness, *bot.ManualClock) {
	clock := bot.NewManualClock(time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC))
	h := start(t, func(o *Options, _ *harness) { o.Clock = clock })
	limits := discordtest.DocumentedLimits()
	limits.Clock = clock
	h.f.Throttle(limits)
	return h, clock
}

// answeredOnce checks that each member was answered once, in the channel
// or privately, and returns the answers' counts.
func answeredOnce(t *testing.T, members []discordtest.Member, counts func() (public, private map[string]int)) (public, private map[string]int) {
	t.Helper()
	public, private = counts()
	for _, m := range members {
		if public[m.ID]+private[m.ID] != 1 {
			t.Errorf("%s answered %d times in the channel and %d privately, want once", m.Name, public[m.ID], private[m.ID])
		}
	}
	return public, private
}

// burst has n members mention the bot in general, one question each,
// their IDs starting with prefix, and returns them with a count of the
// answers each can see: replies to their question in the channel, and
// messages in their direct messages that answer it.
func burst(h *harness, prefix string, n int) ([]discordtest.Member, func() (public, private map[string]int)) {
	members := make([]discordtest.Member, n)
	asked := map[string]string{} // question message ID → member ID
	for i := range members {
		members[i] = discordtest.Member{ID: fmt.Sprintf("%s%04d", prefix, i), Name: fmt.Sprintf("m%d", i), Roles: []string{discordtest.MemberRoleID}}
		q := h.f.ChannelMessage(members[i], general, fmt.Sprintf("<@%s> question %04d", discordtest.BotID, i), discordtest.BotID)
		asked[q] = members[i].ID
	}
	return members, func() (public, private map[string]int) {
		public, private = map[string]int{}, map[string]int{}
		for _, m := range h.f.ChannelMessages(general) {
			if who, ok := asked[m.ReplyTo]; ok {
				public[who]++
			}
		}
		for i, who := range members {
			for _, m := range h.f.ChannelMessages(h.f.DMChannel(who.ID)) {
				if strings.Contains(m.Content, fmt.Sprintf("question %04d", i)) {
					private[who.ID]++
				}
			}
		}
		return public, private
	}
}

// TestBusyChannelAnswersInDirectMessagesWithinDiscordsLimits is the burst
// of mentions in one channel against a Discord that enforces its
// documented limits, on one clock that the test moves while messages wait
// their turn: a few members are answered in the channel, a second apart,
// the rest in their direct messages, saying why; everyone once, and
// Discord never has to refuse a request.
func TestBusyChannelAnswersInDirectMessagesWithinDiscordsLimits(t *testing.T) {
	t.Parallel()
	const n = 30
	h, clock := throttled(t)
	members, counts := burst(h, "91000000000000", n)
	bottest.WaitFor(t, "every member answered, with the clock moving while messages wait", func() bool {
		if clock.Timers() > 0 {
			clock.Advance(100 * time.Millisecond)
		}
		pub, priv := counts()
		return len(pub)+len(priv) == n
	})
	h.stop()
	pub, _ := answeredOnce(t, members, counts)
	if len(pub) == 0 || len(pub) > n/2 {
		t.Errorf("%d of %d answers in the channel; want the first few, no more than 3 s behind", len(pub), n)
	}
	for _, m := range members {
		for _, msg := range h.f.ChannelMessages(h.f.DMChannel(m.ID)) {
			if !strings.HasPrefix(msg.Content, pace.BusyNote) {
				t.Errorf("private answer %q does not say why it is private", msg.Content)
			}
		}
	}
	if r := h.f.RateLimited(); r != 0 {
		t.Errorf("Discord refused %d requests; the adapter should keep within its limits", r)
	}
}

// TestMemberWhoseMessageIsDroppedIsToldSo fills the adapter's one handler
// slot with a message that is never done in time: the next member's
// message waits past its deadline, and they are told so privately rather
// than left waiting.
func TestMemberWhoseMessageIsDroppedIsToldSo(t *testing.T) {
	t.Parallel()
	release, holding := make(chan struct{}), make(chan struct{})
	h := start(t, func(o *Options, h *harness) {
		o.MaxConcurrent, o.HandlerTimeout = 1, 500*time.Millisecond
		h.router.Register(bottest.Command("hold", func(context.Context, bot.ResponseWriter, *bot.Request) error {
			close(holding)
			<-release
			return nil
		}))
	})
	defer close(release)
	mention := "<@" + discordtest.BotID + "> "
	h.f.ChannelMessage(bob, general, mention+"/hold", discordtest.BotID)
	// Events are handled concurrently: alice's message is sent only once
	// bob's holds the one slot, so that hers is the one that waits.
	bottest.WaitFor(t, "bob's message holding the slot", func() bool {
		select {
		case <-holding:
			return true
		default:
			return false
		}
	})
	h.f.ChannelMessage(alice, general, mention+"when is the deadline?", discordtest.BotID)
	bottest.WaitFor(t, "alice told her message was dropped", func() bool {
		ch := h.f.DMChannel(alice.ID)
		ms := h.f.ChannelMessages(ch)
		return ch != "" && len(ms) == 1 && ms[0].Content == tooBusyNote
	})
}

// TestAnswersHeldUpByARetryAfterGoPrivatelyAtOnce queues answers behind
// the channel's pace, then has Discord refuse the next message with a
// long retry_after: the answers already queued go to the members' direct
// messages within pace.BusyAfter of the refusal (30 s before the channel
// is free), and each member is answered once.
func TestAnswersHeldUpByARetryAfterGoPrivatelyAtOnce(t *testing.T) {
	t.Parallel()
	const n = 3
	h, clock := throttled(t)
	members, counts := burst(h, "92000000000000", n)
	// One answer is posted; the second waits a second for its turn, the
	// third behind it.
	bottest.WaitFor(t, "one answer posted, the second waiting for its turn and the third queued", func() bool {
		pub, _ := counts()
		return len(pub) == 1 && clock.Timers() == 1 && h.a.pacer.messages.Delay(general, 0) > 0 && h.a.out.Queued(general) == 1
	})
	before, _ := counts()
	h.f.RateLimit(discordtest.RouteCreateMessage, 1, 30*time.Second)
	refused := clock.Advance(h.a.pacer.messages.Limit().Interval())
	// The clock moves only while something waits on it (the global
	// limit's spacing, on a clock that otherwise stands still).
	bottest.WaitFor(t, "the two waiting answers sent privately", func() bool {
		if _, priv := counts(); len(priv) == 2 {
			return true
		}
		if clock.Timers() > 0 && clock.Now().Sub(refused) < pace.BusyAfter {
			clock.Advance(40 * time.Millisecond)
		}
		return false
	})
	if now := clock.Now(); now.Sub(refused) > pace.BusyAfter {
		t.Fatalf("answered privately %v after the refusal", now.Sub(refused))
	}
	clock.Advance(time.Minute)
	h.stop()
	_, priv := answeredOnce(t, members, counts)
	for _, m := range members {
		if before[m.ID] == 0 && priv[m.ID] != 1 {
			t.Errorf("%s, waiting when Discord asked for 30 s, was not answered privately", m.Name)
		}
	}
	if n := h.a.pacer.held.Channels(); n != 0 {
		t.Errorf("%d channels still hold answers once every answer was sent", n)
	}
}

// TestReplayedInteractionIsHandledOnce has the gateway send a slash
// command's interaction again after it was answered: the command runs
// once, and the member sees one answer.
func TestReplayedInteractionIsHandledOnce(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	h := start(t, func(_ *Options, h *harness) {
		h.router.Register(bottest.Command("count", func(_ context.Context, w bot.ResponseWriter, _ *bot.Request) error {
			return w.Reply(context.Background(), bot.Reply{Text: fmt.Sprintf("run %d", runs.Add(1))})
		}))
	})
	id := h.f.Slash(alice, general, "count")
	h.answer(id)
	if !h.f.ReplayInteraction(id) {
		t.Fatal("the fake could not replay the interaction")
	}
	bottest.WaitFor(t, "the replay recognised", func() bool {
		return strings.Contains(h.logs.String(), "interaction received again")
	})
	h.answer(h.f.Slash(alice, general, "count"))
	if n := runs.Load(); n != 2 {
		t.Errorf("the command ran %d times for two interactions, one replayed", n)
	}
	if n := len(h.f.InteractionMessages(id)); n != 1 {
		t.Errorf("the replayed interaction has %d answers, want 1", n)
	}
}

func TestRecentIDsForgetTheOldestBeyondTheirBound(t *testing.T) {
	var r recentIDs
	if !r.first("1") || r.first("1") {
		t.Fatal("a repeat of a recent ID was not caught")
	}
	for i := range recentInteractions {
		r.first(fmt.Sprint("x", i))
	}
	if !r.first("1") {
		t.Error("the oldest ID is still remembered beyond the bound")
	}
	if len(r.set) > recentInteractions || len(r.ring) > recentInteractions {
		t.Errorf("%d IDs remembered, %d in the ring; want at most %d", len(r.set), len(r.ring), recentInteractions)
	}
	if !r.first("") || !r.first("") {
		t.Error("an empty ID was dropped")
	}
}

package slack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// TestCardsInSeveralChannelsStayExactWithinTheirTier votes on one poll
// shown in four channels, four clicks a second for a minute, against a
// Slack that enforces chat.update's tier (50 a minute across the
// workspace) on a clock the test moves. The edits are spaced to the tier,
// so Slack refuses none; and within 5 s of the last click every card
// shows the exact tally.
func TestCardsInSeveralChannelsStayExactWithinTheirTier(t *testing.T) {
	tb := newTestBot()
	srv, clock, _ := throttledAdapter(t, tb, nil)
	channels := []string{"C1", "C2", "C3", "C4"}
	cards := map[string]slacktest.Call{}
	for _, ch := range channels {
		srv.SendSlashCommand("show-"+ch, "/poll", "show", "USTEWARD", ch)
		bottest.WaitFor(t, "the poll card in "+ch, func() bool { return len(srv.Posts()) == len(cards)+1 })
		cards[ch] = srv.Posts()[len(cards)]
	}
	tally := make([]int, len(pollOptions))
	votes := 0
	for round := range 60 {
		for i, ch := range channels {
			opt := (round+i)%len(pollOptions) + 1
			tally[opt-1]++
			votes++
			srv.SendClick(fmt.Sprintf("click-%d-%s", round, ch), fmt.Sprintf("U%04d", votes), ch, cards[ch].TS, cards[ch].Blocks(), voteButton(t, cards[ch].Blocks(), opt))
		}
		bottest.WaitFor(t, "the round's votes counted", func() bool {
			tb.mu.Lock()
			defer tb.mu.Unlock()
			return len(tb.votes) == votes
		})
		clock.Advance(time.Second)
	}
	want := []string{fmt.Sprintf("%d votes", votes)}
	for i, label := range pollOptions {
		want = append(want, fmt.Sprintf("%s: %d", label, tally[i]))
	}
	exact := func() bool {
		for _, ch := range channels {
			var last string
			for _, u := range srv.Updates() {
				if u.Err == "" && u.Form.Get("channel") == ch {
					last = u.Text()
				}
			}
			for _, w := range want {
				if !strings.Contains(last, w) {
					return false
				}
			}
		}
		return true
	}
	var waited time.Duration
	for !exact() {
		if waited > 5*time.Second {
			t.Fatalf("cards not exact %v after the last click; updates: %d", waited, len(srv.Updates()))
		}
		bottest.WaitFor(t, "every card exact, or an edit waiting for the clock", func() bool { return exact() || clock.Timers() > 0 })
		if !exact() {
			clock.Advance(250 * time.Millisecond)
			waited += 250 * time.Millisecond
		}
	}
	if r := srv.RateLimited(); r != 0 {
		t.Errorf("Slack refused %d calls; card edits should keep within chat.update's tier", r)
	}
	if n := len(srv.Updates()); n > 50+60*50/60+5 {
		t.Errorf("%d chat.update calls in about a minute; the tier allows a burst of 50 and 50 a minute", n)
	}
}

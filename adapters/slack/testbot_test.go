package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// testBot is a real bot.Router with small in-test handlers: a fallback
// that echoes questions, /poll show (a poll card), /poll list (a private
// reply), /vote (one vote per member, a private confirmation and a card
// update), and /remind (echoes privately). It records every request.
type testBot struct {
	*bot.Router

	mu      sync.Mutex
	reqs    []bot.Request
	votes   map[string]int // member → option
	release chan struct{}  // when set, handlers wait for it to close
}

var pollOptions = []string{"Yes", "No", "Abstain"}

func newTestBot() *testBot {
	tb := &testBot{votes: map[string]int{}}
	tb.Router = bot.NewRouter(bot.StewardSet{"slack:USTEWARD": true}, bottest.DiscardLogger())
	tb.Router.Fallback(bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
		tb.record(r)
		return w.Reply(ctx, bot.Reply{Text: "You asked: " + r.Raw, Thread: r.Thread})
	}))
	tb.Router.Register(bottest.Command("poll", func(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
		tb.record(r)
		switch r.Raw {
		case "show":
			tb.mu.Lock()
			c := tb.cardLocked()
			tb.mu.Unlock()
			return w.Reply(ctx, bot.Reply{Text: "Poll 1 is open.", Card: &c, Thread: r.Thread})
		case "list":
			return w.Reply(ctx, bot.Reply{Text: "No open polls in this channel.", Private: true})
		case "export":
			return w.Reply(ctx, bot.Reply{Private: true, File: &bot.File{Name: "poll-1.csv", ContentType: "text/csv", Data: []byte("option,votes\nYes,3\nNo,1\n")}})
		case "whoami":
			return w.Reply(ctx, bot.Reply{Text: fmt.Sprintf("steward=%v", r.Steward), Private: true})
		}
		return bot.Errorf(bot.EINVALID, "unknown poll subcommand")
	}))
	tb.Router.Register(bottest.Command("vote", tb.vote))
	remind := bottest.Command("remind", func(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
		tb.record(r)
		return w.Reply(ctx, bot.Reply{Text: "remind " + r.Raw, Private: true})
	})
	remind.Aliases = []string{"reminders"} // as Slack registers it
	tb.Router.Register(remind)
	return tb
}

// holdHandlers makes tb's handlers wait, from now on, until release is
// called: what a platform sees then, it saw before a handler finished.
func (tb *testBot) holdHandlers() (release func()) {
	ch := make(chan struct{})
	tb.mu.Lock()
	tb.release = ch
	tb.mu.Unlock()
	return func() { close(ch) }
}

func (tb *testBot) record(r *bot.Request) {
	tb.mu.Lock()
	tb.reqs = append(tb.reqs, *r)
	release := tb.release
	tb.mu.Unlock()
	if release != nil {
		<-release
	}
}

// requests returns the requests handled so far.
func (tb *testBot) requests() []bot.Request {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]bot.Request(nil), tb.reqs...)
}

// cardLocked renders the poll with its current tally.
func (tb *testBot) cardLocked() bot.Card {
	counts := make([]int, len(pollOptions))
	for _, o := range tb.votes {
		counts[o-1]++
	}
	var body strings.Builder
	var buttons []bot.Button
	total := 0
	for i, label := range pollOptions {
		fmt.Fprintf(&body, "%s: %d\n", label, counts[i])
		buttons = append(buttons, bot.Button{Label: label, Action: "vote", Value: fmt.Sprintf("1 %d", i+1), Style: bot.StylePrimary})
		total += counts[i]
	}
	return bot.Card{Key: "poll:1", Title: "Ratify the agreement?", Body: strings.TrimSpace(body.String()), Buttons: buttons, Footer: fmt.Sprintf("%d votes", total),
		Poll: &bot.PollView{ID: "1", Question: "Ratify the agreement?"}}
}

func (tb *testBot) vote(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	tb.record(r)
	args := r.Positional()
	if len(args) != 2 || args[0].Text != "1" {
		return bot.Errorf(bot.EINVALID, "Say which poll and option, e.g. /vote 1 2.")
	}
	opt, err := strconv.Atoi(args[1].Text)
	if err != nil || opt < 1 || opt > len(pollOptions) {
		return bot.Errorf(bot.EINVALID, "There is no option %s.", args[1].Text)
	}
	tb.mu.Lock()
	tb.votes[r.User.ID] = opt
	c := tb.cardLocked()
	tb.mu.Unlock()
	if err := w.Reply(ctx, bot.Reply{Text: "Your vote for " + pollOptions[opt-1] + " is recorded.", Private: true}); err != nil {
		return err
	}
	return w.UpdateCard(ctx, c)
}

// botReplyWithCard is the reply /poll show gives.
func botReplyWithCard(c bot.Card) bot.Reply {
	return bot.Reply{Text: "Poll 1 is open.", Card: &c}
}

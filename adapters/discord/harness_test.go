package discord

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// Channels and people the tests use.
const (
	general = "800000000000000001"
	other   = "800000000000000002"
)

var (
	steward  = discordtest.Member{ID: "900000000000000001", Name: "sam", Roles: []string{discordtest.MemberRoleID, discordtest.StewardRoleID}}
	alice    = discordtest.Member{ID: "900000000000000002", Name: "alice", Roles: []string{discordtest.MemberRoleID}}
	bob      = discordtest.Member{ID: "900000000000000003", Name: "bob"}
	stranger = discordtest.Member{ID: "900000000000000004", Name: "eve"}
)

// harness runs a real Adapter against a fake Discord with a real
// bot.Router.
type harness struct {
	t      testing.TB
	f      *discordtest.Server
	a      *Adapter
	ad     bot.Adapter
	router *bot.Router
	polls  *testPolls
	// units lists the units that /unit suggests while a member types.
	units func() []string
	logs  *bottest.LogBuffer
	opts  Options
	// run is the adapter's Run while it runs.
	run *bottest.Running[error]
}

// start connects an adapter to a new fake Discord and waits until its
// commands are registered. Options may be adjusted by the callers.
func start(t testing.TB, adjust ...func(*Options, *harness)) *harness {
	t.Helper()
	f := discordtest.NewServer(t)
	h := &harness{t: t, f: f, logs: &bottest.LogBuffer{}, polls: &testPolls{polls: map[int]*testPoll{}}}
	log := h.logs.Logger()
	h.router = bot.NewRouter(bot.StewardSet{}, log)
	h.units = func() []string { return []string{"SEIU 1199", "State Police", "AFSCME Council 4", "CEUI", "Statewide"} }
	h.polls.register(h.router)
	registerFAQ(h.router)
	h.router.Register(bot.Command{Name: "unit", Summary: "your unit", Forms: []bot.Form{{
		Summary: "say which unit you are in",
		Args:    []bot.Arg{{Name: "name", Summary: "Your unit", Kind: bot.KindText, Complete: func() []string { return h.units() }}},
		Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
			return w.Reply(ctx, bot.Reply{Private: true, Text: "You are in " + req.Arg("name") + "."})
		}),
	}}})
	opts := Options{
		Token:       f.Token(),
		GuildID:     discordtest.GuildID,
		APIURL:      f.URL(),
		HTTPClient:  f.Client(),
		StewardRole: discordtest.StewardRoleName,
		Logger:      log,
		// Generous, so the tests' trivial handlers always answer directly
		// even on a busy machine; TestSlowCommandIsDeferredThenAnswered
		// covers deferral.
		AckAfter: 2 * time.Second,
	}
	for _, fn := range adjust {
		fn(&opts, h)
	}
	cmds, err := NewSlashCommands(h.router.Commands())
	if err != nil {
		t.Fatal(err)
	}
	opts.Commands = cmds
	h.opts = opts
	t.Cleanup(h.stop)
	h.launch()
	return h
}

// launch starts an adapter with h.opts and waits until it has registered
// its commands.
func (h *harness) launch() {
	h.t.Helper()
	ad, err := New(h.opts)
	if err != nil {
		h.t.Fatal(err)
	}
	h.ad = ad
	switch x := ad.(type) {
	case *Adapter:
		h.a = x
	case announcingAdapter:
		h.a = x.Adapter
	case directoryAdapter:
		h.a = x.Adapter
	case announcingDirectoryAdapter:
		h.a = x.Adapter
	}
	before := len(h.f.Overwrites())
	h.run = bottest.Start(h.t, func(ctx context.Context) error { return ad.Run(ctx, h.router) })
	bottest.WaitFor(h.t, "slash command registration", func() bool { return len(h.f.Overwrites()) > before })
}

// restart stops the adapter and starts a new one, as a restarted process
// would, with the same fake Discord and the same features.
func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.launch()
}

// stop shuts the adapter down and checks the session's invariants: no
// protocol violation, every interaction acknowledged once, no token in
// the logs.
func (h *harness) stop() {
	h.t.Helper()
	if h.run == nil {
		return
	}
	if err := h.run.Stop(); err != nil {
		h.t.Errorf("Run returned %v", err)
	}
	h.run = nil
	if h.t.Failed() {
		h.t.Logf("adapter logs:\n%s", h.logs.String())
	}
	h.f.Verify(h.t)
	logs := h.logs.String()
	for _, secret := range h.f.Secrets() {
		if strings.Contains(logs, secret) {
			h.t.Errorf("a token appears in the logs")
		}
	}
}

// answer waits for the message that answers a slash command, wherever it
// landed: the response itself, or, for a public reply to a deferred
// command, the follow-up after the placeholder.
func (h *harness) answer(id string) discordtest.Message {
	h.t.Helper()
	return h.f.WaitReply(id, "the answer to interaction "+id, func(m discordtest.Message) bool { return m.Content != postedNote })
}

// card returns message id as it is now.
func (h *harness) card(id string) discordtest.Message {
	h.t.Helper()
	m, ok := h.f.Message(id)
	if !ok {
		h.t.Fatalf("no message %s", id)
	}
	return m
}

// waitCard waits until message id shows a card whose description
// contains text.
func (h *harness) waitCard(id, text string) discordtest.Message {
	h.t.Helper()
	return h.f.WaitMessage(id, fmt.Sprintf("the card to show %q", text), func(m discordtest.Message) bool {
		return m.Edits > 0 && strings.Contains(m.Embed().Description, text)
	})
}

// cardMessage waits for the public message in channel that shows the card
// titled title.
func (h *harness) cardMessage(channel, title string) discordtest.Message {
	h.t.Helper()
	return h.f.WaitChannelMessage(channel, "card "+title, func(m discordtest.Message) bool {
		return !m.Ephemeral() && !m.Deferred && m.Embed().Title == escapeMarkdown(title)
	})
}

// registerFAQ adds a small FAQ: /faq and free-text questions get a fixed
// answer that quotes the question back (to check escaping).
func registerFAQ(r *bot.Router) {
	answer := bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
		q := strings.TrimSpace(req.Raw)
		if q == "" || strings.EqualFold(q, "topics") {
			return w.Reply(ctx, bot.Reply{Text: "Topics: wages, pension, ratification", Private: true})
		}
		text := "You asked: " + q + "\n"
		if strings.Contains(strings.ToLower(q), "deadline") {
			text += "The ratification deadline is Aug. 31."
		} else {
			text += "I don't know that one yet."
		}
		return w.Reply(ctx, bot.Reply{Text: text, Thread: req.Thread})
	})
	r.Register(bot.Command{Name: "faq", Summary: "answer a question", Forms: []bot.Form{{
		Name: "ask", Implicit: true, Summary: "answer a question", Handler: answer,
		Args: []bot.Arg{{Name: "question", Summary: "Your question", Kind: bot.KindText}},
	}}})
	r.Fallback(answer)
}

// testPolls is a tiny poll feature: stewards open polls, members vote with
// buttons, and the card is updated after each vote.
type testPolls struct {
	mu    sync.Mutex
	polls map[int]*testPoll
	next  int
	lines []string // command lines received, for assertions
}

type testPoll struct {
	id       int
	question string
	options  []string
	votes    []int
	voters   map[string]int
	flags    bot.Flags
}

func (p *testPoll) card() bot.Card {
	var body strings.Builder
	total := 0
	for i, o := range p.options {
		fmt.Fprintf(&body, "%d. %s: %d\n", i+1, o, p.votes[i])
		total += p.votes[i]
	}
	c := bot.Card{Key: "poll:" + strconv.Itoa(p.id), Title: p.question, Body: body.String(), Footer: fmt.Sprintf("Poll %d · %d votes", p.id, total),
		Poll: &bot.PollView{ID: strconv.Itoa(p.id), Question: p.question}}
	for i, o := range p.options {
		c.Buttons = append(c.Buttons, bot.Button{Label: o, Action: "vote", Value: fmt.Sprintf("%d %d", p.id, i+1)})
	}
	return c
}

func (tp *testPolls) register(r *bot.Router) {
	pollNumber := bot.Arg{Name: "poll", Summary: "The poll's number", Kind: bot.KindInt, Required: true}
	switches := []bot.Arg{}
	for _, f := range []string{"anonymous", "hidden", "multi"} {
		switches = append(switches, bot.Arg{Name: f, Summary: f, Flag: true, Kind: bot.KindSwitch})
	}
	r.Register(bot.Command{Name: "poll", Summary: "polls", ChannelOnly: true, Forms: []bot.Form{
		{
			Name: "open", Implicit: true, Custom: true, Steward: "open a poll", Summary: "open a poll",
			Args: append([]bot.Arg{
				{Name: "question", Summary: "The question", Required: true},
				{Name: "options", Summary: "The choices", Required: true, Repeated: true},
				{Name: "max", Summary: "max", Flag: true, Kind: bot.KindInt},
				{Name: "closes", Summary: "closes", Flag: true, Kind: bot.KindTime},
				{Name: "rule", Summary: "rule", Flag: true, Kind: bot.KindChoice, Choices: []string{"majority", "two-thirds", "coalition"}},
			}, switches...),
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
				tp.mu.Lock()
				tp.lines = append(tp.lines, req.Text)
				tp.mu.Unlock()
				pos, flags := req.Positional(), bot.Flags{}
				for _, f := range []string{"anonymous", "hidden", "multi", "max", "closes", "rule"} {
					if req.Has(f) {
						flags[f] = req.Arg(f)
					}
				}
				if len(pos) < 3 {
					return bot.Errorf(bot.EINVALID, "A poll needs a question and at least two options.")
				}
				tp.mu.Lock()
				tp.next++
				p := &testPoll{id: tp.next, question: pos[0].Text, voters: map[string]int{}, flags: flags}
				for _, o := range pos[1:] {
					p.options = append(p.options, o.Text)
				}
				p.votes = make([]int, len(p.options))
				tp.polls[p.id] = p
				c := p.card()
				tp.mu.Unlock()
				return w.Reply(ctx, bot.Reply{Card: &c})
			}),
		},
		{
			Name: "export", Steward: "export a poll", Summary: "export a poll", Args: []bot.Arg{pollNumber},
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
				tp.mu.Lock()
				tp.lines = append(tp.lines, req.Text)
				tp.mu.Unlock()
				id := req.Arg("poll")
				return w.Reply(ctx, bot.Reply{Private: true, Text: "Poll " + id + " results attached.",
					File: &bot.File{Name: "poll-" + id + ".csv", ContentType: "text/csv", Data: []byte("option,votes\nYes,1\n")}})
			}),
		},
	}})
	r.Register(bot.Command{Name: "vote", Summary: "vote", ChannelOnly: true, Forms: []bot.Form{{
		Summary: "vote", Custom: true,
		Args: []bot.Arg{pollNumber, {Name: "option", Summary: "The option", Required: true}},
		Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
			toks := req.Positional()
			if len(toks) != 2 {
				return bot.Errorf(bot.EINVALID, "Say which poll and which option.")
			}
			id, _ := strconv.Atoi(toks[0].Text)
			tp.mu.Lock()
			defer tp.mu.Unlock()
			p, ok := tp.polls[id]
			if !ok {
				return bot.Errorf(bot.ENOTFOUND, "There is no poll %s.", toks[0].Text)
			}
			n, err := strconv.Atoi(toks[1].Text)
			if err != nil {
				for i, o := range p.options {
					if strings.EqualFold(o, toks[1].Text) {
						n = i + 1
					}
				}
			}
			if n < 1 || n > len(p.options) {
				return bot.Errorf(bot.EINVALID, "Poll %d has no option %s.", id, toks[1].Text)
			}
			if prev, ok := p.voters[req.User.ID]; ok {
				p.votes[prev-1]--
			}
			p.voters[req.User.ID] = n
			p.votes[n-1]++
			// The card is updated in tally order: computed and queued
			// under the poll's lock.
			if err := w.UpdateCard(ctx, p.card()); err != nil {
				return err
			}
			return w.Reply(ctx, bot.Reply{Private: true, Text: fmt.Sprintf("Your vote for %s in poll %d is recorded.", p.options[n-1], id)})
		}),
	}}})
}

func (tp *testPolls) poll(id int) testPoll {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	p := *tp.polls[id]
	p.votes = append([]int(nil), p.votes...)
	return p
}

// openPoll has the steward open a poll with a slash command and returns
// the posted card.
func (h *harness) openPoll(question, options string) discordtest.Message {
	h.t.Helper()
	h.f.WaitAck(h.f.Slash(steward, general, "poll", s("open", o("question", question), o("options", options))))
	return h.cardMessage(general, question)
}

// o and s build slash command options and subcommands, as Discord sends
// them.
var (
	o = discordtest.Opt
	s = discordtest.Sub
)

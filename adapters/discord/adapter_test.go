package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

func TestRegistersCommandsWithLeastIntents(t *testing.T) {
	t.Parallel()
	h := start(t)
	f := h.f
	f.waitFor("a heartbeat", func() bool { return f.heartbeats > 0 })
	f.with(func() {
		if want := int64(discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages); f.intents != want {
			t.Errorf("identify intents = %d, want %d (guild messages and direct messages only)", f.intents, want)
		}
		cmds := f.commands[f.guildID]
		if len(f.commands["global"]) != 0 {
			t.Errorf("commands registered globally although a guild is configured")
		}
		perms := map[string]any{}
		for _, c := range cmds {
			perms[c["name"].(string)] = c["default_member_permissions"]
		}
		// Commands with only stewards' forms carry Manage Messages as their
		// default permission; the rest none.
		want := map[string]any{"faq": nil, "unit": nil, "vote": nil, "help": nil, "poll": "8192"}
		if len(perms) != len(want) {
			t.Errorf("registered %v, want %v", perms, want)
		}
		for name, p := range want {
			if got, ok := perms[name]; !ok || got != p {
				t.Errorf("command /%s: registered %v, default permission %v (want %v)", name, ok, got, p)
			}
		}
	})
}

func TestRegistersGloballyWithoutGuild(t *testing.T) {
	t.Parallel()
	h := start(t, func(o *Options, _ *harness) { o.GuildID = "" })
	h.f.with(func() {
		if want := len(h.opts.Commands.Definitions()); want == 0 || len(h.f.commands["global"]) != want || len(h.f.commands[h.f.guildID]) != 0 {
			t.Errorf("global commands %d, guild commands %d; want every command global", len(h.f.commands["global"]), len(h.f.commands[h.f.guildID]))
		}
	})
}

func TestSlashFAQAnswersInChannelWithEscaping(t *testing.T) {
	t.Parallel()
	h := start(t)
	in := h.f.slash(alice, general, "faq", opt3("question", "When is the **deadline**? @everyone <@123> [x](http://evil)"))
	m := h.answer(in)
	h.f.with(func() {
		if in.AckType != 4 || in.AckFlags != 0 {
			t.Errorf("ack type %d flags %d, want a direct public answer (type 4)", in.AckType, in.AckFlags)
		}
	})
	want := `You asked: When is the \*\*deadline\*\*? @` + "\u200b" + `everyone \<@123> \[x\](http://evil)`
	if m.ephemeral() || !strings.Contains(m.Content, want) || !strings.Contains(m.Content, "Aug. 31") {
		t.Errorf("answer = %+v, want it public, containing %q and the answer", m, want)
	}
	// An empty question lists the topics, privately.
	in = h.f.slash(alice, general, "faq")
	if m := h.answer(in); !m.ephemeral() || !strings.Contains(m.Content, "Topics:") {
		t.Errorf("/faq without a question: %+v", m)
	}
}

func TestPollByStewardRoleAndRefusedForMember(t *testing.T) {
	t.Parallel()
	h := start(t)
	in := h.f.slash(steward, general, "poll", sub("open",
		opt3("question", `Ratify the "SEBAC" deal?`),
		opt3("options", "Yes | No --hidden | Not sure"),
		opt3("closes", "in 2h"),
		opt3("rule", "two-thirds"),
		opt3("anonymous", true)))
	h.waitAck(in)
	card := h.cardMessage(general, `Ratify the "SEBAC" deal?`)
	if got, want := card.customIDs(), []string{"/vote 1 1", "/vote 1 2", "/vote 1 3"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("buttons = %v, want %v", got, want)
	}
	p := h.polls.poll(1)
	if strings.Join(p.options, "|") != "Yes|No --hidden|Not sure" || p.question != `Ratify the "SEBAC" deal?` {
		t.Errorf("poll parsed as %q %q", p.question, p.options)
	}
	if p.flags["closes"] != "in 2h" || p.flags["rule"] != "two-thirds" || !p.flags.Has("anonymous") || p.flags.Has("hidden") {
		t.Errorf("flags = %v", p.flags)
	}

	// A member without the steward role is refused, privately, and no
	// poll is opened.
	in = h.f.slash(alice, general, "poll", sub("open", opt3("question", "Strike?"), opt3("options", "Yes;No")))
	if m := h.answer(in); !m.ephemeral() || !strings.Contains(m.Content, "Only stewards can open a poll") {
		t.Errorf("member's /poll answered with %+v", m)
	}
	h.polls.mu.Lock()
	if h.polls.next != 1 {
		t.Errorf("%d polls opened, want 1", h.polls.next)
	}
	h.polls.mu.Unlock()
	// A single option is refused by the adapter with Discord's syntax.
	in = h.f.slash(steward, general, "poll", sub("open", opt3("question", "Strike?"), opt3("options", "Yes")))
	if m := h.answer(in); !m.ephemeral() || !strings.Contains(m.Content, "at least two options") {
		t.Errorf("one-option poll answered with %+v", m)
	}
	h.f.with(func() {
		if h.f.roleFetches != 1 {
			t.Errorf("server roles fetched %d times, want 1 (cached)", h.f.roleFetches)
		}
	})
}

func TestStewardRoleByID(t *testing.T) {
	t.Parallel()
	h := start(t, func(o *Options, _ *harness) { o.StewardRole = stewardRoleID })
	card := h.openPoll("Strike?", "Yes;No")
	if card == nil {
		t.Fatal("no card")
	}
	h.f.with(func() {
		if h.f.roleFetches != 0 {
			t.Errorf("roles fetched %d times for a role given by ID", h.f.roleFetches)
		}
	})
}

func TestButtonVoteEditsCard(t *testing.T) {
	t.Parallel()
	h := start(t)
	card := h.openPoll("Strike?", "Yes | No")
	in := h.f.click(alice, card, "/vote 1 1")
	h.waitAck(in)
	h.f.waitFor("the card edit and the confirmation", func() bool {
		return card.Edits > 0 && strings.Contains(card.Embeds[0].Description, "Yes: 1") && len(in.Followups) == 1
	})
	h.f.with(func() {
		if in.AckType != 6 {
			t.Errorf("button acknowledged with type %d, want 6 (deferred update)", in.AckType)
		}
		conf := h.f.messages[in.Followups[0]]
		if !conf.ephemeral() || !strings.Contains(conf.Content, "Your vote for Yes in poll 1 is recorded") {
			t.Errorf("confirmation = %+v", conf)
		}
		if got := card.customIDs(); len(got) != 2 {
			t.Errorf("edited card lost its buttons: %v", got)
		}
	})
}

func TestCardPostedBeforeRestartIsUpdatedAfterAClick(t *testing.T) {
	t.Parallel()
	h := start(t)
	card := h.openPoll("Strike?", "Yes | No")
	// The restarted adapter has never seen the card.
	h.restart()
	if refs := h.a.cards.refs("poll:1"); len(refs) != 0 {
		t.Fatalf("a new adapter knows the card: %v", refs)
	}
	in := h.f.click(bob, card, "/vote 1 2")
	h.waitAck(in)
	h.f.waitFor("the card edit", func() bool { return card.Edits > 0 && strings.Contains(card.Embeds[0].Description, "No: 1") })
	// Now typed votes update it too.
	h.polls.mu.Lock()
	c := h.polls.polls[1].card()
	h.polls.mu.Unlock()
	c.Body = "updated"
	if err := h.ad.UpdateCard(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	h.f.waitFor("the second edit", func() bool { return card.Embeds[0].Description == "updated" })
}

func TestDirectMessageAndMentionQuestions(t *testing.T) {
	t.Parallel()
	h := start(t)
	dm := "810000000000000001"
	h.f.message(alice, dm, "when is the deadline?", false)
	var answer *fakeMessage
	h.f.waitFor("the DM answer", func() bool {
		ms := h.f.channelMessagesLocked(dm)
		if len(ms) > 0 {
			answer = ms[0]
		}
		return answer != nil
	})
	if !strings.Contains(answer.Content, "Aug. 31") {
		t.Errorf("DM answer = %q", answer.Content)
	}
	// A mention in a server channel is answered there, as a reply.
	q := h.f.message(bob, other, "<@"+h.f.botID+"> what about the deadline?", true, h.f.botID)
	h.f.waitFor("the mention answer", func() bool {
		ms := h.f.channelMessagesLocked(other)
		return len(ms) == 1 && ms[0].ReplyTo == q && strings.Contains(ms[0].Content, "You asked: what about the deadline?")
	})
	// A server message that does not mention the bot is not answered.
	h.f.message(bob, other, "the deadline is near", true)
	h.f.message(bob, other, "<@"+h.f.botID+">", true, h.f.botID)
	h.f.waitFor("the hint for an empty mention", func() bool {
		ms := h.f.channelMessagesLocked(other)
		return len(ms) >= 2 && strings.Contains(ms[len(ms)-1].Content, "Ask me a question")
	})
	h.stop() // waits for every event in progress
	if ms := h.f.channelMessages(other); len(ms) != 2 {
		t.Errorf("%d messages in the channel, want 2 (the message without a mention is not answered)", len(ms))
	}
}

func TestPrivateReplyToMentionGoesToDM(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.f.message(bob, other, "<@"+h.f.botID+"> topics", true, h.f.botID)
	h.f.waitFor("the private answer in DMs", func() bool {
		ch := h.f.dmChannels[bob.id]
		ms := h.f.channelMessagesLocked(ch)
		return ch != "" && len(ms) == 1 && strings.Contains(ms[0].Content, "Topics:")
	})
	// With DMs closed, the channel is told so, without the private text.
	h.f.with(func() { h.f.closedDMs[stranger.id] = true })
	h.f.message(stranger, other, "<@"+h.f.botID+"> topics", true, h.f.botID)
	h.f.waitFor("the closed-DM note", func() bool {
		ms := h.f.channelMessagesLocked(other)
		return len(ms) == 1 && strings.Contains(ms[0].Content, "direct message") && !strings.Contains(ms[0].Content, "Topics")
	})
}

func TestGatewayResumeAndReidentify(t *testing.T) {
	t.Parallel()
	h := start(t)
	f := h.f
	// A dropped connection is resumed; an event sent while it was down is
	// replayed and answered.
	f.drop()
	missed := f.slash(alice, general, "faq", opt3("question", "deadline while away?"))
	f.waitFor("a resume", func() bool { return f.resumes == 1 && f.conn != nil })
	h.waitAck(missed)
	after := f.slash(alice, general, "faq", opt3("question", "deadline after resume?"))
	h.waitAck(after)
	// A session Discord no longer knows is re-identified.
	f.with(func() { f.forgetNext = true })
	f.drop()
	f.waitFor("a new identify", func() bool { return f.identifies == 2 && f.conn != nil })
	again := f.slash(alice, general, "faq", opt3("question", "deadline after identify?"))
	h.waitAck(again)
	for _, in := range []*fakeInteraction{missed, after, again} {
		if m := h.answer(in); !strings.Contains(m.Content, "Aug. 31") {
			t.Errorf("interaction %s answered with %+v", in.ID, m)
		}
	}
	f.with(func() {
		if f.overwrites != 1 {
			t.Errorf("commands registered %d times, want once", f.overwrites)
		}
	})
}

func TestRateLimitedEditIsDeliveredWithoutStallingOthers(t *testing.T) {
	t.Parallel()
	h := start(t)
	card := h.openPoll("Strike?", "Yes | No")
	h.f.with(func() { h.f.edit429, h.f.retryAfter = 1, 1.5 })
	vote := h.f.click(alice, card, "/vote 1 1")
	h.waitAck(vote)
	h.f.waitFor("the 429", func() bool { return h.f.rateLimited == 1 })
	// While the edit waits out its rate limit, other work goes on.
	faq := h.f.slash(bob, general, "faq", opt3("question", "deadline?"))
	if err := h.ad.Send(context.Background(), bot.Destination{Channel: other}, bot.Reply{Text: "meeting at noon"}); err != nil {
		t.Fatal(err)
	}
	h.waitAck(faq)
	h.f.waitFor("the delayed edit", func() bool { return card.Edits == 1 && strings.Contains(card.Embeds[0].Description, "Yes: 1") })
	limited, _ := h.f.eventAt("429")
	edited, _ := h.f.eventAt("edit " + card.ID)
	posted, _ := h.f.eventAt("post " + other)
	acked, _ := h.f.eventAt("ack " + faq.ID)
	if !posted.Before(edited) || !acked.Before(edited) {
		t.Errorf("other work waited for the rate-limited edit: after the 429, post at %v, ack at %v, edit at %v",
			posted.Sub(limited), acked.Sub(limited), edited.Sub(limited))
	}
	if wait := edited.Sub(limited); wait < 1400*time.Millisecond {
		t.Errorf("edit retried after %v, before retry_after (1.5s)", wait)
	}
}

func TestSlowCommandIsDeferredThenAnswered(t *testing.T) {
	t.Parallel()
	release, replied := make(chan struct{}), make(chan struct{})
	h := start(t, func(o *Options, h *harness) {
		o.AckAfter = 20 * time.Millisecond
		slow := func(private bool) bot.HandlerFunc {
			return func(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
				<-release
				if private {
					return w.Reply(ctx, bot.Reply{Private: true, Text: "private result"})
				}
				c := bot.Card{Key: "slow:1", Title: "Slow card", Body: "public result"}
				defer close(replied)
				return w.Reply(ctx, bot.Reply{Text: "intro", Card: &c})
			}
		}
		for name, members := range map[string]string{"remind": "reminders", "deadline": "deadlines"} {
			h.router.Register(bot.Command{Name: name, Summary: name, MembersName: members, Forms: []bot.Form{
				{Name: "list", Implicit: true, Summary: "list", Handler: slow(name == "remind")},
				{Name: "add", Summary: "add", Steward: "add", Handler: slow(name == "remind")},
			}})
		}
	})
	private := h.f.slash(alice, general, "reminders")
	public := h.f.slash(alice, general, "deadlines")
	h.waitAck(private)
	h.waitAck(public)
	h.f.with(func() {
		for _, in := range []*fakeInteraction{private, public} {
			if in.AckType != 5 || in.AckFlags != 64 {
				t.Errorf("slow command acknowledged with type %d flags %d, want a private deferral", in.AckType, in.AckFlags)
			}
		}
	})
	close(release)
	h.f.waitFor("both answers", func() bool {
		return !h.f.messages[private.OriginalID].Deferred && len(public.Followups) == 1
	})
	h.f.with(func() {
		if m := h.f.messages[private.OriginalID]; m.Content != "private result" || !m.ephemeral() {
			t.Errorf("private answer = %+v", m)
		}
		if m := h.f.messages[public.OriginalID]; m.Content != postedNote || !m.ephemeral() {
			t.Errorf("public command's placeholder = %+v", m)
		}
		m := h.f.messages[public.Followups[0]]
		if m.ephemeral() || m.Content != "intro" || len(m.Embeds) != 1 || m.Embeds[0].Title != "Slow card" {
			t.Errorf("public answer = %+v", m)
		}
	})
	// The public card was registered and can be updated.
	<-replied
	h.ad.UpdateCard(context.Background(), bot.Card{Key: "slow:1", Title: "Slow card", Body: "changed"})
	h.f.waitFor("the card update", func() bool { return h.f.messages[public.Followups[0]].Embeds[0].Description == "changed" })
}

func TestExportIsAnEphemeralFile(t *testing.T) {
	t.Parallel()
	h := start(t)
	in := h.f.slash(steward, general, "poll", sub("export", opt3("poll", 3)))
	if m := h.answer(in); !m.ephemeral() || m.Files["poll-3.csv"] != "option,votes\nYes,1\n" {
		t.Errorf("export = %+v", m)
	}
	h.polls.mu.Lock()
	defer h.polls.mu.Unlock()
	if got := h.polls.lines; len(got) != 1 || got[0] != "/poll export 3" {
		t.Errorf("command line = %q", got)
	}
}

func TestUnitAutocomplete(t *testing.T) {
	t.Parallel()
	h := start(t)
	in := h.f.autocomplete(alice, general, "unit", "name", "st")
	h.waitAck(in)
	h.f.with(func() {
		var names []string
		for _, c := range in.Choices {
			names = append(names, c["name"].(string))
		}
		if in.AckType != 8 || strings.Join(names, ",") != "State Police,Statewide" {
			t.Errorf("autocomplete: type %d choices %v", in.AckType, names)
		}
	})
}

func TestAnnounceAndPrivateSend(t *testing.T) {
	t.Parallel()
	h := start(t, func(o *Options, _ *harness) { o.AnnounceChannel = other })
	an, ok := h.ad.(bot.Announcer)
	if !ok {
		t.Fatal("adapter with an announcement channel is not a bot.Announcer")
	}
	long := strings.Repeat("Vote by Aug. 31! ", 200) // over 2,000 characters
	if err := an.Announce(context.Background(), bot.Reply{Text: long}); err != nil {
		t.Fatal(err)
	}
	ms := h.f.channelMessages(other)
	if len(ms) != 2 || ms[0].Content+ms[1].Content == "" {
		t.Fatalf("announcement split into %d messages", len(ms))
	}
	if err := h.ad.Send(context.Background(), bot.Destination{Channel: general, User: "discord:" + bob.id}, bot.Reply{Text: "just for you", Private: true}); err != nil {
		t.Fatal(err)
	}
	if ms := h.f.channelMessages(h.f.dmChannels[bob.id]); len(ms) != 1 || ms[0].Content != "just for you" {
		t.Errorf("private send: %+v", ms)
	}
	if err := h.ad.Send(context.Background(), bot.Destination{Channel: general}, bot.Reply{Text: "x", Private: true}); err == nil {
		t.Error("a private send without a user was accepted")
	}
	if _, ok := start(t).ad.(bot.Announcer); ok {
		t.Error("adapter without an announcement channel claims to announce")
	}
}

func TestBadTokenStopsRun(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	ad, err := New(Options{Token: "wrong", APIURL: f.rest.URL, HTTPClient: f.client, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = ad.Run(ctx, bot.NewRouter(nil, discardLogger()))
	if err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Fatalf("Run with a bad token = %v, want an error naming DISCORD_TOKEN", err)
	}
}

func TestAckGate(t *testing.T) {
	var g ackGate
	// A lone click never holds back work.
	g.begin()
	if g.closed != nil {
		t.Fatal("a single click closed the gate")
	}
	g.end()
	// Two clicks awaiting acknowledgement at once are a burst.
	g.begin()
	g.begin()
	if g.closed == nil {
		t.Fatal("a burst did not close the gate")
	}
	opened := make(chan struct{})
	go func() {
		g.wait(context.Background(), time.Minute)
		close(opened)
	}()
	g.end()
	select {
	case <-opened:
		t.Fatal("the gate opened while a click was still unacknowledged")
	default:
	}
	g.end()
	select {
	case <-opened: // after the quiet period
	case <-time.After(10 * time.Second):
		t.Fatal("the gate did not open after the burst")
	}
	// Waiting is bounded.
	g.begin()
	g.begin()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g.wait(ctx, time.Minute) // returns at once: ctx is done
	g.end()
	g.end()
}

func TestPanicWhileHandlingIsContained(t *testing.T) {
	t.Parallel()
	h := start(t, func(_ *Options, h *harness) { h.units = func() []string { panic("units unavailable") } })
	in := h.f.autocomplete(alice, general, "unit", "name", "st")
	h.f.with(func() { in.NoAck = true })
	// The adapter keeps serving.
	if m := h.answer(h.f.slash(alice, general, "faq", opt3("question", "deadline?"))); !strings.Contains(m.Content, "Aug. 31") {
		t.Errorf("after a panic: %+v", m)
	}
	h.stop()
	if !strings.Contains(h.logs.String(), "panic while handling a Discord interaction") {
		t.Error("the panic was not logged")
	}
}

package discord

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

func TestRegistersCommandsWithLeastIntents(t *testing.T) {
	t.Parallel()
	h := start(t)
	bottest.WaitFor(t, "a heartbeat", func() bool { return h.f.Gateway().Heartbeats > 0 })
	if got, want := h.f.Gateway().Intents, discordgo.IntentsGuildMessages|discordgo.IntentsDirectMessages; got != want {
		t.Errorf("identify intents = %d, want %d (guild messages and direct messages only)", got, want)
	}
	if len(h.f.Commands("")) != 0 {
		t.Errorf("commands registered globally although a guild is configured")
	}
	cmds := h.f.Commands(discordtest.GuildID)
	perms := map[string]*int64{}
	for _, c := range cmds {
		perms[c.Name] = c.DefaultMemberPermissions
	}
	// Commands with only stewards' forms carry Manage Messages as their
	// default permission; the rest none.
	want := map[string]bool{"faq": false, "unit": false, "vote": false, "help": false, "poll": true}
	if len(perms) != len(want) {
		t.Errorf("registered %v, want %v", perms, want)
	}
	for name, steward := range want {
		p, ok := perms[name]
		if !ok || steward != (p != nil) || p != nil && *p != discordgo.PermissionManageMessages {
			t.Errorf("command /%s: registered %v, default permission %v (want Manage Messages: %v)", name, ok, p, steward)
		}
	}
}

func TestRegistersGloballyWithoutGuild(t *testing.T) {
	t.Parallel()
	h := start(t, func(o *Options, _ *harness) { o.GuildID = "" })
	want := len(h.opts.Commands.Definitions())
	if global, guild := len(h.f.Commands("")), len(h.f.Commands(discordtest.GuildID)); want == 0 || global != want || guild != 0 {
		t.Errorf("global commands %d, guild commands %d; want all %d global", global, guild, want)
	}
}

func TestSlashFAQAnswersInChannelWithEscaping(t *testing.T) {
	t.Parallel()
	h := start(t)
	in := h.f.Slash(alice, general, "faq", o("question", "When is the **deadline**? @everyone <@123> [x](http://evil)"))
	m := h.answer(in)
	if ack := h.f.Interaction(in); ack.AckType != discordgo.InteractionResponseChannelMessageWithSource || ack.AckFlags != 0 {
		t.Errorf("ack type %d flags %d, want a direct public answer (type 4)", ack.AckType, ack.AckFlags)
	}
	want := `You asked: When is the \*\*deadline\*\*? @` + "\u200b" + `everyone \<@123> \[x\](http://evil)`
	if m.Ephemeral() || !strings.Contains(m.Content, want) || !strings.Contains(m.Content, "Aug. 31") {
		t.Errorf("answer = %+v, want it public, containing %q and the answer", m, want)
	}
	// An empty question lists the topics, privately.
	if m := h.answer(h.f.Slash(alice, general, "faq")); !m.Ephemeral() || !strings.Contains(m.Content, "Topics:") {
		t.Errorf("/faq without a question: %+v", m)
	}
}

func TestPollByStewardRoleAndRefusedForMember(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.f.WaitAck(h.f.Slash(steward, general, "poll", s("open",
		o("question", `Ratify the "SEBAC" deal?`),
		o("options", "Yes | No --hidden | Not sure"),
		o("closes", "in 2h"),
		o("rule", "two-thirds"),
		o("anonymous", true))))
	card := h.cardMessage(general, `Ratify the "SEBAC" deal?`)
	if got, want := card.CustomIDs(), []string{"/vote 1 1", "/vote 1 2", "/vote 1 3"}; !slices.Equal(got, want) {
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
	in := h.f.Slash(alice, general, "poll", s("open", o("question", "Strike?"), o("options", "Yes;No")))
	if m := h.answer(in); !m.Ephemeral() || !strings.Contains(m.Content, "Only stewards can open a poll") {
		t.Errorf("member's /poll answered with %+v", m)
	}
	h.polls.mu.Lock()
	if h.polls.next != 1 {
		t.Errorf("%d polls opened, want 1", h.polls.next)
	}
	h.polls.mu.Unlock()
	// A single option is refused by the adapter with Discord's syntax.
	in = h.f.Slash(steward, general, "poll", s("open", o("question", "Strike?"), o("options", "Yes")))
	if m := h.answer(in); !m.Ephemeral() || !strings.Contains(m.Content, "at least two options") {
		t.Errorf("one-option poll answered with %+v", m)
	}
	if n := h.f.Count(discordtest.RouteGuildRoles); n != 1 {
		t.Errorf("server roles fetched %d times, want 1 (cached)", n)
	}
}

func TestStewardRoleByID(t *testing.T) {
	t.Parallel()
	h := start(t, func(o *Options, _ *harness) { o.StewardRole = discordtest.StewardRoleID })
	h.openPoll("Strike?", "Yes;No")
	if n := h.f.Count(discordtest.RouteGuildRoles); n != 0 {
		t.Errorf("roles fetched %d times for a role given by ID", n)
	}
}

func TestButtonVoteEditsCard(t *testing.T) {
	t.Parallel()
	h := start(t)
	card := h.openPoll("Strike?", "Yes | No")
	in := h.f.Click(alice, card.ID, "/vote 1 1")
	card = h.waitCard(card.ID, "Yes: 1")
	conf := h.f.WaitReply(in, "the confirmation", func(discordtest.Message) bool { return true })
	if ack := h.f.Interaction(in); ack.AckType != discordgo.InteractionResponseDeferredMessageUpdate || len(ack.Followups) != 1 {
		t.Errorf("button acknowledged with type %d and %d follow-ups, want type 6 (deferred update) and one", ack.AckType, len(ack.Followups))
	}
	if !conf.Ephemeral() || !strings.Contains(conf.Content, "Your vote for Yes in poll 1 is recorded") {
		t.Errorf("confirmation = %+v", conf)
	}
	if got := card.CustomIDs(); len(got) != 2 {
		t.Errorf("edited card lost its buttons: %v", got)
	}
}

func TestCardPostedBeforeRestartIsUpdatedAfterAClick(t *testing.T) {
	t.Parallel()
	h := start(t)
	card := h.openPoll("Strike?", "Yes | No")
	// The restarted adapter has never seen the card.
	h.restart()
	if refs := h.a.cards.Locations("poll:1"); len(refs) != 0 {
		t.Fatalf("a new adapter knows the card: %v", refs)
	}
	h.f.WaitAck(h.f.Click(bob, card.ID, "/vote 1 2"))
	h.waitCard(card.ID, "No: 1")
	// Now typed votes update it too.
	h.polls.mu.Lock()
	c := h.polls.polls[1].card()
	h.polls.mu.Unlock()
	c.Body = "updated"
	if err := h.ad.UpdateCard(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	h.f.WaitMessage(card.ID, "the second edit", func(m discordtest.Message) bool { return m.Embed().Description == "updated" })
}

func TestDirectMessageAndMentionQuestions(t *testing.T) {
	t.Parallel()
	h := start(t)
	dm := "810000000000000001"
	h.f.DirectMessage(alice, dm, "when is the deadline?")
	if answer := h.f.WaitChannelMessage(dm, "the DM answer", func(discordtest.Message) bool { return true }); !strings.Contains(answer.Content, "Aug. 31") {
		t.Errorf("DM answer = %q", answer.Content)
	}
	// A mention in a server channel is answered there, as a reply.
	mention := "<@" + discordtest.BotID + ">"
	q := h.f.ChannelMessage(bob, other, mention+" what about the deadline?", discordtest.BotID)
	h.waitChannel(other, "the mention answer", func(ms []discordtest.Message) bool {
		return len(ms) == 1 && ms[0].ReplyTo == q && strings.Contains(ms[0].Content, "You asked: what about the deadline?")
	})
	// A server message that does not mention the bot is not answered.
	h.f.ChannelMessage(bob, other, "the deadline is near")
	h.f.ChannelMessage(bob, other, mention, discordtest.BotID)
	h.waitChannel(other, "the hint for an empty mention", func(ms []discordtest.Message) bool {
		return len(ms) >= 2 && strings.Contains(ms[len(ms)-1].Content, "Ask me a question")
	})
	h.stop() // waits for every event in progress
	if ms := h.f.ChannelMessages(other); len(ms) != 2 {
		t.Errorf("%d messages in the channel, want 2 (the message without a mention is not answered)", len(ms))
	}
}

// waitChannel waits until the messages in channel satisfy ok.
func (h *harness) waitChannel(channel, what string, ok func([]discordtest.Message) bool) {
	h.t.Helper()
	bottest.WaitFor(h.t, what, func() bool { return ok(h.f.ChannelMessages(channel)) })
}

func TestPrivateReplyToMentionGoesToDM(t *testing.T) {
	t.Parallel()
	h := start(t)
	mention := "<@" + discordtest.BotID + "> topics"
	h.f.ChannelMessage(bob, other, mention, discordtest.BotID)
	bottest.WaitFor(t, "the private answer in DMs", func() bool {
		ch := h.f.DMChannel(bob.ID)
		ms := h.f.ChannelMessages(ch)
		return ch != "" && len(ms) == 1 && strings.Contains(ms[0].Content, "Topics:")
	})
	// With DMs closed, the channel is told so, without the private text.
	h.f.CloseDMs(stranger.ID)
	h.f.ChannelMessage(stranger, other, mention, discordtest.BotID)
	h.waitChannel(other, "the closed-DM note", func(ms []discordtest.Message) bool {
		return len(ms) == 1 && strings.Contains(ms[0].Content, "direct message") && !strings.Contains(ms[0].Content, "Topics")
	})
}

func TestGatewayResumeAndReidentify(t *testing.T) {
	t.Parallel()
	h := start(t)
	f := h.f
	// A dropped connection is resumed; an event sent while it was down is
	// replayed and answered.
	f.Drop()
	missed := f.Slash(alice, general, "faq", o("question", "deadline while away?"))
	bottest.WaitFor(t, "a resume", func() bool { g := f.Gateway(); return g.Resumes == 1 && g.Connected })
	f.WaitAck(missed)
	after := f.Slash(alice, general, "faq", o("question", "deadline after resume?"))
	f.WaitAck(after)
	// A session Discord no longer knows is re-identified.
	f.ForgetSession()
	f.Drop()
	bottest.WaitFor(t, "a new identify", func() bool { g := f.Gateway(); return g.Identifies == 2 && g.Connected })
	again := f.Slash(alice, general, "faq", o("question", "deadline after identify?"))
	for _, in := range []string{missed, after, again} {
		if m := h.answer(in); !strings.Contains(m.Content, "Aug. 31") {
			t.Errorf("interaction %s answered with %+v", in, m)
		}
	}
	if n := len(f.Overwrites()); n != 1 {
		t.Errorf("commands registered %d times, want once", n)
	}
}

func TestRateLimitedEditIsDeliveredWithoutStallingOthers(t *testing.T) {
	t.Parallel()
	h := start(t)
	card := h.openPoll("Strike?", "Yes | No")
	h.f.RateLimit(discordtest.RouteEditMessage, 1, 1500*time.Millisecond)
	h.f.WaitAck(h.f.Click(alice, card.ID, "/vote 1 1"))
	limited := func(c discordtest.Call) bool { return c.Status == http.StatusTooManyRequests }
	bottest.WaitFor(t, "the 429", func() bool { return slices.ContainsFunc(h.f.Calls(), limited) })
	// While the edit waits out its rate limit, other work goes on.
	faq := h.f.Slash(bob, general, "faq", o("question", "deadline?"))
	if err := h.ad.Send(context.Background(), bot.Destination{Channel: other}, bot.Reply{Text: "meeting at noon"}); err != nil {
		t.Fatal(err)
	}
	h.f.WaitAck(faq)
	h.f.WaitMessage(card.ID, "the delayed edit", func(m discordtest.Message) bool {
		return m.Edits == 1 && strings.Contains(m.Embed().Description, "Yes: 1")
	})
	// The fake answers a retry before retry_after with another 429, and
	// counts it a violation: one 429 means the edit waited it out.
	calls := h.f.Calls()
	limits := 0
	for _, c := range calls {
		if limited(c) {
			limits++
		}
	}
	if limits != 1 {
		t.Errorf("%d requests answered with 429, want 1", limits)
	}
	edited := slices.IndexFunc(calls, func(c discordtest.Call) bool {
		return c.Route == discordtest.RouteEditMessage && c.MessageID == card.ID && c.Status == http.StatusOK
	})
	posted := slices.IndexFunc(calls, func(c discordtest.Call) bool {
		return c.Route == discordtest.RouteCreateMessage && c.ChannelID == other
	})
	acked := slices.IndexFunc(calls, func(c discordtest.Call) bool {
		return c.Route == discordtest.RouteCallback && c.InteractionID == faq
	})
	if posted < 0 || acked < 0 || posted > edited || acked > edited {
		t.Errorf("other work waited for the rate-limited edit: in call order, post %d, ack %d, edit %d", posted, acked, edited)
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
	private := h.f.Slash(alice, general, "reminders")
	public := h.f.Slash(alice, general, "deadlines")
	// Both are deferred while their handlers are still blocked.
	for _, id := range []string{private, public} {
		if in := h.f.WaitAck(id); in.AckType != discordgo.InteractionResponseDeferredChannelMessageWithSource || in.AckFlags != discordgo.MessageFlagsEphemeral {
			t.Errorf("slow command acknowledged with type %d flags %d, want a private deferral", in.AckType, in.AckFlags)
		}
	}
	close(release)
	if m := h.f.WaitReply(private, "the private answer", func(discordtest.Message) bool { return true }); m.Content != "private result" || !m.Ephemeral() {
		t.Errorf("private answer = %+v", m)
	}
	answer := h.answer(public)
	pub := h.f.Interaction(public)
	if m := h.card(pub.OriginalID); m.Content != postedNote || !m.Ephemeral() {
		t.Errorf("public command's placeholder = %+v", m)
	}
	if len(pub.Followups) != 1 || answer.ID != pub.Followups[0] || answer.Ephemeral() || answer.Content != "intro" || len(answer.Embeds) != 1 || answer.Embed().Title != "Slow card" {
		t.Errorf("public answer = %+v, follow-ups %v", answer, pub.Followups)
	}
	// The public card was registered and can be updated.
	<-replied
	h.ad.UpdateCard(context.Background(), bot.Card{Key: "slow:1", Title: "Slow card", Body: "changed"})
	h.f.WaitMessage(answer.ID, "the card update", func(m discordtest.Message) bool { return m.Embed().Description == "changed" })
}

func TestExportIsAnEphemeralFile(t *testing.T) {
	t.Parallel()
	h := start(t)
	in := h.f.Slash(steward, general, "poll", s("export", o("poll", 3)))
	if m := h.answer(in); !m.Ephemeral() || m.Files["poll-3.csv"] != "option,votes\nYes,1\n" {
		t.Errorf("export = %+v", m)
	}
	h.polls.mu.Lock()
	defer h.polls.mu.Unlock()
	if got := h.polls.lines[0]; got != "/poll export 3" {
		t.Errorf("command line = %q", got)
	}
}

func TestUnitAutocomplete(t *testing.T) {
	t.Parallel()
	h := start(t)
	in := h.f.WaitAck(h.f.Autocomplete(alice, general, "unit", "name", "st"))
	var names []string
	for _, c := range in.Choices {
		names = append(names, c.Name)
	}
	if in.AckType != discordgo.InteractionApplicationCommandAutocompleteResult || strings.Join(names, ",") != "State Police,Statewide" {
		t.Errorf("autocomplete: type %d choices %v", in.AckType, names)
	}
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
	ms := h.f.ChannelMessages(other)
	if len(ms) != 2 || ms[0].Content+ms[1].Content == "" {
		t.Fatalf("announcement split into %d messages", len(ms))
	}
	if err := h.ad.Send(context.Background(), bot.Destination{Channel: general, User: "discord:" + bob.ID}, bot.Reply{Text: "just for you", Private: true}); err != nil {
		t.Fatal(err)
	}
	if ms := h.f.ChannelMessages(h.f.DMChannel(bob.ID)); len(ms) != 1 || ms[0].Content != "just for you" {
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
	f := discordtest.NewServer(t)
	ad, err := New(Options{Token: "wrong", APIURL: f.URL(), HTTPClient: f.Client(), Logger: bottest.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), bottest.WaitTimeout)
	defer cancel()
	err = ad.Run(ctx, bot.NewRouter(nil, bottest.DiscardLogger()))
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
	case <-time.After(bottest.WaitTimeout):
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
	h.f.ExpectNoAck(h.f.Autocomplete(alice, general, "unit", "name", "st"))
	// The adapter keeps serving.
	if m := h.answer(h.f.Slash(alice, general, "faq", o("question", "deadline?"))); !strings.Contains(m.Content, "Aug. 31") {
		t.Errorf("after a panic: %+v", m)
	}
	h.stop()
	if !strings.Contains(h.logs.String(), "panic while handling a Discord interaction") {
		t.Error("the panic was not logged")
	}
}

// TestRefusedNewDirectMessagesAreNamed checks that when Discord's spam
// protection refuses to open one more direct message (error 40003), the
// send fails with bot.ErrDirectMessagesRefused, which a sender to many
// members stops on, and not as a member whose direct messages are closed;
// a member whose channel is already open is still reached.
func TestRefusedNewDirectMessagesAreNamed(t *testing.T) {
	t.Parallel()
	h := start(t)
	ctx := context.Background()
	private := func(who discordtest.Member) error {
		return h.ad.Send(ctx, bot.Destination{User: "discord:" + who.ID}, bot.Reply{Text: "poll 1 is open", Private: true})
	}
	if err := private(alice); err != nil {
		t.Fatal(err)
	}
	h.f.LimitNewDMs(1)
	if err := private(bob); err != nil {
		t.Fatalf("the first new direct message: %v", err)
	}
	stranger := discordtest.Member{ID: "900000000000000099", Name: "stranger"}
	err := private(stranger)
	if !errors.Is(err, bot.ErrDirectMessagesRefused) || closedDMs(err) {
		t.Fatalf("a refused new direct message: %v, want bot.ErrDirectMessagesRefused", err)
	}
	if h.f.DMChannel(stranger.ID) != "" {
		t.Error("Discord opened the refused channel")
	}
	if err := private(alice); err != nil {
		t.Errorf("a member whose channel is open: %v", err)
	}
}

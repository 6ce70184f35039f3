package main

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// TestRunWithDiscord runs "unionhall run" with every real feature against a
// local Discord: the bot connects to the gateway, registers its slash
// commands in the server, answers /faq, refuses /poll open to a member
// without the steward role and opens the poll for one with it, counts
// button votes (acknowledged with a deferred update, confirmed privately, the card edited
// to the final tally, a repeated vote refused), offers the configured units
// to /unit's autocomplete, answers a direct message in place, and never
// logs a token.
func TestRunWithDiscord(t *testing.T) {
	began := time.Now()
	const token = "e2e.DiscordBotToken.never-log-this-9f3c"
	f := discordtest.NewServer(t, discordtest.WithToken(token))
	const (
		channel   = "810000000000000001"
		announce  = "810000000000000009"
		dmChannel = "820000000000000001"
	)
	sam := discordtest.Member{ID: "720000000000000001", Name: "sam", Roles: []string{discordtest.MemberRoleID, discordtest.StewardRoleID}}
	alice := discordtest.Member{ID: "720000000000000002", Name: "alice", Roles: []string{discordtest.MemberRoleID}}
	bob := discordtest.Member{ID: "720000000000000003", Name: "bob", Roles: []string{discordtest.MemberRoleID}}
	carol := discordtest.Member{ID: "720000000000000004", Name: "carol"}

	vars := map[string]string{
		"DISCORD_TOKEN":            token,
		"DISCORD_GUILD_ID":         discordtest.GuildID,
		"DISCORD_API_URL":          f.URL(),
		"DISCORD_STEWARD_ROLE":     discordtest.StewardRoleID,
		"DISCORD_ANNOUNCE_CHANNEL": announce,
		"UNIONHALL_LOG_LEVEL":      "debug", // the most the bot ever logs
	}
	logs := &bottest.LogBuffer{}
	dir := t.TempDir() // before Start, so that run is gone before it is removed
	proc := bottest.Start(t, func(ctx context.Context) int {
		return run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, logs, testEnv(dir, vars))
	})
	defer func() {
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	}()

	// 1. Connection and command registration.
	bottest.WaitFor(t, "the slash commands to be registered", func() bool { return len(f.Overwrites()) > 0 })
	connected := time.Since(began)
	if ow := f.Overwrites()[0]; ow.GuildID != discordtest.GuildID {
		t.Errorf("commands registered in guild %q, want the server's endpoint (guild %s)", ow.GuildID, discordtest.GuildID)
	}
	var names []string
	for _, c := range f.Overwrites()[0].Commands {
		names = append(names, c.Name)
		if slices.Contains([]string{"poll", "remind", "deadline"}, c.Name) && c.DefaultMemberPermissions == nil {
			t.Errorf("/%s is offered to every member; want it limited by default_member_permissions", c.Name)
		}
	}
	slices.Sort(names)
	want := []string{"deadline", "deadlines", "faq", "help", "poll", "polls", "remind", "reminders", "unit", "vote"}
	if !slices.Equal(names, want) {
		t.Errorf("registered commands %v, want %v", names, want)
	}
	const guildMessages, directMessages, messageContent = 1 << 9, 1 << 12, 1 << 15
	if intents := f.Gateway().Intents; intents&(guildMessages|directMessages) != guildMessages|directMessages || intents&messageContent != 0 {
		t.Errorf("identified with intents %b; want Guild Messages and Direct Messages, not Message Content", intents)
	}
	// discordgo sends its first heartbeat as soon as the session is open.
	bottest.WaitFor(t, "a heartbeat and its ACK", func() bool { return f.Gateway().HeartbeatACKs > 0 })

	// 2. A question, misspelled as members type them.
	faqID := f.Slash(alice, channel, "faq", discordtest.Opt("question", "is the retirment age going up"))
	answer := f.WaitReply(faqID, "the answer to /faq", func(m discordtest.Message) bool { return len(m.Embeds) > 0 })
	if !strings.Contains(strings.ToLower(answer.Text()), "retirement age") {
		t.Errorf("answer is not about the retirement age:\n%s", answer.Text())
	}
	if !strings.HasPrefix(answer.Footer(), "Source:") {
		t.Errorf("answer footer %q, want a Source: citation", answer.Footer())
	}
	if labels := answer.Labels(); !slices.Equal(labels, []string{"Helpful", "Not helpful"}) {
		t.Errorf("answer buttons %v, want Helpful and Not helpful", labels)
	}
	allEphemeral(t, f, faqID, "the /faq answer")

	// 3. /poll open: refused without the steward role, opened with it.
	open := discordtest.Sub("open", discordtest.Opt("question", "Should we ratify the tentative agreement?"), discordtest.Opt("options", "Yes | No"))
	refusedID := f.Slash(alice, channel, "poll", open)
	refusal := f.WaitReply(refusedID, "the refusal of /poll open", hasText)
	if !strings.Contains(refusal.Text(), "Only stewards") {
		t.Errorf("refusal = %q, want it to say only stewards can open polls", refusal.Text())
	}
	allEphemeral(t, f, refusedID, "the refusal")

	openID := f.Slash(sam, channel, "poll", open)
	card := f.WaitReply(openID, "the poll card", func(m discordtest.Message) bool { return !m.Ephemeral() && len(m.Components) > 0 })
	labels, customIDs := card.Labels(), card.CustomIDs()
	if !slices.Equal(labels, []string{"Yes", "No"}) {
		t.Fatalf("poll card buttons %v, want Yes and No", labels)
	}
	if card.ChannelID != channel || !strings.Contains(card.Text(), "Should we ratify the tentative agreement?") {
		t.Errorf("poll card in %s: %q", card.ChannelID, card.Text())
	}
	for _, m := range f.ChannelMessages(channel) {
		if m.ID != card.ID && !m.Ephemeral() && len(m.Components) > 0 {
			t.Errorf("a second public card was posted: %q", m.Text())
		}
	}

	// 4. Three members vote with the buttons, all at once.
	voted := time.Now()
	votes := []struct {
		who    discordtest.Member
		button int
	}{{who: alice, button: 0}, {who: bob, button: 0}, {who: carol, button: 1}}
	clicks := make([]discordtest.Click, len(votes))
	for i, v := range votes {
		clicks[i] = discordtest.Click{Who: v.who, CustomID: customIDs[v.button]}
	}
	for i, id := range f.ClickAll(card.ID, clicks...) {
		v := votes[i]
		conf := f.WaitReply(id, v.who.Name+"'s vote confirmation", hasText)
		if !conf.Ephemeral() || !strings.Contains(conf.Text(), "is recorded: "+[]string{"1. Yes", "2. No"}[v.button]) {
			t.Errorf("%s's confirmation (ephemeral %v): %q", v.who.Name, conf.Ephemeral(), conf.Text())
		}
		in := f.Interaction(id)
		if in.AckType != 6 {
			t.Errorf("%s's click acknowledged with type %d, want 6 (deferred update)", v.who.Name, in.AckType)
		}
		t.Logf("%s's click acknowledged in %v", v.who.Name, in.AckLatency)
	}
	final := regexp.MustCompile(`(?s)Yes\D+2 \(67%\).*No\D+1 \(33%\).*3 members voted`)
	f.WaitMessage(card.ID, "the poll card to show 2 Yes and 1 No", func(m discordtest.Message) bool { return final.MatchString(m.Text()) })
	tallied := time.Since(voted)

	again := f.Click(alice, card.ID, customIDs[0])
	dup := f.WaitReply(again, "the answer to a repeated vote", hasText)
	if !dup.Ephemeral() || !strings.Contains(dup.Text(), "already counted") {
		t.Errorf("repeated vote (ephemeral %v): %q", dup.Ephemeral(), dup.Text())
	}

	// 5. /unit autocomplete offers the configured units.
	ac := f.WaitAck(f.Autocomplete(bob, channel, "unit", "name", "p-"))
	var choices []string
	for _, c := range ac.Choices {
		choices = append(choices, c.Name)
	}
	if ac.AckType != 8 || !slices.Contains(choices, "P-4") || !slices.Contains(choices, "P-2") {
		t.Errorf("autocomplete answered with type %d and choices %v, want type 8 with P-2 and P-4", ac.AckType, choices)
	}
	for _, c := range choices {
		if !strings.HasPrefix(strings.ToLower(c), "p-") {
			t.Errorf("autocomplete for %q offers %q", "p-", c)
		}
	}

	// 6. A question in a direct message is answered there.
	dmID := f.DirectMessage(carol, dmChannel, "is the retirement age going up?")
	dmAnswer := f.WaitChannelMessage(dmChannel, "the answer to a direct message", func(m discordtest.Message) bool { return m.ReplyTo == dmID })
	if txt := dmAnswer.Text(); !strings.Contains(strings.ToLower(txt), "retirement age") || !strings.Contains(txt, "Source:") {
		t.Errorf("direct message answer: %q", txt)
	}

	// 7. Shut down: queued card edits land, no token is logged.
	if c := proc.Stop(); c != 0 {
		t.Errorf("run exited with %d", c)
	}
	total := time.Since(began)
	if m, _ := f.Message(card.ID); !final.MatchString(m.Text()) {
		t.Errorf("after shutdown the poll card shows:\n%s", m.Text())
	}
	f.Verify(t)
	log := logs.String()
	if !strings.Contains(log, "registered slash commands") {
		t.Errorf("the log lacks the registration; was it captured?\n%s", log)
	}
	for _, secret := range append(f.Secrets(), "never-log-this", discordtest.InteractionTokenPrefix) {
		if strings.Contains(log, secret) {
			t.Errorf("a token (%q) was logged:\n%s", secret, log)
		}
	}
	t.Logf("connected and registered in %v; 3 votes tallied on the card in %v; whole run %v", connected, tallied, total)
}

// hasText reports whether m shows any text.
func hasText(m discordtest.Message) bool { return m.Text() != "" }

// allEphemeral checks that every message answering interaction id is
// ephemeral: a private answer is never shown to the channel.
func allEphemeral(t *testing.T, f *discordtest.Server, id, what string) {
	t.Helper()
	for _, m := range f.InteractionMessages(id) {
		if !m.Ephemeral() {
			t.Errorf("%s was shown to the channel: %q", what, m.Text())
		}
	}
}

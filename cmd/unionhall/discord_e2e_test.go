package main

import (
	"bytes"
	"context"
	"github.com/unionhall/unionhall/bot/bottest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRunWithDiscord runs "unionhall run" with every real feature against a
// local Discord: the bot connects to the gateway, registers its slash
// commands in the server, answers /faq, refuses /poll open to a member
// without the steward role and opens the poll for one with it, counts
// button votes (acknowledged in time, confirmed privately, the card edited
// to the final tally, a repeated vote refused), offers the configured units
// to /unit's autocomplete, answers a direct message in place, and never
// logs a token.
func TestRunWithDiscord(t *testing.T) {
	began := time.Now()
	const token = "e2e.DiscordBotToken.never-log-this-9f3c"
	f := newDCFake(t, token)
	const (
		memberRole  = "610000000000000001"
		stewardRole = "610000000000000002"
		channel     = "810000000000000001"
		announce    = "810000000000000009"
		dmChannel   = "820000000000000001"
	)
	sam := dcMember{"720000000000000001", "sam", []string{memberRole, stewardRole}}
	alice := dcMember{"720000000000000002", "alice", []string{memberRole}}
	bob := dcMember{"720000000000000003", "bob", []string{memberRole}}
	carol := dcMember{"720000000000000004", "carol", nil}

	vars := map[string]string{
		"DISCORD_TOKEN":            token,
		"DISCORD_GUILD_ID":         f.guildID,
		"DISCORD_API_URL":          f.rest.URL,
		"DISCORD_STEWARD_ROLE":     stewardRole,
		"DISCORD_ANNOUNCE_CHANNEL": announce,
		"UNIONHALL_LOG_LEVEL":      "debug", // the most the bot ever logs
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &bottest.LogBuffer{}
	var out bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"run"}, strings.NewReader(""), &out, logs, testEnv(t.TempDir(), vars))
	}()
	exited := false
	stop := func() {
		t.Helper()
		if exited {
			return
		}
		exited = true
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("run exited with %d; log:\n%s", c, logs.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("run did not stop; log:\n%s", logs.String())
		}
	}
	defer stop() // run must be gone before t.TempDir is removed
	defer func() {
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	}()

	// 1. Connection and command registration.
	f.waitFor("the slash commands to be registered", func() bool { return len(f.overwrites) > 0 })
	connected := time.Since(began)
	f.mu.Lock()
	ow := f.overwrites[0]
	intents := f.intents
	f.mu.Unlock()
	if want := "/api/v9/applications/" + f.appID + "/guilds/" + f.guildID + "/commands"; ow.path != want {
		t.Errorf("commands registered at %s, want the server's endpoint %s", ow.path, want)
	}
	var names []string
	byName := map[string]map[string]any{}
	for _, c := range ow.commands {
		names = append(names, str(c["name"]))
		byName[str(c["name"])] = c
	}
	slices.Sort(names)
	want := []string{"deadline", "deadlines", "faq", "help", "poll", "polls", "remind", "reminders", "unit", "vote"}
	if !slices.Equal(names, want) {
		t.Errorf("registered commands %v, want %v", names, want)
	}
	for _, n := range []string{"poll", "remind", "deadline"} {
		if c := byName[n]; c != nil && c["default_member_permissions"] == nil {
			t.Errorf("/%s is offered to every member; want it limited by default_member_permissions", n)
		}
	}
	const guildMessages, directMessages, messageContent = 1 << 9, 1 << 12, 1 << 15
	if intents&(guildMessages|directMessages) != guildMessages|directMessages || intents&messageContent != 0 {
		t.Errorf("identified with intents %b; want Guild Messages and Direct Messages, not Message Content", intents)
	}
	// discordgo sends its first heartbeat as soon as the session is open.
	f.waitFor("a heartbeat and its ACK", func() bool { return f.heartbeatACK > 0 })

	// 2. A question, misspelled as members type them.
	faqID := f.slash(alice, channel, "faq", dcOpt("question", "is the retirment age going up"))
	answer := f.reply(faqID, "the answer to /faq", func(m *dcMessage) bool { return len(m.Embeds) > 0 })
	if !strings.Contains(strings.ToLower(answer.text()), "retirement age") {
		t.Errorf("answer is not about the retirement age:\n%s", answer.text())
	}
	if !strings.HasPrefix(answer.footer(), "Source:") {
		t.Errorf("answer footer %q, want a Source: citation", answer.footer())
	}
	if labels, _ := answer.buttons(); !slices.Equal(labels, []string{"Helpful", "Not helpful"}) {
		t.Errorf("answer buttons %v, want Helpful and Not helpful", labels)
	}
	f.allEphemeral(faqID, "the /faq answer")

	// 3. /poll open: refused without the steward role, opened with it.
	open := dcSub("open", dcOpt("question", "Should we ratify the tentative agreement?"), dcOpt("options", "Yes | No"))
	refusedID := f.slash(alice, channel, "poll", open)
	refusal := f.reply(refusedID, "the refusal of /poll open", func(m *dcMessage) bool { return m.text() != "" })
	if !strings.Contains(refusal.text(), "Only stewards") {
		t.Errorf("refusal = %q, want it to say only stewards can open polls", refusal.text())
	}
	f.allEphemeral(refusedID, "the refusal")

	openID := f.slash(sam, channel, "poll", open)
	card := f.reply(openID, "the poll card", func(m *dcMessage) bool { return !m.ephemeral() && len(m.Components) > 0 })
	labels, customIDs := card.buttons()
	if !slices.Equal(labels, []string{"Yes", "No"}) {
		t.Fatalf("poll card buttons %v, want Yes and No", labels)
	}
	if card.ChannelID != channel || !strings.Contains(card.text(), "Should we ratify the tentative agreement?") {
		t.Errorf("poll card in %s: %q", card.ChannelID, card.text())
	}
	f.mu.Lock()
	for _, m := range f.channelMessagesLocked(channel) {
		if m.ID != card.ID && !m.ephemeral() && len(m.Components) > 0 {
			t.Errorf("a second public card was posted: %q", m.text())
		}
	}
	f.mu.Unlock()

	// 4. Three members vote with the buttons, all at once.
	voted := time.Now()
	votes := []struct {
		who    dcMember
		button int
		id     string
	}{{who: alice, button: 0}, {who: bob, button: 0}, {who: carol, button: 1}}
	for i := range votes {
		votes[i].id = f.click(votes[i].who, card.ID, customIDs[votes[i].button])
	}
	for _, v := range votes {
		conf := f.reply(v.id, v.who.name+"'s vote confirmation", func(m *dcMessage) bool { return m.text() != "" })
		if !conf.ephemeral() || !strings.Contains(conf.text(), "is recorded: "+[]string{"1. Yes", "2. No"}[v.button]) {
			t.Errorf("%s's confirmation (ephemeral %v): %q", v.who.name, conf.ephemeral(), conf.text())
		}
		f.mu.Lock()
		in := f.interactions[v.id]
		if in.AckType != 6 {
			t.Errorf("%s's click acknowledged with type %d, want 6 (deferred update)", v.who.name, in.AckType)
		}
		t.Logf("%s's click acknowledged in %v", v.who.name, in.Latency)
		f.mu.Unlock()
	}
	final := regexp.MustCompile(`(?s)Yes\D+2 \(67%\).*No\D+1 \(33%\).*3 members voted`)
	f.waitFor("the poll card to show 2 Yes and 1 No", func() bool { return final.MatchString(f.messages[card.ID].text()) })
	tallied := time.Since(voted)

	again := f.click(alice, card.ID, customIDs[0])
	dup := f.reply(again, "the answer to a repeated vote", func(m *dcMessage) bool { return m.text() != "" })
	if !dup.ephemeral() || !strings.Contains(dup.text(), "already counted") {
		t.Errorf("repeated vote (ephemeral %v): %q", dup.ephemeral(), dup.text())
	}

	// 5. /unit autocomplete offers the configured units.
	acID := f.interact(4, bob, channel, map[string]any{"id": "710000000000000002", "name": "unit", "type": 1,
		"options": []map[string]any{{"name": "name", "type": 3, "value": "p-", "focused": true}}}, nil)
	f.waitFor("autocomplete choices", func() bool { return f.interactions[acID].Acks > 0 })
	f.mu.Lock()
	in := f.interactions[acID]
	var choices []string
	for _, c := range in.Choices {
		choices = append(choices, str(c["name"]))
	}
	ackType := in.AckType
	f.mu.Unlock()
	if ackType != 8 || !slices.Contains(choices, "P-4") || !slices.Contains(choices, "P-2") {
		t.Errorf("autocomplete answered with type %d and choices %v, want type 8 with P-2 and P-4", ackType, choices)
	}
	for _, c := range choices {
		if !strings.HasPrefix(strings.ToLower(c), "p-") {
			t.Errorf("autocomplete for %q offers %q", "p-", c)
		}
	}

	// 6. A question in a direct message is answered there.
	dmID := f.dm(carol, dmChannel, "is the retirement age going up?")
	var dmAnswer *dcMessage
	f.waitFor("the answer to a direct message", func() bool {
		for _, m := range f.channelMessagesLocked(dmChannel) {
			if m.ReplyTo == dmID {
				c := *m
				dmAnswer = &c
				return true
			}
		}
		return false
	})
	if txt := dmAnswer.text(); !strings.Contains(strings.ToLower(txt), "retirement age") || !strings.Contains(txt, "Source:") {
		t.Errorf("direct message answer: %q", txt)
	}

	// 7. Shut down: queued card edits land, no token is logged.
	stop()
	total := time.Since(began)
	f.mu.Lock()
	if txt := f.messages[card.ID].text(); !final.MatchString(txt) {
		t.Errorf("after shutdown the poll card shows:\n%s", txt)
	}
	if len(f.violations) > 0 {
		t.Errorf("the fake Discord saw violations: %v", f.violations)
	}
	f.mu.Unlock()
	log := logs.String()
	if !strings.Contains(log, "registered slash commands") {
		t.Errorf("the log lacks the registration; was it captured?\n%s", log)
	}
	for _, secret := range []string{token, "never-log-this", "e2e-itok-"} {
		if strings.Contains(log, secret) {
			t.Errorf("a token (%q) was logged:\n%s", secret, log)
		}
	}
	t.Logf("connected and registered in %v; 3 votes tallied on the card in %v; whole run %v", connected, tallied, total)
}

// reply waits until interaction id is acknowledged and one of the messages
// answering it (its response or a follow-up, never an unfilled deferral)
// satisfies ok, and returns a copy of that message.
func (f *dcFake) reply(id, what string, ok func(*dcMessage) bool) *dcMessage {
	f.t.Helper()
	var found *dcMessage
	f.waitFor(what, func() bool {
		if f.interactions[id].Acks == 0 {
			return false
		}
		for _, m := range f.interactionMessagesLocked(id) {
			if !m.Deferred && ok(m) {
				c := *m
				found = &c
				return true
			}
		}
		return false
	})
	return found
}

// allEphemeral checks that every message answering interaction id is
// ephemeral: a private answer is never shown to the channel.
func (f *dcFake) allEphemeral(id, what string) {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.interactionMessagesLocked(id) {
		if !m.ephemeral() {
			f.t.Errorf("%s was shown to the channel: %q", what, m.text())
		}
	}
}

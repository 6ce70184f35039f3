package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// TestDiscordRankedPollByTaps votes a secret ranked poll in Discord with
// the card's "Rank the options" button: it answers each member privately
// with a menu per rank and a Submit button, the picks so far kept in that
// message alone, and Submit casts the whole ranking at once. A ranking
// that names an option twice is refused in the message, in plain words,
// and records nothing; the instant-runoff count is the one the typed
// rankings would give.
func TestDiscordRankedPollByTaps(t *testing.T) {
	const token = "e2e.DiscordBotToken.ranked-9f3c"
	const channel = "810000000000000001"
	f := discordtest.NewServer(t, discordtest.WithToken(token))
	sam := discordtest.Member{ID: "720000000000000001", Name: "sam", Roles: []string{discordtest.MemberRoleID, discordtest.StewardRoleID}}
	alice := discordtest.Member{ID: "720000000000000002", Name: "alice", Roles: []string{discordtest.MemberRoleID}}
	bob := discordtest.Member{ID: "720000000000000003", Name: "bob", Roles: []string{discordtest.MemberRoleID}}
	carol := discordtest.Member{ID: "720000000000000004", Name: "carol", Roles: []string{discordtest.MemberRoleID}}
	vars := map[string]string{
		"DISCORD_TOKEN":        token,
		"DISCORD_GUILD_ID":     discordtest.GuildID,
		"DISCORD_API_URL":      f.URL(),
		"DISCORD_STEWARD_ROLE": discordtest.StewardRoleID,
	}
	logs := &bottest.LogBuffer{}
	dir := t.TempDir()
	bottest.Start(t, func(ctx context.Context) int {
		return run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, logs, testEnv(dir, vars))
	})
	defer func() {
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	}()
	bottest.WaitFor(t, "the slash commands to be registered", func() bool { return len(f.Overwrites()) > 0 })

	openID := f.Slash(sam, channel, "poll", discordtest.Sub("open",
		discordtest.Opt("question", "Priority?"), discordtest.Opt("options", "Pay | Pension | Health"),
		discordtest.Opt("ranked", true), discordtest.Opt("anonymous", true)))
	card := f.WaitReply(openID, "the ranked poll card", func(m discordtest.Message) bool { return !m.Ephemeral() && len(m.Components) > 0 })
	if labels := card.Labels(); len(labels) != 1 || labels[0] != "Rank the options" {
		t.Fatalf("ranked poll card buttons %v, want Rank the options", labels)
	}
	rank := card.CustomIDs()[0]

	// open has who click the card's button and returns the private
	// ranking message it answers with.
	open := func(who discordtest.Member) discordtest.Message {
		t.Helper()
		id := f.Click(who, card.ID, rank)
		m := f.WaitReply(id, who.Name+"'s ranking message", func(m discordtest.Message) bool { return len(m.Components) > 0 })
		if !m.Ephemeral() {
			t.Errorf("%s's ranking message is shown to the channel", who.Name)
		}
		return m
	}
	// pick chooses option value for rank n (1-based) in the ranking
	// message m and returns the message as updated.
	pick := func(who discordtest.Member, m discordtest.Message, n int, value string) discordtest.Message {
		t.Helper()
		edits := m.Edits
		f.Select(who, m.ID, m.Components[n-1].Components[0].CustomID, value)
		return f.WaitMessage(m.ID, "the ranking message after a pick", func(u discordtest.Message) bool { return u.Edits > edits })
	}
	// submit presses Submit in m and returns the message as updated and
	// the interaction's ID.
	submit := func(who discordtest.Member, m discordtest.Message) (discordtest.Message, string) {
		t.Helper()
		edits := m.Edits
		ids := m.CustomIDs()
		id := f.Click(who, m.ID, ids[len(ids)-len(m.Components[len(m.Components)-1].Components)])
		return f.WaitMessage(m.ID, "the ranking message after Submit", func(u discordtest.Message) bool { return u.Edits > edits }), id
	}

	m := open(alice)
	if len(m.Components) != 4 || !strings.Contains(m.Text(), "Nothing is sent until you do") {
		t.Fatalf("ranking message has %d rows: %q", len(m.Components), m.Text())
	}
	m = pick(alice, m, 1, "2")
	m = pick(alice, m, 2, "2")
	m, _ = submit(alice, m)
	if !strings.Contains(m.Text(), `You picked "Pension" for both your 1st choice and your 2nd choice. Pick each option once.`) {
		t.Fatalf("ranking with an option twice answered %q", m.Text())
	}
	m = pick(alice, m, 2, "3")
	m, id := submit(alice, m)
	conf := f.WaitReply(id, "alice's confirmation", func(m discordtest.Message) bool { return strings.Contains(m.Text(), "recorded") })
	if !conf.Ephemeral() || !strings.Contains(conf.Text(), "Your ranking in poll 1 is recorded: 1st 2. Pension, 2nd 3. Health.") {
		t.Errorf("alice's confirmation (ephemeral %v): %q", conf.Ephemeral(), conf.Text())
	}

	for _, v := range []struct {
		who   discordtest.Member
		picks []string
	}{{bob, []string{"3", "2"}}, {carol, []string{"2"}}} {
		m := open(v.who)
		for i, p := range v.picks {
			m = pick(v.who, m, i+1, p)
		}
		_, id := submit(v.who, m)
		f.WaitReply(id, v.who.Name+"'s confirmation", func(m discordtest.Message) bool { return strings.Contains(m.Text(), "recorded") })
	}
	// A secret ballot cannot be cast twice, by taps either.
	m = pick(alice, open(alice), 1, "1")
	_, id = submit(alice, m)
	f.WaitReply(id, "alice's second ranking refused", func(m discordtest.Message) bool { return strings.Contains(m.Text(), "already voted") })

	resultsID := f.Slash(sam, channel, "polls", discordtest.Sub("results", discordtest.Opt("poll", 1)))
	results := f.WaitReply(resultsID, "the results", hasText)
	if !strings.Contains(results.Text(), "Pension leads with 2 of 3 continuing ballots") {
		t.Errorf("results = %q", results.Text())
	}
	if v := f.Violations(); len(v) > 0 {
		t.Errorf("Discord's rules broken: %v", v)
	}
}

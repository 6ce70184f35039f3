package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// TestDiscordRolesWithoutARoster runs Union Hall with
// DISCORD_MEMBERS_INTENT against a local Discord whose units are roles,
// with no roster: turnout counts the members of the unit's role, a member
// moved to another role is followed, a member with two units' roles is
// counted (never named) in the results, and a nudge reaches exactly the
// role's members who have not voted, who can vote from the direct
// message.
func TestDiscordRolesWithoutARoster(t *testing.T) {
	const channel = "810000000000000001"
	const roleP4, roleP2 = "600000000000000011", "600000000000000012"
	f := discordtest.NewServer(t)
	member := func(n int, roles ...string) discordtest.Member {
		return discordtest.Member{ID: fmt.Sprintf("7300000000000000%02d", n), Name: fmt.Sprintf("m%d", n), Roles: roles}
	}
	sam := discordtest.Member{ID: "720000000000000001", Name: "sam", Roles: []string{discordtest.MemberRoleID, discordtest.StewardRoleID}}
	var p4 []discordtest.Member
	for n := 1; n <= 6; n++ {
		p4 = append(p4, member(n, discordtest.MemberRoleID, roleP4))
	}
	p2 := member(7, roleP2)
	both := member(8, roleP4, roleP2)
	f.GrantMembersIntent()
	f.SetMembers(append([]discordtest.Member{sam, p2, both}, p4...)...)

	dir := t.TempDir()
	units := filepath.Join(dir, "units.yaml")
	os.WriteFile(units, []byte("self_declared: false\ncoalition:\n  name: Local council\n  units_needed: 1\n  membership_percent: 50\nunits:\n"+
		"  - name: P-4\n    members: 2600\n    discord_role: \""+roleP4+"\"\n  - name: P-2\n    members: 4000\n    discord_role: \""+roleP2+"\"\n"), 0o600)
	logs := &bottest.LogBuffer{}
	discordProcess(t, f, dir, logs, map[string]string{"DISCORD_MEMBERS_INTENT": "true", "UNIONHALL_UNITS_FILE": units})
	bottest.WaitFor(t, "the server's members to be read", func() bool { return strings.Contains(logs.String(), "read the server's members") })

	openID := f.Slash(sam, channel, "poll", discordtest.Sub("open", discordtest.Opt("question", "Ratify?"), discordtest.Opt("options", "Yes | No"), discordtest.Opt("units", "P-4")))
	card := f.WaitReply(openID, "the poll card", func(m discordtest.Message) bool { return !m.Ephemeral() && len(m.Components) > 0 })
	if !strings.Contains(card.Embed().Description, "P-4: 0 of 7 voted") {
		t.Errorf("card turnout without a roster:\n%s", card.Embed().Description)
	}
	yes := card.CustomIDs()[0]
	for _, who := range p4[:2] {
		id := f.Click(who, card.ID, yes)
		f.WaitReply(id, who.Name+"'s confirmation", func(m discordtest.Message) bool { return strings.Contains(m.Text(), "recorded") })
	}

	// results asks for the results until they contain want: a member
	// event and a command are handled concurrently, so the first answer
	// may come before the event is applied.
	results := func(want string) string {
		t.Helper()
		var text string
		bottest.WaitFor(t, "results with "+want, func() bool {
			id := f.Slash(p2, channel, "polls", discordtest.Sub("results", discordtest.Opt("poll", 1)))
			text = f.WaitReply(id, "the results", func(m discordtest.Message) bool { return m.Text() != "" }).Text()
			return strings.Contains(text, want)
		})
		return text
	}
	text := results("P-4: 2 of 7 voted, 29%")
	if !strings.Contains(text, "1 member is in two units' groups and counts for neither; a steward can see who with /poll units.") || strings.Contains(text, both.ID) {
		t.Errorf("results do not count the member with two units' roles, or name them:\n%s", text)
	}

	moved := p4[5]
	moved.Roles = []string{roleP2}
	f.UpdateMember(moved)
	results("P-4: 2 of 6 voted, 33%")

	nudgeID := f.Slash(sam, channel, "poll", discordtest.Sub("nudge", discordtest.Opt("poll", 1)))
	f.WaitReply(nudgeID, "the nudge's answer", func(m discordtest.Message) bool { return m.Text() != "" })
	bottest.WaitFor(t, "a direct message to the steward", func() bool { return f.DMChannel(sam.ID) != "" })
	report := f.WaitChannelMessage(f.DMChannel(sam.ID), "the steward's nudge report", func(m discordtest.Message) bool { return strings.Contains(m.Text(), "I reminded") })
	if !strings.Contains(report.Text(), "Poll 1: I reminded 3 members who may vote and had not.") {
		t.Errorf("steward's report: %q", report.Text())
	}
	for _, who := range append([]discordtest.Member{sam, p2, both, moved}, p4...) {
		nudged := false
		if ch := f.DMChannel(who.ID); ch != "" {
			for _, m := range f.ChannelMessages(ch) {
				nudged = nudged || strings.Contains(m.Text(), "you may vote in poll 1")
			}
		}
		want := who.ID == p4[2].ID || who.ID == p4[3].ID || who.ID == p4[4].ID
		if nudged != want {
			t.Errorf("%s nudged: %v, want %v", who.Name, nudged, want)
		}
	}

	// A vote from the nudge's direct message, where no roles come with
	// the click, counts for the unit of the member's role.
	dm := f.WaitChannelMessage(f.DMChannel(p4[2].ID), "the nudge's card", func(m discordtest.Message) bool { return len(m.Components) > 0 })
	id := f.Click(p4[2], dm.ID, dm.CustomIDs()[0])
	conf := f.WaitReply(id, "the vote from the direct message", func(m discordtest.Message) bool { return m.Text() != "" })
	if !strings.Contains(conf.Text(), "recorded") {
		t.Errorf("vote from the nudge's direct message: %q", conf.Text())
	}
	results("P-4: 3 of 6 voted, 50%")
	if v := f.Violations(); len(v) > 0 {
		t.Errorf("Discord's rules broken: %v", v)
	}
}

// discordProcess runs "unionhall run" against the local Discord f with
// the bot's token and the steward role set, and the given settings
// besides, on the database in dir; it returns once the slash commands are
// registered. The log is shown when the test fails.
func discordProcess(t *testing.T, f *discordtest.Server, dir string, logs *bottest.LogBuffer, settings map[string]string) *bottest.Running[int] {
	t.Helper()
	vars := map[string]string{
		"DISCORD_TOKEN":        f.Token(),
		"DISCORD_GUILD_ID":     discordtest.GuildID,
		"DISCORD_API_URL":      f.URL(),
		"DISCORD_STEWARD_ROLE": discordtest.StewardRoleID,
	}
	maps.Copy(vars, settings)
	before := len(f.Overwrites())
	proc := bottest.Start(t, func(ctx context.Context) int {
		return run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, logs, testEnv(dir, vars))
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	})
	bottest.WaitFor(t, "the slash commands to be registered", func() bool { return len(f.Overwrites()) > before })
	return proc
}

// TestDiscordRankingAfterARestart clicks "Rank the options" on a ranked
// poll's card posted before Union Hall restarted and not shown since: the
// new process rebuilds the ranking from the stored poll, so the member
// ranks with taps and the vote is recorded, rather than being asked to
// type the command.
func TestDiscordRankingAfterARestart(t *testing.T) {
	const channel = "810000000000000001"
	f := discordtest.NewServer(t)
	sam := discordtest.Member{ID: "720000000000000001", Name: "sam", Roles: []string{discordtest.MemberRoleID, discordtest.StewardRoleID}}
	alice := discordtest.Member{ID: "720000000000000002", Name: "alice", Roles: []string{discordtest.MemberRoleID}}
	dir, logs := t.TempDir(), &bottest.LogBuffer{}
	first := discordProcess(t, f, dir, logs, nil)
	openID := f.Slash(sam, channel, "poll", discordtest.Sub("open",
		discordtest.Opt("question", "Priority?"), discordtest.Opt("options", "Pay | Pension | Health"), discordtest.Opt("ranked", true)))
	card := f.WaitReply(openID, "the ranked poll card", func(m discordtest.Message) bool { return !m.Ephemeral() && len(m.Components) > 0 })
	if c := first.Stop(); c != 0 {
		t.Fatalf("the first process exited with %d", c)
	}
	discordProcess(t, f, dir, logs, nil)

	id := f.Click(alice, card.ID, card.CustomIDs()[0])
	m := f.WaitReply(id, "alice's ranking message", func(m discordtest.Message) bool { return len(m.Components) > 0 || m.Text() != "" })
	if len(m.Components) == 0 || !m.Ephemeral() {
		t.Fatalf("the card's button after the restart answered (ephemeral %v): %q", m.Ephemeral(), m.Text())
	}
	edits := m.Edits
	f.Select(alice, m.ID, m.Components[0].Components[0].CustomID, "3")
	m = f.WaitMessage(m.ID, "the ranking message after a pick", func(u discordtest.Message) bool { return u.Edits > edits })
	ids := m.CustomIDs()
	submit := f.Click(alice, m.ID, ids[len(ids)-len(m.Components[len(m.Components)-1].Components)])
	conf := f.WaitReply(submit, "alice's confirmation", func(m discordtest.Message) bool { return strings.Contains(m.Text(), "recorded") })
	if !strings.Contains(conf.Text(), "Your ranking in poll 1 is recorded: 1st 3. Health.") {
		t.Errorf("alice's confirmation: %q", conf.Text())
	}
	if v := f.Violations(); len(v) > 0 {
		t.Errorf("Discord's rules broken: %v", v)
	}
}

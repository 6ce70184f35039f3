package discord

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// Roles of the members the member-list tests add to the fake server.
const (
	unitRoleA = "600000000000000011"
	unitRoleB = "600000000000000012"
)

// withMembersIntent has the adapter ask for the Server Members intent.
func withMembersIntent(o *Options, _ *harness) { o.MembersIntent = true }

// directory returns the adapter's group directory, failing the test when
// it has none.
func (h *harness) directory() bot.GroupDirectory {
	h.t.Helper()
	dir, ok := h.ad.(bot.GroupDirectory)
	if !ok {
		h.t.Fatalf("the adapter (%T) is not a group directory", h.ad)
	}
	return dir
}

// waitGroup waits until role's members, as the adapter lists them, are
// want.
func waitGroup(t testing.TB, dir bot.GroupDirectory, role string, want []string) {
	t.Helper()
	var got []string
	bottest.WaitFor(t, fmt.Sprintf("role %s to have %d members", role, len(want)), func() bool {
		var ok bool
		got, ok = dir.GroupMembers(role)
		return ok && slices.Equal(got, want)
	})
}

// TestMembersOfRolesAreListedAndFollowed lists 2,500 members of a server
// at start, in pages of Discord's thousand, and follows a member who joins,
// one moved from one role to another, and one who leaves.
func TestMembersOfRolesAreListedAndFollowed(t *testing.T) {
	var members []discordtest.Member
	var inA []string
	for i := range 2500 {
		m := discordtest.Member{ID: fmt.Sprintf("9100000000%08d", i), Name: fmt.Sprintf("m%d", i), Roles: []string{discordtest.MemberRoleID, unitRoleA}}
		if i%2 == 1 {
			m.Roles = []string{unitRoleB}
		} else {
			inA = append(inA, "discord:"+m.ID)
		}
		members = append(members, m)
	}
	h := start(t, withMembersIntent, func(_ *Options, h *harness) {
		h.f.GrantMembersIntent()
		h.f.SetMembers(members...)
	})
	if h.f.Gateway().Intents&discordgo.IntentsGuildMembers == 0 {
		t.Error("the adapter did not ask for the Server Members intent")
	}
	dir := h.directory()
	waitGroup(t, dir, unitRoleA, inA)
	if n := h.f.Count(discordtest.RouteGuildMembers); n != 3 {
		t.Errorf("listed 2,500 members in %d requests, want 3 pages", n)
	}
	// By the role's name too, in any letter case, as the units file may
	// give it.
	if got, ok := dir.GroupMembers("member"); !ok || len(got) != 1250 {
		t.Errorf("members of the role named Member: %d, %v", len(got), ok)
	}
	if _, ok := dir.GroupMembers("No Such Role"); ok {
		t.Error("a role no server has is listed")
	}

	joined := discordtest.Member{ID: "912000000000000001", Name: "new", Roles: []string{unitRoleA}}
	h.f.JoinMember(joined)
	inA = append(inA, "discord:"+joined.ID)
	waitGroup(t, dir, unitRoleA, inA)

	moved := members[0]
	moved.Roles = []string{unitRoleB}
	h.f.UpdateMember(moved)
	inA = slices.DeleteFunc(inA, func(id string) bool { return id == "discord:"+moved.ID })
	waitGroup(t, dir, unitRoleA, inA)
	if b, _ := dir.GroupMembers(unitRoleB); !slices.Contains(b, "discord:"+moved.ID) {
		t.Error("the member moved to the other role is not listed in it")
	}

	h.f.RemoveMember(joined)
	inA = slices.DeleteFunc(inA, func(id string) bool { return id == "discord:"+joined.ID })
	waitGroup(t, dir, unitRoleA, inA)
}

// TestMembersIntentRefusedByDiscord asks for the Server Members intent
// that the developer portal does not grant: Discord closes the gateway
// with 4014, and the adapter says so in the log and carries on without
// the intent.
func TestMembersIntentRefusedByDiscord(t *testing.T) {
	h := start(t, withMembersIntent)
	if !strings.Contains(h.logs.String(), "Discord refused the Server Members intent (gateway close 4014), so Union Hall carries on without it") {
		t.Errorf("the refusal is not explained in the log:\n%s", h.logs.String())
	}
	if h.f.Gateway().Intents&discordgo.IntentsGuildMembers != 0 {
		t.Error("the session that went on still asks for the Server Members intent")
	}
	if _, ok := h.directory().GroupMembers(unitRoleA); ok {
		t.Error("members are listed without the intent")
	}
	// The adapter works as before: a member is answered.
	id := h.f.Slash(alice, general, "faq", discordtest.Opt("question", "When is the deadline?"))
	h.answer(id)
}

// TestNoMembersIntentNoDirectory checks that an adapter not asked for the
// intent is no group directory, so features do not wait for lists that
// never come.
func TestNoMembersIntentNoDirectory(t *testing.T) {
	h := start(t)
	if _, ok := h.ad.(bot.GroupDirectory); ok {
		t.Error("the adapter without the Server Members intent claims to list groups")
	}
	if h.f.Gateway().Intents&discordgo.IntentsGuildMembers != 0 {
		t.Error("the adapter asked for the Server Members intent unasked")
	}
}

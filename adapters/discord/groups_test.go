package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot"
)

// registerGroups adds /groups, which answers with the member's groups as
// the adapter reported them.
func registerGroups(o *Options, h *harness) {
	h.router.Register(bot.Command{Name: "groups", Summary: "your groups", Forms: []bot.Form{{
		Summary: "your groups",
		Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
			return w.Reply(ctx, bot.Reply{Private: true, Text: "groups: " + strings.Join(req.User.Groups, ",")})
		}),
	}}})
}

func TestMemberRolesReachTheCoreByIDAndName(t *testing.T) {
	t.Parallel()
	h := start(t, registerGroups, func(o *Options, _ *harness) { o.RoleNames = true })
	for range 2 {
		m := h.answer(h.f.Slash(alice, general, "groups"))
		if want := "groups: " + discordtest.MemberRoleID + ",Member"; m.Content != want {
			t.Errorf("answer %q, want %q", m.Content, want)
		}
	}
	if n := h.f.Count(discordtest.RouteGuildRoles); n != 1 {
		t.Errorf("server roles fetched %d times, want 1 (cached)", n)
	}
}

func TestMemberRolesByIDOnlyWithoutRoleNames(t *testing.T) {
	t.Parallel()
	h := start(t, registerGroups, func(o *Options, _ *harness) { o.StewardRole = discordtest.StewardRoleID })
	if m := h.answer(h.f.Slash(alice, general, "groups")); m.Content != "groups: "+discordtest.MemberRoleID {
		t.Errorf("answer %q", m.Content)
	}
	if n := h.f.Count(discordtest.RouteGuildRoles); n != 0 {
		t.Errorf("server roles fetched %d times without RoleNames", n)
	}
}

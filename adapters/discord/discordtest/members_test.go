package discordtest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
)

// TestMembersListNeedsTheIntentAndPages checks the member list as Discord
// serves it: refused with 403 Missing Access until the Server Members
// intent is switched on, then in pages of limit members after a user ID,
// in ID order.
func TestMembersListNeedsTheIntentAndPages(t *testing.T) {
	s := discordtest.NewServer(t)
	s.SetMembers(
		discordtest.Member{ID: "900000000000000003", Name: "c", Roles: []string{"1"}},
		discordtest.Member{ID: "900000000000000001", Name: "a"},
		discordtest.Member{ID: "1000000000000000002", Name: "d"},
		discordtest.Member{ID: "900000000000000002", Name: "b"},
	)
	path := "/guilds/" + discordtest.GuildID + "/members"
	if status, _, body := call(t, s, "GET", path+"?limit=2", "", true); status != http.StatusForbidden {
		t.Fatalf("members listed without the intent: %d %s", status, body)
	}
	s.GrantMembersIntent()
	page := func(query string) []string {
		t.Helper()
		status, _, body := call(t, s, "GET", path+query, "", true)
		var ms []discordgo.Member
		if err := json.Unmarshal(body, &ms); status != http.StatusOK || err != nil {
			t.Fatalf("GET %s: %d %s (%v)", query, status, body, err)
		}
		var ids []string
		for _, m := range ms {
			ids = append(ids, m.User.ID)
		}
		return ids
	}
	if got := page("?limit=2"); !slices.Equal(got, []string{"900000000000000001", "900000000000000002"}) {
		t.Errorf("first page %v", got)
	}
	if got := page("?limit=2&after=900000000000000002"); !slices.Equal(got, []string{"900000000000000003", "1000000000000000002"}) {
		t.Errorf("second page %v", got)
	}
	if got := page("?limit=2&after=1000000000000000002"); len(got) != 0 {
		t.Errorf("page after the last member %v", got)
	}
	if got := page(""); len(got) != 1 {
		t.Errorf("a page without limit has %d members, want Discord's default of 1", len(got))
	}
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("violations %v", v)
	}
}

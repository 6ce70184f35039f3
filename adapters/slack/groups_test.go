package slack

import (
	"context"
	"slices"
	"testing"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
)

func TestMemberGroupsReportedByNameAndID(t *testing.T) {
	srv := slacktest.NewServer(t)
	handle := "@" + slacktest.UserGroupHandle
	a := idleAdapter(t, srv, func(o *Options) { o.MemberGroups = []string{handle}; o.Clock = newTestClock() })
	srv.SetUserGroup([]string{"U5"}, "")
	if err := a.RefreshGroups(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := a.user("U5", "").Groups; !slices.Equal(got, []string{handle, slacktest.UserGroupID}) {
		t.Errorf("groups of a member = %v", got)
	}
	if got := a.user("U6", "").Groups; len(got) != 0 {
		t.Errorf("groups of someone else = %v", got)
	}
	for _, name := range []string{handle, slacktest.UserGroupID} {
		if got, ok := a.GroupMembers(name); !ok || !slices.Equal(got, []string{"slack:U5"}) {
			t.Errorf("members of %s = %v %v", name, got, ok)
		}
	}
	if _, ok := a.GroupMembers("@other"); ok {
		t.Error("an unknown group has members")
	}
	// A change in Slack counts as soon as the groups are refreshed.
	srv.SetUserGroup([]string{"U6"}, "")
	if err := a.RefreshGroups(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(a.user("U5", "").Groups) != 0 || len(a.user("U6", "").Groups) != 2 {
		t.Error("the refresh was not applied")
	}
	srv.SetUserGroup(nil, "missing_scope")
	if err := a.RefreshGroups(context.Background()); err == nil {
		t.Error("a failed refresh is not reported")
	}
}

package slack_test

import (
	"context"
	"strings"
	"testing"

	slackadapter "github.com/unionhall/unionhall/adapters/slack"
	"github.com/unionhall/unionhall/adapters/slack/slacktest"
)

func TestEmailDirectoryFindsMembersAndNamesAMissingScope(t *testing.T) {
	srv := slacktest.NewServer(t)
	srv.SetUserEmail("ann@example.org", "UANN")
	d := slackadapter.NewEmailDirectory(slacktest.BotToken, srv.APIURL())
	ctx := context.Background()
	if id, err := d.MemberByEmail(ctx, "ann@example.org"); err != nil || id != "slack:UANN" {
		t.Errorf("ann: %q %v", id, err)
	}
	if id, err := d.MemberByEmail(ctx, "nobody@example.org"); err != nil || id != "" {
		t.Errorf("an unknown address: %q %v", id, err)
	}
	srv.FailNext("users.lookupByEmail", 1, slacktest.Failure{Error: "missing_scope"})
	if _, err := d.MemberByEmail(ctx, "ann@example.org"); err == nil || !strings.Contains(err.Error(), "users:read.email") {
		t.Errorf("a missing scope: %v", err)
	}
}

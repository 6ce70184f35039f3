package discord

import (
	"strings"
	"testing"
)

// TestInviteURLGrantsWhatCheckWants checks that the invitation asks for
// exactly the permissions Check looks for, the number the README gives.
func TestInviteURLGrantsWhatCheckWants(t *testing.T) {
	if u := InviteURL("123"); !strings.Contains(u, "permissions=274878024704") || !strings.Contains(u, "client_id=123") {
		t.Errorf("InviteURL = %s", u)
	}
	if missing := missingPermissions(RequiredPermissions); missing != "" {
		t.Errorf("RequiredPermissions lack %s", missing)
	}
}

package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
)

// EmailDirectory finds Slack members by email address with
// users.lookupByEmail, which needs the users:read.email scope. It lets a
// list of members kept by email name their Slack accounts.
type EmailDirectory struct {
	sdk *slack.Client
}

// NewEmailDirectory returns the directory of the workspace botToken
// belongs to, on the Web API at apiURL (Slack's own when empty).
func NewEmailDirectory(botToken, apiURL string) *EmailDirectory {
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	client := &http.Client{Timeout: 30 * time.Second}
	return &EmailDirectory{sdk: slack.New(botToken, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(client))}
}

// MemberByEmail returns the platform-qualified ID of the member with this
// email address, or "" when the workspace has none. A missing scope is an
// error that says which scope to add.
func (d *EmailDirectory) MemberByEmail(ctx context.Context, email string) (string, error) {
	u, err := d.sdk.GetUserByEmailContext(ctx, email)
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se) && se.Err == "users_not_found":
		return "", nil
	case errors.As(err, &se) && se.Err == "missing_scope":
		return "", errors.New("users.lookupByEmail: the Slack app lacks the users:read.email scope; add it under OAuth & Permissions and reinstall the app")
	case err != nil:
		return "", fmt.Errorf("users.lookupByEmail: %w", safeErr(err))
	}
	return bot.QualifiedID(bot.PlatformSlack, u.ID), nil
}

package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
)

// RequiredScopes returns the bot scopes the app manifest asks for: what
// the adapter needs to do its job.
func RequiredScopes() ([]string, error) {
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `json:"bot"`
			} `json:"scopes"`
		} `json:"oauth_config"`
	}
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return nil, fmt.Errorf("embedded manifest: %w", err)
	}
	return m.OAuth.Scopes.Bot, nil
}

// channelID matches a Slack conversation ID such as C0123ABCD.
var channelID = regexp.MustCompile(`^[CG][A-Z0-9]{6,}$`)

// Check asks Slack whether opts would work, without connecting or posting:
// the bot token (auth.test) and the scopes it was granted against the
// manifest's, the app-level token and Socket Mode (apps.connections.open)
// or the signing secret in HTTP mode, the announcement channel, and the
// steward group. Its findings never contain a token.
func Check(ctx context.Context, opts Options) []bot.Finding {
	a, err := newAdapter(opts)
	if err != nil {
		return []bot.Finding{bot.ToFix("Slack settings: %v.", err)}
	}
	defer a.stopSend()
	granted, team, f := a.checkBotToken(ctx)
	if f.Problem {
		return []bot.Finding{f}
	}
	out := []bot.Finding{f}
	out = append(out, checkScopes(granted, team)...)
	switch a.mode {
	case ModeSocket:
		out = append(out, a.checkSocketMode(ctx))
	case ModeHTTP:
		out = append(out, bot.Fine("HTTP mode: the signing secret is set; Slack must reach %s through your HTTPS proxy.", opts.ListenAddr))
	}
	if opts.AnnounceChannel != "" {
		out = append(out, a.checkAnnounceChannel(ctx, slices.Contains(granted, "chat:write.public")))
	}
	if a.stewards != nil {
		out = append(out, a.checkStewardGroup(ctx))
	}
	return out
}

// checkStewardGroup reads the steward group's members as the adapter does.
func (a *Adapter) checkStewardGroup(ctx context.Context) bot.Finding {
	if err := a.stewards.refresh(ctx); err != nil {
		return bot.ToFix("SLACK_STEWARD_GROUP: %v: give the group's handle (@stewards) or ID, as in the workspace's People, User groups.", safeErr(err))
	}
	a.stewards.mu.Lock()
	n := len(a.stewards.members)
	a.stewards.mu.Unlock()
	members := "members, who have"
	if n == 1 {
		members = "member, who has"
	}
	return bot.Fine("SLACK_STEWARD_GROUP: %s has %d %s steward powers.", a.opts.StewardGroup, n, members)
}

// checkBotToken calls auth.test with the bot token, as the adapter does at
// start-up, and reads the scopes Slack granted it from the X-OAuth-Scopes
// header, which slack-go does not return.
func (a *Adapter) checkBotToken(ctx context.Context) (granted []string, team string, f bot.Finding) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiURL+"auth.test", nil)
	if err != nil {
		return nil, "", bot.ToFix("SLACK_API_URL: %v.", err)
	}
	req.Header.Set("Authorization", "Bearer "+a.opts.BotToken)
	resp, err := a.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, "", bot.ToFix("Slack cannot be reached (%v): check the network, and SLACK_API_URL if it is set.", safeErr(err))
	}
	defer resp.Body.Close()
	var res struct {
		OK     bool   `json:"ok"`
		Error  string `json:"error"`
		Team   string `json:"team"`
		UserID string `json:"user_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return nil, "", bot.ToFix("Slack answered auth.test with HTTP %d and no valid JSON: check SLACK_API_URL.", resp.StatusCode)
	}
	if !res.OK {
		return nil, "", bot.ToFix("SLACK_BOT_TOKEN: Slack refused it (%s): copy the Bot User OAuth Token from the app's OAuth & Permissions page, and reinstall the app if it was revoked.", res.Error)
	}
	for s := range strings.SplitSeq(resp.Header.Get("X-OAuth-Scopes"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			granted = append(granted, s)
		}
	}
	return granted, res.Team, bot.Fine("SLACK_BOT_TOKEN: valid, bot user %s in workspace %q.", res.UserID, res.Team)
}

// checkScopes compares the granted scopes with the manifest's.
func checkScopes(granted []string, team string) []bot.Finding {
	want, err := RequiredScopes()
	if err != nil {
		return []bot.Finding{bot.ToFix("%v.", err)}
	}
	var missing []string
	for _, s := range want {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return []bot.Finding{bot.ToFix("SLACK_BOT_TOKEN: the app lacks the scopes %s: add them under OAuth & Permissions (or recreate the app from \"unionhall slack-manifest\") and reinstall it to %q.", strings.Join(missing, ", "), team)}
	}
	return []bot.Finding{bot.Fine("Slack scopes: all %d the manifest asks for are granted.", len(want))}
}

// checkSocketMode asks for a Socket Mode URL with the app-level token, as
// the adapter does before it connects, without connecting.
func (a *Adapter) checkSocketMode(ctx context.Context) bot.Finding {
	_, _, err := a.sdk.StartSocketModeContext(ctx)
	switch code := slackError(err); {
	case err == nil:
		return bot.Fine("SLACK_APP_TOKEN: valid, and Socket Mode is on.")
	case code == "invalid_auth" || code == "not_authed" || code == "token_revoked":
		return bot.ToFix("SLACK_APP_TOKEN: Slack refused it (%s): create an app-level token with the connections:write scope under Basic Information, App-Level Tokens.", code)
	case code != "":
		return bot.ToFix("SLACK_APP_TOKEN: Slack would not open a Socket Mode connection (%s): turn Socket Mode on under the app's Settings, Socket Mode, or set SLACK_MODE=http and SLACK_SIGNING_SECRET.", code)
	default:
		return bot.ToFix("Slack cannot be reached for Socket Mode (%v): check the network.", safeErr(err))
	}
}

// checkAnnounceChannel checks that the announcement channel exists and
// that the bot may post there. Slack reports only a channel given by ID;
// one given by name is left to the first announcement.
func (a *Adapter) checkAnnounceChannel(ctx context.Context, public bool) bot.Finding {
	ch := a.opts.AnnounceChannel
	if !channelID.MatchString(ch) {
		return bot.Fine("SLACK_ANNOUNCE_CHANNEL: %q is a name, which Slack checks only when the bot first posts there; give the channel's ID (its details, at the bottom) to have it checked here.", ch)
	}
	info, err := a.sdk.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: ch})
	switch code := slackError(err); {
	case err == nil:
	case code == "channel_not_found":
		return bot.ToFix("SLACK_ANNOUNCE_CHANNEL: Slack knows no channel %s that the bot can see: check the ID, and invite the bot (/invite @Union Hall) if the channel is private.", ch)
	case code == "missing_scope":
		return bot.Fine("SLACK_ANNOUNCE_CHANNEL: %s cannot be looked up without the channels:read scope; the bot will find out when it first posts there.", ch)
	default:
		return bot.ToFix("SLACK_ANNOUNCE_CHANNEL: Slack would not describe %s (%s): check the ID.", ch, code)
	}
	switch {
	case info.IsArchived:
		return bot.ToFix("SLACK_ANNOUNCE_CHANNEL: #%s is archived: unarchive it or choose another channel.", info.Name)
	case !info.IsMember && (info.IsPrivate || !public):
		return bot.ToFix("SLACK_ANNOUNCE_CHANNEL: the bot is not in #%s: invite it there (/invite @Union Hall).", info.Name)
	}
	return bot.Fine("SLACK_ANNOUNCE_CHANNEL: #%s exists and the bot may post there.", info.Name)
}

package slack

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
)

type manifestDoc struct {
	DisplayInformation struct {
		Name string `json:"name"`
	} `json:"display_information"`
	Features struct {
		BotUser struct {
			DisplayName string `json:"display_name"`
		} `json:"bot_user"`
		SlashCommands []struct {
			Command      string `json:"command"`
			Description  string `json:"description"`
			UsageHint    string `json:"usage_hint"`
			URL          string `json:"url"`
			ShouldEscape bool   `json:"should_escape"`
		} `json:"slash_commands"`
	} `json:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `json:"bot"`
		} `json:"scopes"`
	} `json:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `json:"request_url"`
			BotEvents  []string `json:"bot_events"`
		} `json:"event_subscriptions"`
		Interactivity struct {
			IsEnabled  bool   `json:"is_enabled"`
			RequestURL string `json:"request_url"`
		} `json:"interactivity"`
		SocketModeEnabled bool `json:"socket_mode_enabled"`
	} `json:"settings"`
}

// declaredCommands are command declarations of the shape features make:
// one with a name Slack reserves and an alias, one with several forms.
func declaredCommands() []bot.Command {
	h := bot.HandlerFunc(func(context.Context, bot.ResponseWriter, *bot.Request) error { return nil })
	return []bot.Command{
		{Name: "remind", Aliases: []string{"reminders"}, Summary: "reminders", Forms: []bot.Form{
			{Name: "list", Implicit: true, Summary: "list them", Handler: h},
			{Name: "add", Summary: "add one", Steward: "add reminders", Handler: h, Args: []bot.Arg{
				{Name: "when", Kind: bot.KindTime, Required: true}, {Name: "text", Kind: bot.KindText, Required: true}}},
		}},
		{Name: "vote", Summary: "vote in a poll", Forms: []bot.Form{{Summary: "vote", Handler: h, Args: []bot.Arg{
			{Name: "poll", Kind: bot.KindInt, Required: true}, {Name: "option", Required: true, Repeated: true}}}}},
	}
}

func parseManifest(t *testing.T, name, base string) manifestDoc {
	t.Helper()
	out, err := Manifest(declaredCommands(), name, base)
	if err != nil {
		t.Fatal(err)
	}
	var m manifestDoc
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("manifest is not JSON: %v\n%s", err, out)
	}
	if strings.Contains(string(out), `\u003c`) {
		t.Error("manifest has HTML-escaped characters; it should read as typed")
	}
	return m
}

// TestSyntaxUsesTheManifestsName checks that /help shows a command under
// the name the manifest registers it by.
func TestSyntaxUsesTheManifestsName(t *testing.T) {
	cmds := declaredCommands()
	if got := Syntax(cmds[0], cmds[0].Forms[1]); got != "/reminders add <when> <text>" {
		t.Errorf("Syntax = %q", got)
	}
	if got := Syntax(cmds[1], cmds[1].Forms[0]); got != "/vote <poll> <option> ..." {
		t.Errorf("Syntax = %q", got)
	}
}

func TestManifestSocketMode(t *testing.T) {
	m := parseManifest(t, "", "")
	if !m.Settings.SocketModeEnabled || m.Settings.EventSubscriptions.RequestURL != "" || !m.Settings.Interactivity.IsEnabled {
		t.Errorf("settings = %+v", m.Settings)
	}
	var cmds []string
	for _, c := range m.Features.SlashCommands {
		cmds = append(cmds, c.Command)
		if slices.Contains(reservedCommands, strings.TrimPrefix(c.Command, "/")) {
			t.Errorf("%s is reserved by Slack", c.Command)
		}
		if c.Description == "" || c.ShouldEscape {
			t.Errorf("command %+v: want a description and unescaped text", c)
		}
	}
	// Every declared command is reachable from Slack, a reserved name
	// under its alias, with its forms as the usage hint.
	want := map[string]string{
		"/reminders": "add <when> <text>",
		"/vote":      "<poll> <option> ...",
	}
	if len(m.Features.SlashCommands) != len(want) {
		t.Errorf("slash commands %v, want %d", cmds, len(want))
	}
	for _, c := range m.Features.SlashCommands {
		if hint, ok := want[c.Command]; !ok || !strings.Contains(c.UsageHint, hint) {
			t.Errorf("slash command %+v, want one of %v", c, want)
		}
	}
	events := m.Settings.EventSubscriptions.BotEvents
	slices.Sort(events)
	if strings.Join(events, ",") != "app_mention,message.im" {
		t.Errorf("bot events = %v", events)
	}
	for _, scope := range []string{"app_mentions:read", "chat:write", "chat:write.public", "commands", "files:write", "im:history", "im:write", "usergroups:read"} {
		if !slices.Contains(m.OAuthConfig.Scopes.Bot, scope) {
			t.Errorf("scope %s missing from %v", scope, m.OAuthConfig.Scopes.Bot)
		}
	}
}

func TestManifestHTTPMode(t *testing.T) {
	m := parseManifest(t, "Local 123 Hall", "https://hall.example.org/")
	if m.Settings.SocketModeEnabled {
		t.Error("Socket Mode should be off for HTTP mode")
	}
	if m.Settings.EventSubscriptions.RequestURL != "https://hall.example.org/slack/events" || m.Settings.Interactivity.RequestURL != "https://hall.example.org/slack/interactive" {
		t.Errorf("request URLs = %q, %q", m.Settings.EventSubscriptions.RequestURL, m.Settings.Interactivity.RequestURL)
	}
	for _, c := range m.Features.SlashCommands {
		if c.URL != "https://hall.example.org/slack/commands" {
			t.Errorf("%s url = %q", c.Command, c.URL)
		}
	}
	if m.DisplayInformation.Name != "Local 123 Hall" || m.Features.BotUser.DisplayName != "Local 123 Hall" {
		t.Errorf("names = %q, %q", m.DisplayInformation.Name, m.Features.BotUser.DisplayName)
	}
	for _, bad := range []string{"http://hall.example.org", "hall.example.org", "https://", "https://h.example.org/?x=1"} {
		if _, err := Manifest(nil, "", bad); err == nil {
			t.Errorf("Manifest accepted request URL %q", bad)
		}
	}
	if _, err := Manifest(nil, strings.Repeat("n", 36), ""); err == nil {
		t.Error("Manifest accepted a 36-character app name")
	}
}

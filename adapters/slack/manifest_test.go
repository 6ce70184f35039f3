package slack

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
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

func parseManifest(t *testing.T, name, base string) manifestDoc {
	t.Helper()
	out, err := Manifest(name, base)
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

// slackReserved are built-in Slack commands an app may not register; one
// of them in the manifest makes Slack reject every slash command.
var slackReserved = []string{"/status", "/me", "/join", "/away", "/dnd", "/shrug", "/remind", "/msg", "/feed", "/who",
	"/collapse", "/expand", "/leave", "/open", "/search", "/topic", "/mute", "/pro", "/shortcuts", "/invite", "/archive", "/active", "/dm"}

func TestManifestSocketMode(t *testing.T) {
	m := parseManifest(t, "", "")
	if !m.Settings.SocketModeEnabled || m.Settings.EventSubscriptions.RequestURL != "" || !m.Settings.Interactivity.IsEnabled {
		t.Errorf("settings = %+v", m.Settings)
	}
	var cmds []string
	for _, c := range m.Features.SlashCommands {
		cmds = append(cmds, c.Command)
		if slices.Contains(slackReserved, c.Command) {
			t.Errorf("%s is reserved by Slack", c.Command)
		}
		if c.Description == "" || c.ShouldEscape {
			t.Errorf("command %+v: want a description and unescaped text", c)
		}
	}
	// Every command of the core language is reachable from Slack.
	for _, core := range []string{"faq", "poll", "vote", "unit", "remind", "deadline", "help"} {
		found := false
		for _, c := range cmds {
			name := strings.TrimPrefix(c, "/")
			if alias, ok := commandAliases[name]; ok {
				name = alias
			}
			found = found || name == core
		}
		if !found {
			t.Errorf("no slash command for /%s in %v", core, cmds)
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
		if _, err := Manifest("", bad); err == nil {
			t.Errorf("Manifest accepted request URL %q", bad)
		}
	}
	if _, err := Manifest(strings.Repeat("n", 36), ""); err == nil {
		t.Error("Manifest accepted a 36-character app name")
	}
}

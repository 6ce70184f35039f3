package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// slackApp returns an app configured from vars, enough to build adapters.
func slackApp(t *testing.T, vars map[string]string) *app {
	t.Helper()
	cfg, err := loadConfig(env{lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }, file: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	return &app{cfg: cfg, log: bottest.DiscardLogger(), clock: bot.SystemClock{}, router: bot.NewRouter(nil, nil)}
}

func TestSlackAdapterFromSettings(t *testing.T) {
	const bt, at, secret = "xoxb-1-2-abcdef", "xapp-1-A1-2-abcdef", "0123456789abcdef"
	if ad, err := slackApp(t, nil).slackAdapter(); ad != nil || err != nil {
		t.Fatalf("without SLACK_BOT_TOKEN: %v, %v; want nil, nil", ad, err)
	}
	ok := []map[string]string{
		{"SLACK_BOT_TOKEN": bt, "SLACK_APP_TOKEN": at},
		{"SLACK_BOT_TOKEN": bt, "SLACK_SIGNING_SECRET": secret, "SLACK_LISTEN_ADDR": "127.0.0.1:0"},
		{"SLACK_BOT_TOKEN": bt, "SLACK_APP_TOKEN": at, "SLACK_SIGNING_SECRET": secret, "SLACK_MODE": "http"},
		{"SLACK_BOT_TOKEN": bt, "SLACK_APP_TOKEN": at, "SLACK_API_URL": "https://slack-gov.com/api/", "SLACK_STEWARD_GROUP": "@stewards"},
	}
	for _, vars := range ok {
		ad, err := slackApp(t, vars).slackAdapter()
		if err != nil || ad == nil || ad.Platform() != bot.PlatformSlack {
			t.Errorf("%v: %v, %v", vars, ad, err)
		}
		if _, isAnnouncer := ad.(bot.Announcer); isAnnouncer {
			t.Errorf("%v: an announcer without SLACK_ANNOUNCE_CHANNEL", vars)
		}
	}
	ad, err := slackApp(t, map[string]string{"SLACK_BOT_TOKEN": bt, "SLACK_APP_TOKEN": at, "SLACK_ANNOUNCE_CHANNEL": "#union-news"}).slackAdapter()
	if _, isAnnouncer := ad.(bot.Announcer); err != nil || !isAnnouncer {
		t.Errorf("with SLACK_ANNOUNCE_CHANNEL: %v, announcer %v", err, isAnnouncer)
	}

	bad := map[string]map[string]string{
		"SLACK_BOT_TOKEN":      {"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": at},
		"SLACK_APP_TOKEN":      {"SLACK_BOT_TOKEN": bt, "SLACK_APP_TOKEN": "xoxb-wrong"},
		"SLACK_SIGNING_SECRET": {"SLACK_BOT_TOKEN": bt, "SLACK_APP_TOKEN": at, "SLACK_MODE": "http"},
		"SLACK_MODE":           {"SLACK_BOT_TOKEN": bt, "SLACK_APP_TOKEN": at, "SLACK_MODE": "rtm"},
		"SLACK_API_URL":        {"SLACK_BOT_TOKEN": bt, "SLACK_APP_TOKEN": at, "SLACK_API_URL": "slack-gov.com"},
		"neither":              {"SLACK_BOT_TOKEN": bt},
	}
	for name, vars := range bad {
		_, err := slackApp(t, vars).slackAdapter()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if name != "neither" && !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %q does not name the setting", name, err)
		}
		for _, v := range vars {
			if len(v) > 8 && strings.Contains(err.Error(), v) && strings.HasPrefix(v, "x") {
				t.Errorf("%s: error %q echoes a token", name, err)
			}
		}
	}
}

// slackManifest is what the tests read of the app manifest that
// `unionhall slack-manifest` prints.
type slackManifest struct {
	Settings struct {
		SocketModeEnabled bool `json:"socket_mode_enabled"`
	} `json:"settings"`
	Features struct {
		SlashCommands []struct {
			Command   string `json:"command"`
			UsageHint string `json:"usage_hint"`
		} `json:"slash_commands"`
	} `json:"features"`
}

// runSlackManifest runs `unionhall slack-manifest args...` and returns the
// manifest, decoded and as printed, failing the test unless the command
// succeeds and prints valid JSON.
func runSlackManifest(t *testing.T, args ...string) (slackManifest, string) {
	t.Helper()
	var m slackManifest
	code, out, errOut := runMain(t.TempDir(), nil, "", append([]string{"slack-manifest"}, args...)...)
	if code != 0 {
		t.Fatalf("slack-manifest %v: exit %d: %s", args, code, errOut)
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("slack-manifest %v: %v", args, err)
	}
	return m, out
}

func TestSlackManifestCommand(t *testing.T) {
	if m, _ := runSlackManifest(t); !m.Settings.SocketModeEnabled {
		t.Fatalf("manifest: socket mode %v", m.Settings.SocketModeEnabled)
	}
	_, out := runSlackManifest(t, "--url", "https://hall.example.org", "--name", "Local 7 Hall")
	if !strings.Contains(out, "https://hall.example.org/slack/events") || !strings.Contains(out, "Local 7 Hall") {
		t.Errorf("HTTP manifest:\n%s", out)
	}
	if code, _, errOut := runMain(t.TempDir(), nil, "", "slack-manifest", "--url", "http://insecure.example"); code != 1 || !strings.Contains(errOut, "https") {
		t.Errorf("insecure URL: exit %d, %q", code, errOut)
	}
}

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// discordApp returns an app configured from vars, enough to build adapters.
func discordApp(t *testing.T, vars map[string]string) *app {
	t.Helper()
	e := env{lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }, file: map[string]string{}}
	cfg, err := loadConfig(e)
	if err != nil {
		t.Fatal(err)
	}
	return &app{cfg: cfg, log: bottest.DiscardLogger(), clock: bot.SystemClock{}, router: bot.NewRouter(nil, nil)}
}

func TestDiscordAdapterFromSettings(t *testing.T) {
	if ad, err := discordApp(t, nil).discordAdapter(); ad != nil || err != nil {
		t.Fatalf("without DISCORD_TOKEN: %v, %v; want nil, nil", ad, err)
	}
	ad, err := discordApp(t, map[string]string{"DISCORD_TOKEN": "t", "DISCORD_GUILD_ID": "1"}).discordAdapter()
	if err != nil || ad == nil || ad.Platform() != bot.PlatformDiscord {
		t.Fatalf("with DISCORD_TOKEN: %v, %v", ad, err)
	}
	if _, ok := ad.(bot.Announcer); ok {
		t.Error("announces without DISCORD_ANNOUNCE_CHANNEL")
	}
	ad, err = discordApp(t, map[string]string{"DISCORD_TOKEN": "t", "DISCORD_ANNOUNCE_CHANNEL": "123"}).discordAdapter()
	if _, ok := ad.(bot.Announcer); err != nil || !ok {
		t.Errorf("with DISCORD_ANNOUNCE_CHANNEL: %v, announcer %v", err, ok)
	}
	_, err = discordApp(t, map[string]string{"DISCORD_TOKEN": "t", "DISCORD_API_URL": "ftp://example"}).discordAdapter()
	if err == nil || !strings.Contains(err.Error(), "API URL") {
		t.Errorf("bad DISCORD_API_URL: %v", err)
	}
}

// TestHelpSpeaksEachPlatformsCommands checks that /help on Discord and
// Slack names the commands as members type them there, and that the
// console keeps the typed language.
func TestHelpSpeaksEachPlatformsCommands(t *testing.T) {
	a, _ := fuzzApp(t)
	a.cfg.DiscordToken, a.cfg.SlackBotToken, a.cfg.SlackAppToken = "t", "xoxb-1", "xapp-1"
	if _, err := a.discordAdapter(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.slackAdapter(); err != nil {
		t.Fatal(err)
	}
	help := func(platform string) string {
		m := bottest.Message("member", "/help")
		m.Platform = platform
		rec := &bottest.Recorder{}
		a.router.Dispatch(context.Background(), rec, m)
		return rec.Text()
	}
	for platform, want := range map[string][]string{
		bot.PlatformDiscord: {"/polls results poll:<poll>", "/vote poll:<poll> option:", "/reminders - upcoming reminders"},
		bot.PlatformSlack:   {"/poll results <poll>", "/reminders list - upcoming reminders"},
		bot.PlatformConsole: {"/poll results <poll>", "/remind list - upcoming reminders", "(/reminders works the same as /remind.)"},
	} {
		got := help(platform)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s /help lacks %q:\n%s", platform, w, got)
			}
		}
	}
}

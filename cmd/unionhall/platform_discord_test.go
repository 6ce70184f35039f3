package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
)

// discordApp returns an app configured from vars, enough to build adapters.
func discordApp(t *testing.T, vars map[string]string) *app {
	t.Helper()
	e := env{lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }, file: map[string]string{}}
	cfg, err := loadConfig(e)
	if err != nil {
		t.Fatal(err)
	}
	return &app{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), clock: bot.SystemClock{}}
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

package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
)

// TestDiscordInteractionsSettings: DISCORD_PUBLIC_KEY turns the HTTP
// interactions endpoint on, at DISCORD_INTERACTIONS_ADDR or :3001; a
// malformed key, or an address without a key, is refused naming the
// setting.
func TestDiscordInteractionsSettings(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	key := hex.EncodeToString(pub)
	opts, err := discordApp(t, map[string]string{"DISCORD_TOKEN": "t", "DISCORD_PUBLIC_KEY": key}).cfg.discordOptions()
	if err != nil || string(opts.PublicKey) != string(pub) || opts.InteractionsAddr != ":3001" {
		t.Errorf("with a public key: %v, key %x, addr %q", err, opts.PublicKey, opts.InteractionsAddr)
	}
	opts, err = discordApp(t, map[string]string{"DISCORD_TOKEN": "t", "DISCORD_PUBLIC_KEY": key, "DISCORD_INTERACTIONS_ADDR": "127.0.0.1:4000"}).cfg.discordOptions()
	if err != nil || opts.InteractionsAddr != "127.0.0.1:4000" {
		t.Errorf("with an address: %v, %q", err, opts.InteractionsAddr)
	}
	if opts, err := discordApp(t, map[string]string{"DISCORD_TOKEN": "t"}).cfg.discordOptions(); err != nil || opts.PublicKey != nil || opts.InteractionsAddr != "" {
		t.Errorf("without a key: %v, %+v", err, opts)
	}
	for setting, vars := range map[string]map[string]string{
		"DISCORD_PUBLIC_KEY":        {"DISCORD_TOKEN": "t", "DISCORD_PUBLIC_KEY": "not hex"},
		"DISCORD_INTERACTIONS_ADDR": {"DISCORD_TOKEN": "t", "DISCORD_INTERACTIONS_ADDR": ":3001"},
	} {
		if _, err := discordApp(t, vars).cfg.discordOptions(); err == nil || !strings.HasPrefix(err.Error(), setting) {
			t.Errorf("%v: error %v, want one naming %s", vars, err, setting)
		}
	}
}

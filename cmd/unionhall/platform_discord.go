package main

import "github.com/unionhall/unionhall/bot"

// discordAdapter builds the Discord adapter when DISCORD_TOKEN is set, and
// returns nil otherwise.
func (a *app) discordAdapter() (bot.Adapter, error) {
	return nil, nil
}

package main

import (
	"fmt"

	"github.com/unionhall/unionhall/adapters/discord"
	"github.com/unionhall/unionhall/bot"
)

// discordAdapter builds the Discord adapter when DISCORD_TOKEN is set, and
// returns nil otherwise.
func (a *app) discordAdapter() (bot.Adapter, error) {
	if a.cfg.DiscordToken == "" {
		return nil, nil
	}
	opts, err := a.cfg.discordOptions()
	if err != nil {
		return nil, err
	}
	cmds, err := discord.NewSlashCommands(a.router.Commands())
	if err != nil {
		return nil, err
	}
	opts.Logger, opts.Clock, opts.Commands, opts.CardLocations = a.log.With("platform", bot.PlatformDiscord), a.clock, cmds, a.cardLocations()
	opts.Metrics = a.meter()
	ad, err := discord.New(opts)
	if err != nil {
		return nil, fmt.Errorf("Discord settings (DISCORD_*): %w", err)
	}
	// /help shows the commands as they are typed on Discord.
	a.router.SetPlatformSyntax(bot.PlatformDiscord, cmds.Syntax)
	return ad, nil
}

// discordOptions checks the Discord settings and returns the adapter's
// options from them: DISCORD_TOKEN, DISCORD_GUILD_ID, DISCORD_API_URL,
// DISCORD_ANNOUNCE_CHANNEL and DISCORD_STEWARD_ROLE.
func (c config) discordOptions() (discord.Options, error) {
	return discord.Options{
		Token:           c.DiscordToken,
		GuildID:         c.DiscordGuildID,
		APIURL:          c.DiscordAPIURL,
		AnnounceChannel: c.vars.get("DISCORD_ANNOUNCE_CHANNEL"),
		StewardRole:     c.vars.get("DISCORD_STEWARD_ROLE"),
	}, checkAPIURL("DISCORD_API_URL", c.DiscordAPIURL, "http://127.0.0.1:8080")
}

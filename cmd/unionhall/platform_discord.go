package main

import (
	"fmt"

	"github.com/unionhall/unionhall/adapters/discord"
	"github.com/unionhall/unionhall/bot"
)

// discordAdapter builds the Discord adapter when DISCORD_TOKEN is set, and
// returns nil otherwise. Its settings are DISCORD_TOKEN, DISCORD_GUILD_ID,
// DISCORD_API_URL, DISCORD_ANNOUNCE_CHANNEL and DISCORD_STEWARD_ROLE.
func (a *app) discordAdapter() (bot.Adapter, error) {
	if a.cfg.DiscordToken == "" {
		return nil, nil
	}
	cmds, err := discord.NewSlashCommands(a.router.Commands())
	if err != nil {
		return nil, err
	}
	ad, err := discord.New(discord.Options{
		Token:           a.cfg.DiscordToken,
		GuildID:         a.cfg.DiscordGuildID,
		APIURL:          a.cfg.DiscordAPIURL,
		AnnounceChannel: a.cfg.vars.get("DISCORD_ANNOUNCE_CHANNEL"),
		StewardRole:     a.cfg.vars.get("DISCORD_STEWARD_ROLE"),
		Logger:          a.log.With("platform", bot.PlatformDiscord),
		Clock:           a.clock,
		Commands:        cmds,
		CardLocations:   a.cardLocations(),
	})
	if err != nil {
		return nil, fmt.Errorf("Discord settings (DISCORD_*): %w", err)
	}
	// /help shows the commands as they are typed on Discord.
	a.router.SetPlatformSyntax(bot.PlatformDiscord, cmds.Syntax)
	return ad, nil
}

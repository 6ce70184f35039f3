package main

import (
	"errors"
	"fmt"
	"strconv"

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
	if a.cards != nil {
		opts.Cards = a.cards
	}
	// Nil on SQLite, where this process is the only one.
	opts.Leadership = a.stores.Leadership
	// Units may name their Discord role by name: members' roles are then
	// reported by name too.
	units, err := a.cfg.loadUnits()
	if err != nil {
		return nil, err
	}
	opts.RoleNames = units.NamesDiscordRoles()
	ad, err := discord.New(opts)
	if err != nil {
		return nil, fmt.Errorf("Discord settings (DISCORD_*): %w", err)
	}
	// /help shows the commands as they are typed on Discord.
	a.router.SetPlatformSyntax(bot.PlatformDiscord, cmds.Syntax)
	return ad, nil
}

// defaultDiscordInteractionsAddr is where the interactions endpoint
// listens when DISCORD_PUBLIC_KEY is set and DISCORD_INTERACTIONS_ADDR is
// not.
const defaultDiscordInteractionsAddr = ":3001"

// discordOptions checks the Discord settings and returns the adapter's
// options from them: DISCORD_TOKEN, DISCORD_GUILD_ID, DISCORD_API_URL,
// DISCORD_ANNOUNCE_CHANNEL, DISCORD_STEWARD_ROLE, DISCORD_MEMBERS_INTENT,
// DISCORD_PUBLIC_KEY and DISCORD_INTERACTIONS_ADDR.
func (c config) discordOptions() (discord.Options, error) {
	opts := discord.Options{
		Token:           c.DiscordToken,
		GuildID:         c.DiscordGuildID,
		APIURL:          c.DiscordAPIURL,
		AnnounceChannel: c.vars.get("DISCORD_ANNOUNCE_CHANNEL"),
		StewardRole:     c.vars.get("DISCORD_STEWARD_ROLE"),
	}
	if v := c.vars.get("DISCORD_MEMBERS_INTENT"); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return opts, fmt.Errorf("DISCORD_MEMBERS_INTENT: want true or false, got %q", v)
		}
		opts.MembersIntent = on
	}
	if key := c.vars.get("DISCORD_PUBLIC_KEY"); key != "" {
		pub, err := discord.ParsePublicKey(key)
		if err != nil {
			return opts, fmt.Errorf("DISCORD_PUBLIC_KEY: %w", err)
		}
		opts.PublicKey = pub
		opts.InteractionsAddr = c.vars.or("DISCORD_INTERACTIONS_ADDR", defaultDiscordInteractionsAddr)
	} else if c.vars.get("DISCORD_INTERACTIONS_ADDR") != "" {
		return opts, errors.New("DISCORD_INTERACTIONS_ADDR is set, but DISCORD_PUBLIC_KEY, which checks the requests sent there, is not")
	}
	return opts, checkAPIURL("DISCORD_API_URL", c.DiscordAPIURL, "http://127.0.0.1:8080")
}

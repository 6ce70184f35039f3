package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

// RequiredPermissions are the permissions the bot needs in the server and
// in its announcement channel: to see channels, post messages, cards
// (embeds) and files, in threads too, and answer a message in reply to it.
// They make the invitation's permissions number, 274878024704.
const RequiredPermissions int64 = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionSendMessagesInThreads | discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles |
	discordgo.PermissionReadMessageHistory

// permissionNames names RequiredPermissions as Discord's settings do.
var permissionNames = []struct {
	bit  int64
	name string
}{
	{discordgo.PermissionViewChannel, "View Channels"},
	{discordgo.PermissionSendMessages, "Send Messages"},
	{discordgo.PermissionSendMessagesInThreads, "Send Messages in Threads"},
	{discordgo.PermissionEmbedLinks, "Embed Links"},
	{discordgo.PermissionAttachFiles, "Attach Files"},
	{discordgo.PermissionReadMessageHistory, "Read Message History"},
}

// missingPermissions names the required permissions that have lacks.
func missingPermissions(have int64) string {
	if have&discordgo.PermissionAdministrator != 0 {
		return ""
	}
	var out []string
	for _, p := range permissionNames {
		if have&p.bit == 0 {
			out = append(out, p.name)
		}
	}
	return strings.Join(out, ", ")
}

// InviteURL is the address that adds the bot to a server with the slash
// commands scope and RequiredPermissions.
func InviteURL(appID string) string {
	q := url.Values{"client_id": {appID}, "scope": {"bot applications.commands"}, "permissions": {fmt.Sprint(RequiredPermissions)}}
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}

// Check asks Discord whether opts would work, without connecting to the
// gateway or posting: the token (GET /users/@me) and its application;
// with DISCORD_MEMBERS_INTENT, that the application has that intent;
// when a server is configured, that the bot is in it with
// RequiredPermissions and that the steward role exists; and that the
// announcement channel exists and the bot may post there. Its findings
// never contain the token.
func Check(ctx context.Context, opts Options) []bot.Finding {
	a, err := newAdapter(opts)
	if err != nil {
		return []bot.Finding{bot.ToFix("Discord settings: %v.", err)}
	}
	defer a.stop()
	c := checker{a: a, ctx: ctx}
	user, err := fetch(c, func(o ...discordgo.RequestOption) (*discordgo.User, error) { return a.session.User("@me", o...) })
	if err != nil {
		if status(err) == http.StatusUnauthorized {
			return []bot.Finding{bot.ToFix("DISCORD_TOKEN: Discord refused it: copy the bot's token from the Developer Portal (your application, Bot, Reset Token).")}
		}
		return []bot.Finding{bot.ToFix("Discord cannot be reached (%v): check the network, and DISCORD_API_URL if it is set.", err)}
	}
	out := []bot.Finding{bot.Fine("DISCORD_TOKEN: valid, bot user %s.", user.Username)}
	appID := user.ID
	if app, err := fetch(c, func(...discordgo.RequestOption) (*discordgo.Application, error) { return a.session.Application("@me") }); err != nil {
		out = append(out, bot.ToFix("Discord would not describe the bot's application (%v): check that DISCORD_TOKEN is the token of a bot user.", err))
	} else {
		appID = app.ID
		out = append(out, bot.Fine("Discord application: %s.", appID))
		if opts.MembersIntent {
			out = append(out, membersIntentFinding(app.Flags))
		}
	}
	var guild *discordgo.Guild
	if opts.GuildID != "" {
		guild, out = c.checkGuild(opts.GuildID, user.ID, appID, out)
	} else {
		out = append(out, bot.Fine("DISCORD_GUILD_ID is empty: slash commands are registered globally and can take up to an hour to appear; set it to your server's ID for them to appear at once, and for the bot's permissions and steward role to be checked."))
	}
	if opts.AnnounceChannel != "" {
		out = append(out, c.checkChannel(opts.AnnounceChannel, guild, user.ID))
	}
	return out
}

// The application flags that say the Server Members intent is switched on:
// for a verified application, or in the Bot settings of one in fewer than
// 100 servers. Discord documents both; discordgo names neither.
const (
	appFlagGatewayGuildMembers        = 1 << 14
	appFlagGatewayGuildMembersLimited = 1 << 15
)

// membersIntentFinding says whether the application may ask for the
// Server Members intent that DISCORD_MEMBERS_INTENT requests, so an
// operator learns before starting that Discord would refuse the gateway.
func membersIntentFinding(flags int) bot.Finding {
	if flags&(appFlagGatewayGuildMembers|appFlagGatewayGuildMembersLimited) != 0 {
		return bot.Fine("DISCORD_MEMBERS_INTENT: the application has the Server Members intent.")
	}
	return bot.ToFix("DISCORD_MEMBERS_INTENT is true, but the application does not have the Server Members intent: switch on Server Members Intent (Developer Portal, your application, Bot, Privileged Gateway Intents), or set DISCORD_MEMBERS_INTENT=false.")
}

// checker makes the check's REST calls as the adapter makes its own.
type checker struct {
	a   *Adapter
	ctx context.Context
}

// fetch makes one REST call as the adapter makes its own.
func fetch[T any](c checker, call func(opts ...discordgo.RequestOption) (T, error)) (T, error) {
	var v T
	err := c.a.rest(c.ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		v, err = call(opts...)
		return err
	})
	return v, err
}

// status returns the HTTP status of a REST error, or 0.
func status(err error) int {
	if re, ok := errors.AsType[*discordgo.RESTError](err); ok && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}

// checkGuild checks that the bot is in the server with the permissions it
// needs, and that the steward role exists there.
func (c checker) checkGuild(guildID, botID, appID string, out []bot.Finding) (*discordgo.Guild, []bot.Finding) {
	guild, err := fetch(c, func(o ...discordgo.RequestOption) (*discordgo.Guild, error) { return c.a.session.Guild(guildID, o...) })
	if err != nil {
		return nil, append(out, bot.ToFix("DISCORD_GUILD_ID: the bot is not in server %s (%v): check the ID, or invite the bot with %s", guildID, err, InviteURL(appID)))
	}
	out = append(out, bot.Fine("DISCORD_GUILD_ID: the bot is in %q.", guild.Name))
	member, err := fetch(c, func(o ...discordgo.RequestOption) (*discordgo.Member, error) {
		return c.a.session.GuildMember(guildID, botID, o...)
	})
	if err != nil {
		out = append(out, bot.ToFix("Discord would not list the bot's roles in %q (%v): invite the bot again with %s", guild.Name, err, InviteURL(appID)))
	} else if missing := missingPermissions(guildPermissions(guild, botID, member.Roles)); missing != "" {
		out = append(out, bot.ToFix("Discord: the bot lacks %s in %q: give its role those permissions in Server Settings, Roles.", missing, guild.Name))
	} else {
		out = append(out, bot.Fine("Discord: the bot has the permissions it needs in %q.", guild.Name))
	}
	if c.a.opts.StewardRole != "" {
		out = append(out, c.checkStewardRole(guild))
	}
	return guild, out
}

// guildPermissions returns a member's permissions in the whole server:
// those of @everyone and of each of its roles.
func guildPermissions(g *discordgo.Guild, userID string, roles []string) int64 {
	if userID == g.OwnerID {
		return discordgo.PermissionAll
	}
	var p int64
	for _, r := range g.Roles {
		if r.ID == g.ID || slices.Contains(roles, r.ID) {
			p |= r.Permissions
		}
	}
	return p
}

// checkStewardRole checks that DISCORD_STEWARD_ROLE names a role of the
// server, by ID or by name as the adapter matches it.
func (c checker) checkStewardRole(g *discordgo.Guild) bot.Finding {
	want := c.a.roles.want
	for _, r := range g.Roles {
		if r.ID == want || !c.a.roles.byID && strings.EqualFold(strings.TrimSpace(r.Name), want) {
			return bot.Fine("DISCORD_STEWARD_ROLE: the role %q exists.", r.Name)
		}
	}
	return bot.ToFix("DISCORD_STEWARD_ROLE: %q has no role %q: create it in Server Settings, Roles, or set the name or ID of an existing role.", g.Name, want)
}

// checkChannel checks that the announcement channel exists, in the
// configured server, and that the bot may post there.
func (c checker) checkChannel(channelID string, guild *discordgo.Guild, botID string) bot.Finding {
	channel, err := fetch(c, func(o ...discordgo.RequestOption) (*discordgo.Channel, error) {
		return c.a.session.Channel(channelID, o...)
	})
	if err != nil {
		return bot.ToFix("DISCORD_ANNOUNCE_CHANNEL: the bot cannot see channel %s (%v): check the ID (Developer Mode, right-click the channel, Copy Channel ID) and that the bot may view it.", channelID, err)
	}
	if guild == nil {
		return bot.Fine("DISCORD_ANNOUNCE_CHANNEL: #%s exists; set DISCORD_GUILD_ID to have the bot's permissions there checked.", channel.Name)
	}
	if channel.GuildID != guild.ID {
		return bot.ToFix("DISCORD_ANNOUNCE_CHANNEL: #%s is not in the server DISCORD_GUILD_ID names: choose a channel of %q.", channel.Name, guild.Name)
	}
	member, err := fetch(c, func(o ...discordgo.RequestOption) (*discordgo.Member, error) {
		return c.a.session.GuildMember(guild.ID, botID, o...)
	})
	if err != nil {
		return bot.ToFix("DISCORD_ANNOUNCE_CHANNEL: the bot's permissions in #%s cannot be read (%v).", channel.Name, err)
	}
	st := discordgo.NewState()
	if err := st.GuildAdd(guild); err != nil {
		return bot.ToFix("DISCORD_ANNOUNCE_CHANNEL: %v.", err)
	}
	member.GuildID = guild.ID
	if member.User == nil {
		member.User = &discordgo.User{ID: botID}
	}
	channel.GuildID = guild.ID
	if err := st.MemberAdd(member); err != nil {
		return bot.ToFix("DISCORD_ANNOUNCE_CHANNEL: %v.", err)
	}
	if err := st.ChannelAdd(channel); err != nil {
		return bot.ToFix("DISCORD_ANNOUNCE_CHANNEL: %v.", err)
	}
	perms, err := st.UserChannelPermissions(botID, channel.ID)
	if err != nil {
		return bot.ToFix("DISCORD_ANNOUNCE_CHANNEL: the bot's permissions in #%s cannot be worked out (%v).", channel.Name, err)
	}
	if missing := missingPermissions(perms); missing != "" {
		return bot.ToFix("DISCORD_ANNOUNCE_CHANNEL: the bot lacks %s in #%s: allow them for its role in the channel's settings, Permissions.", missing, channel.Name)
	}
	return bot.Fine("DISCORD_ANNOUNCE_CHANNEL: #%s exists and the bot may post there.", channel.Name)
}

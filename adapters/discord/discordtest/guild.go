package discordtest

import (
	"net/http"
	"slices"

	"github.com/bwmarrin/discordgo"
)

// The routes that describe the bot, its application, its server and its
// channels, as a bot reads them to check its set-up.
const (
	RouteMe          Route = "GET /users/@me"
	RouteApplication Route = "GET /oauth2/applications/@me"
	RouteGuild       Route = "GET /guilds/{guild}"
	RouteGuildMember Route = "GET /guilds/{guild}/members/{user}"
	RouteChannel     Route = "GET /channels/{channel}"
)

// BotRoleID is the role Discord gave the bot in GuildID when it was
// invited; its permissions are BotPermissions until SetBotPermissions.
const BotRoleID = "600000000000000003"

// GuildName is the name of GuildID.
const GuildName = "Local 1"

// BotPermissions are the bot role's permissions by default: what an
// invitation for a chat bot grants.
const BotPermissions int64 = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionSendMessagesInThreads | discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionUseSlashCommands

// guildRoutes serve the descriptions; they need the bot token.
var guildRoutes = []struct {
	access access
	serve  map[Route]handler
}{
	{botToken, map[Route]handler{
		RouteMe:          (*Server).me,
		RouteApplication: (*Server).application,
		RouteGuild:       (*Server).guild,
		RouteGuildMember: (*Server).guildMember,
		RouteChannel:     (*Server).channel,
	}},
}

// guildSetup is how GuildID looks: the bot role's permissions (set once
// changed from BotPermissions) and the channels added to it. It is guarded
// by the Server's mu.
type guildSetup struct {
	botPermissions *int64
	channels       map[string]*discordgo.Channel
}

// SetBotPermissions sets the permissions of the bot's role in GuildID.
func (s *Server) SetBotPermissions(p int64) {
	s.with(func() { s.guildSetup.botPermissions = &p })
}

// AddChannel adds a text channel to GuildID (unless ch names another
// guild) that GET /channels/{id} describes; Overwrites may deny the bot
// permissions there.
func (s *Server) AddChannel(ch discordgo.Channel) {
	s.with(func() {
		if ch.GuildID == "" {
			ch.GuildID = GuildID
		}
		if s.guildSetup.channels == nil {
			s.guildSetup.channels = map[string]*discordgo.Channel{}
		}
		s.guildSetup.channels[ch.ID] = &ch
	})
}

func (s *Server) me(*request) response {
	return ok(discordgo.User{ID: BotID, Username: "Union Hall", Bot: true})
}

// application describes the bot's application; its flags say whether the
// Server Members intent is switched on, as Discord's do (1 << 15 for an
// application in fewer than 100 servers).
func (s *Server) application(*request) response {
	app := discordgo.Application{ID: AppID, Name: "Union Hall"}
	if s.memberSetup.granted {
		app.Flags = 1 << 15
	}
	return ok(app)
}

func (s *Server) guild(q *request) response {
	if q.r.PathValue("guild") != GuildID {
		return apiError(http.StatusForbidden, 50001, "Missing Access")
	}
	perms := BotPermissions
	if p := s.guildSetup.botPermissions; p != nil {
		perms = *p
	}
	roles := []*discordgo.Role{{ID: BotRoleID, Name: "Union Hall", Permissions: perms, Managed: true}}
	for _, r := range guildRoles {
		roles = append(roles, &discordgo.Role{ID: r["id"].(string), Name: r["name"].(string)})
	}
	return ok(discordgo.Guild{ID: GuildID, Name: GuildName, OwnerID: "1", Roles: roles})
}

func (s *Server) guildMember(q *request) response {
	if q.r.PathValue("guild") != GuildID {
		return apiError(http.StatusForbidden, 50001, "Missing Access")
	}
	if q.r.PathValue("user") != BotID {
		return apiError(http.StatusNotFound, 10007, "Unknown Member")
	}
	return ok(discordgo.Member{User: &discordgo.User{ID: BotID, Username: "Union Hall", Bot: true}, Roles: []string{BotRoleID}})
}

func (s *Server) channel(q *request) response {
	ch, found := s.guildSetup.channels[q.r.PathValue("channel")]
	if !found {
		return apiError(http.StatusNotFound, 10003, "Unknown Channel")
	}
	c := *ch
	c.PermissionOverwrites = slices.Clone(ch.PermissionOverwrites)
	return ok(c)
}

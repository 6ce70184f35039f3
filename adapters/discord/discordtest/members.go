package discordtest

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// RouteGuildMembers lists a server's members, in pages: limit (1 to
// 1000, default 1) members whose user IDs come after the ID after.
// Discord serves it only to an application with the Server Members
// intent switched on in the developer portal, and answers 403 Missing
// Access otherwise.
const RouteGuildMembers Route = "GET /guilds/{guild}/members"

// maxMembersPage is the most members one page of RouteGuildMembers lists.
const maxMembersPage = 1000

// closeDisallowedIntents is the gateway's close code for an Identify that
// asks for a privileged intent the application has not been granted.
const closeDisallowedIntents = 4014

// memberRoutes serve the member list; they need the bot token.
var memberRoutes = []struct {
	access access
	serve  map[Route]handler
}{
	{botToken, map[Route]handler{RouteGuildMembers: (*Server).guildMembers}},
}

// memberSetup is who is in GuildID and whether the application has the
// Server Members intent. It is guarded by the Server's mu.
type memberSetup struct {
	// granted is the developer portal's Server Members Intent switch.
	granted bool
	members map[string]Member // by user ID
}

// GrantMembersIntent switches on the Server Members intent for the
// application, as an operator does in the developer portal: the gateway
// then accepts an Identify that asks for it, and RouteGuildMembers lists
// members.
func (s *Server) GrantMembersIntent() {
	s.with(func() { s.memberSetup.granted = true })
}

// SetMembers makes ms the members of GuildID, without telling the bot,
// as members who were there before it connected.
func (s *Server) SetMembers(ms ...Member) {
	s.with(func() {
		s.memberSetup.members = map[string]Member{}
		for _, m := range ms {
			s.memberSetup.members[m.ID] = m
		}
	})
}

// JoinMember adds m to GuildID and sends GUILD_MEMBER_ADD to a session
// that asked for the Server Members intent.
func (s *Server) JoinMember(m Member) { s.changeMember(m, "GUILD_MEMBER_ADD") }

// UpdateMember gives member m.ID the roles in m and sends
// GUILD_MEMBER_UPDATE to a session that asked for the Server Members
// intent.
func (s *Server) UpdateMember(m Member) { s.changeMember(m, "GUILD_MEMBER_UPDATE") }

// RemoveMember removes member m from GuildID and sends GUILD_MEMBER_REMOVE
// to a session that asked for the Server Members intent.
func (s *Server) RemoveMember(m Member) {
	s.with(func() { delete(s.memberSetup.members, m.ID) })
	s.memberEvent("GUILD_MEMBER_REMOVE", map[string]any{"guild_id": GuildID, "user": m.user()})
}

func (s *Server) changeMember(m Member, name string) {
	s.with(func() {
		if s.memberSetup.members == nil {
			s.memberSetup.members = map[string]Member{}
		}
		s.memberSetup.members[m.ID] = m
	})
	d := m.guildMember(true)
	d["guild_id"] = GuildID
	s.memberEvent(name, d)
}

// memberEvent dispatches a member event when the session's Identify asked
// for the Server Members intent, as Discord sends them only then.
func (s *Server) memberEvent(name string, d map[string]any) {
	if locked(s, func() bool { return s.stats.Intents&discordgo.IntentsGuildMembers != 0 }) {
		s.dispatch(event{name: name, data: d})
	}
}

// disallowedIntents reports whether an Identify asks for the Server
// Members intent without the application having it.
func (s *Server) disallowedIntents(intents discordgo.Intent) bool {
	return locked(s, func() bool { return intents&discordgo.IntentsGuildMembers != 0 && !s.memberSetup.granted })
}

// refuseIntents closes c as Discord does for a disallowed intent.
func refuseIntents(c *websocket.Conn) {
	c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(closeDisallowedIntents, "Disallowed intent(s)."))
}

// snowflakeCompare orders snowflakes as numbers.
func snowflakeCompare(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b))
}

func (s *Server) guildMembers(q *request) response {
	if q.r.PathValue("guild") != GuildID {
		return apiError(http.StatusForbidden, 50001, "Missing Access")
	}
	if !s.memberSetup.granted {
		return apiError(http.StatusForbidden, 50001, "Missing Access")
	}
	limit := 1
	if v := q.r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxMembersPage {
			s.violateLocked("%s with limit %q", RouteGuildMembers, v)
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
		}
		limit = n
	}
	after := q.r.URL.Query().Get("after")
	ids := make([]string, 0, len(s.memberSetup.members))
	for id := range s.memberSetup.members {
		if after == "" || snowflakeCompare(id, after) > 0 {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, snowflakeCompare)
	page := []any{}
	for _, id := range ids[:min(limit, len(ids))] {
		page = append(page, s.memberSetup.members[id].guildMember(true))
	}
	return ok(page)
}

// dmChannelLocked reports whether channel is a direct-message channel the
// server opened. s.mu must be held.
func (s *Server) dmChannelLocked(channel string) bool {
	for _, ch := range s.dmChannels {
		if ch == channel {
			return true
		}
	}
	return false
}

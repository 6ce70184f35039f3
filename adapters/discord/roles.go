package discord

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

const (
	// roleTTL is how long a server's role list is trusted.
	roleTTL = 10 * time.Minute
	// roleRecheck is how soon a member without the role triggers a fresh
	// look-up, so a steward role created or renamed just now is honoured
	// within seconds rather than minutes.
	roleRecheck = 30 * time.Second
	// maxDMChannels bounds the cache of direct-message channels.
	maxDMChannels = 10000
)

// roleResolver decides whether a member's server roles include the steward
// role, given by ID or by name. Names are resolved through the server's
// role list (serverRoles).
type roleResolver struct {
	a     *Adapter
	want  string // role ID or name; "" means no steward role
	byID  bool
	roles *serverRoles
}

func newRoleResolver(a *Adapter, role string, roles *serverRoles) *roleResolver {
	role = strings.TrimSpace(role)
	role = strings.TrimSuffix(strings.TrimPrefix(role, "<@&"), ">") // a pasted role mention
	return &roleResolver{a: a, want: role, byID: isSnowflake(role), roles: roles}
}

// isSnowflake reports whether s looks like a Discord ID.
func isSnowflake(s string) bool {
	if len(s) < 15 || len(s) > 21 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// steward reports whether memberRoles include the steward role in the
// given server. It fails closed: when the role list cannot be read, the
// member is not treated as a steward (configured steward IDs still work).
// A member without the role makes the list be read again when it is
// older than roleRecheck, so a steward role created or renamed just now
// is honoured within seconds.
func (r *roleResolver) steward(ctx context.Context, guildID string, memberRoles []string) bool {
	if r.want == "" || guildID == "" || len(memberRoles) == 0 {
		return false
	}
	if r.byID {
		return slices.Contains(memberRoles, r.want)
	}
	has := func(names map[string]string) bool {
		return slices.ContainsFunc(memberRoles, func(id string) bool {
			name, ok := names[id]
			return ok && strings.EqualFold(strings.TrimSpace(name), r.want)
		})
	}
	if names, _ := r.roles.names(ctx, guildID, roleTTL); has(names) {
		return true
	}
	names, fresh := r.roles.names(ctx, guildID, roleRecheck)
	if fresh && !slices.ContainsFunc(slices.Collect(maps.Values(names)), func(n string) bool { return strings.EqualFold(strings.TrimSpace(n), r.want) }) {
		r.a.log.Warn("no role with the steward role's name in this server", "guild", guildID, "role", r.want)
	}
	return has(names)
}

// serverRoles caches each server's role list (role ID to name), read with
// one request and trusted up to an age each caller chooses.
type serverRoles struct {
	a *Adapter

	mu     sync.Mutex
	guilds map[string]*guildRoles
}

type guildRoles struct {
	mu      sync.Mutex // one look-up at a time per server
	names   map[string]string
	fetched time.Time
}

// names returns the server's roles, by ID, read again when the list is
// older than maxAge, and whether it was read just now. When it cannot be
// read, the last list read is returned (nil if none) and the failure
// logged.
func (s *serverRoles) names(ctx context.Context, guildID string, maxAge time.Duration) (map[string]string, bool) {
	s.mu.Lock()
	g, ok := s.guilds[guildID]
	if !ok {
		g = &guildRoles{}
		s.guilds[guildID] = g
	}
	s.mu.Unlock()

	g.mu.Lock()
	defer g.mu.Unlock()
	now := s.a.clock.Now()
	if g.names != nil && now.Sub(g.fetched) < maxAge {
		return g.names, false
	}
	var roles []*discordgo.Role
	err := s.a.rest(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		roles, err = s.a.session.GuildRoles(guildID, opts...)
		return err
	})
	g.fetched = now
	if err != nil {
		s.a.log.Warn("could not read the server's roles", "guild", guildID, "err", fmt.Errorf("read roles of server %s: %w", guildID, err))
		return g.names, false
	}
	names := make(map[string]string, len(roles))
	for _, role := range roles {
		if role != nil {
			names[role.ID] = role.Name
		}
	}
	g.names = names
	return names, true
}

// dmCache remembers the direct-message channel of each member.
type dmCache struct {
	mu sync.Mutex
	m  map[string]string
}

// dmChannel returns the direct-message channel with a member, opening it
// when needed.
func (a *Adapter) dmChannel(ctx context.Context, userID string) (string, error) {
	a.dms.mu.Lock()
	ch, ok := a.dms.m[userID]
	a.dms.mu.Unlock()
	if ok {
		return ch, nil
	}
	var c *discordgo.Channel
	err := a.rest(ctx, func(opts ...discordgo.RequestOption) error {
		if err := a.pacer.request(ctx); err != nil {
			return err
		}
		var err error
		c, err = a.session.UserChannelCreate(userID, opts...)
		return err
	})
	if err != nil {
		if restCode(err) == errOpeningDMsTooFast {
			return "", fmt.Errorf("open a direct message with %s: %w (%w)", userID, bot.ErrDirectMessagesRefused, err)
		}
		return "", fmt.Errorf("open a direct message with %s: %w", userID, err)
	}
	if c == nil || c.ID == "" {
		return "", errors.New("open a direct message: Discord returned no channel")
	}
	a.dms.mu.Lock()
	if a.dms.m == nil || len(a.dms.m) >= maxDMChannels {
		a.dms.m = map[string]string{}
	}
	a.dms.m[userID] = c.ID
	a.dms.mu.Unlock()
	return c.ID, nil
}

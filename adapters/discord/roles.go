package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
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
// role list, cached per server.
type roleResolver struct {
	a    *Adapter
	want string // role ID or name; "" means no steward role
	byID bool

	mu     sync.Mutex
	guilds map[string]*guildRoles
}

type guildRoles struct {
	mu      sync.Mutex // one look-up at a time per server
	ids     map[string]bool
	fetched time.Time
}

func newRoleResolver(a *Adapter, role string) *roleResolver {
	role = strings.TrimSpace(role)
	role = strings.TrimSuffix(strings.TrimPrefix(role, "<@&"), ">") // a pasted role mention
	return &roleResolver{a: a, want: role, byID: isSnowflake(role), guilds: map[string]*guildRoles{}}
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
func (r *roleResolver) steward(ctx context.Context, guildID string, memberRoles []string) bool {
	if r.want == "" || guildID == "" || len(memberRoles) == 0 {
		return false
	}
	if r.byID {
		for _, id := range memberRoles {
			if id == r.want {
				return true
			}
		}
		return false
	}
	r.mu.Lock()
	g, ok := r.guilds[guildID]
	if !ok {
		g = &guildRoles{}
		r.guilds[guildID] = g
	}
	r.mu.Unlock()

	g.mu.Lock()
	defer g.mu.Unlock()
	now := r.a.clock.Now()
	age := now.Sub(g.fetched)
	has := g.has(memberRoles)
	if g.ids == nil || age >= roleTTL || (!has && age >= roleRecheck) {
		ids, err := r.lookup(ctx, guildID)
		g.fetched = now
		if err != nil {
			r.a.log.Warn("could not read the server's roles to check the steward role", "guild", guildID, "err", err)
			return has
		}
		g.ids = ids
		has = g.has(memberRoles)
	}
	return has
}

func (g *guildRoles) has(memberRoles []string) bool {
	for _, id := range memberRoles {
		if g.ids[id] {
			return true
		}
	}
	return false
}

// lookup returns the IDs of the server's roles named like the steward role
// (case-insensitively).
func (r *roleResolver) lookup(ctx context.Context, guildID string) (map[string]bool, error) {
	var roles []*discordgo.Role
	err := r.a.rest(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		roles, err = r.a.session.GuildRoles(guildID, opts...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read roles of server %s: %w", guildID, err)
	}
	ids := map[string]bool{}
	for _, role := range roles {
		if role != nil && strings.EqualFold(strings.TrimSpace(role.Name), r.want) {
			ids[role.ID] = true
		}
	}
	if len(ids) == 0 {
		r.a.log.Warn("no role with the steward role's name in this server", "guild", guildID, "role", r.want)
	}
	return ids, nil
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

package discord

import (
	"context"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// roleNames knows the names of each server's roles, so that a member's
// roles can be reported by name as well as by ID (bot.User.Groups). A
// server's list is read with one request and trusted for roleTTL.
type roleNames struct {
	a *Adapter

	mu     sync.Mutex
	guilds map[string]*guildRoleNames
}

type guildRoleNames struct {
	mu      sync.Mutex // one look-up at a time per server
	names   map[string]string
	fetched time.Time
}

// groups returns a member's roles for bot.User.Groups: each role's ID,
// and with Options.RoleNames its name. When the server's role list cannot
// be read, the IDs alone are returned and the failure is logged.
func (r *roleNames) groups(ctx context.Context, guildID string, roleIDs []string) []string {
	if len(roleIDs) == 0 {
		return nil
	}
	out := append([]string(nil), roleIDs...)
	if r == nil || guildID == "" {
		return out
	}
	r.mu.Lock()
	g, ok := r.guilds[guildID]
	if !ok {
		g = &guildRoleNames{}
		r.guilds[guildID] = g
	}
	r.mu.Unlock()

	g.mu.Lock()
	defer g.mu.Unlock()
	now := r.a.clock.Now()
	if g.names == nil || now.Sub(g.fetched) >= roleTTL {
		var roles []*discordgo.Role
		err := r.a.rest(ctx, func(opts ...discordgo.RequestOption) error {
			var err error
			roles, err = r.a.session.GuildRoles(guildID, opts...)
			return err
		})
		if err != nil {
			r.a.log.Warn("could not read the server's roles to name a member's roles", "guild", guildID, "err", err)
		} else {
			g.names, g.fetched = map[string]string{}, now
			for _, role := range roles {
				if role != nil {
					g.names[role.ID] = role.Name
				}
			}
		}
	}
	for _, id := range roleIDs {
		if name, ok := g.names[id]; ok && name != "" {
			out = append(out, name)
		}
	}
	return out
}

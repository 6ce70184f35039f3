package slack

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// Steward group cache timing.
const (
	// stewardTTL is how old the member list may get before a lookup
	// triggers a refresh in the background.
	stewardTTL = 2 * time.Minute
	// stewardMaxAge is how long a member list is trusted when refreshing
	// keeps failing; after that the group grants nobody powers until a
	// fetch succeeds again.
	stewardMaxAge = 10 * time.Minute
)

var userGroupID = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)

// userGroup knows who is in a Slack user group: the one whose members
// have steward powers, or one of Options.MemberGroups. Lookups never block
// on the network: they read the cached list and, when it is stale, start a
// refresh. A list that could not be fetched, or that is too old, has
// nobody in it.
type userGroup struct {
	api   webAPI
	clock bot.Clock
	log   *slog.Logger
	name  string // user group ID (S0123) or handle (stewards)
	// lost says, in logs, what a list that cannot be read costs, e.g.
	// "its members have no steward powers until it works".
	lost string

	mu         sync.Mutex
	id         string
	members    map[string]bool
	fetched    time.Time
	refreshing bool
}

// has reports whether Slack user userID is in the group, by the cached list.
func (g *userGroup) has(userID string) bool {
	if g == nil {
		return false
	}
	now := g.clock.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.fetched) > stewardTTL && !g.refreshing {
		g.refreshing = true
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := g.refresh(ctx); err != nil {
				g.log.Warn("could not refresh a Slack user group; "+g.lost, "group", g.name, "err", safeErr(err))
			}
		}()
	}
	if g.members == nil || now.Sub(g.fetched) > stewardMaxAge {
		return false
	}
	return g.members[userID]
}

// refresh fetches the member list now.
func (g *userGroup) refresh(ctx context.Context) error {
	defer func() {
		g.mu.Lock()
		g.refreshing = false
		g.mu.Unlock()
	}()
	id, err := g.resolve(ctx)
	if err != nil {
		return err
	}
	// The list is as old as the request for it; of two overlapping
	// refreshes, the later request wins.
	asked := g.clock.Now()
	users, err := g.api.GetUserGroupMembersContext(ctx, id)
	if err != nil {
		return fmt.Errorf("usergroups.users.list %s: %w", id, err)
	}
	set := make(map[string]bool, len(users))
	for _, u := range users {
		set[u] = true
	}
	g.mu.Lock()
	if !asked.Before(g.fetched) {
		g.members, g.fetched = set, asked
	}
	g.mu.Unlock()
	return nil
}

// resolve returns the group's ID, looking a handle up once.
func (g *userGroup) resolve(ctx context.Context) (string, error) {
	g.mu.Lock()
	id := g.id
	g.mu.Unlock()
	if id != "" {
		return id, nil
	}
	name := strings.TrimPrefix(strings.TrimSpace(g.name), "@")
	if userGroupID.MatchString(name) {
		id = name
	} else {
		groups, err := g.api.GetUserGroupsContext(ctx)
		if err != nil {
			return "", fmt.Errorf("usergroups.list: %w", err)
		}
		for _, ug := range groups {
			if strings.EqualFold(ug.Handle, name) || strings.EqualFold(ug.Name, name) {
				id = ug.ID
				break
			}
		}
		if id == "" {
			return "", fmt.Errorf("no user group with handle @%s in this workspace", name)
		}
	}
	g.mu.Lock()
	g.id = id
	g.mu.Unlock()
	return id, nil
}

// run refreshes the list every stewardTTL until ctx ends.
func (g *userGroup) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			g.mu.Lock()
			busy := g.refreshing
			g.refreshing = true
			g.mu.Unlock()
			if busy {
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if err := g.refresh(rctx); err != nil && ctx.Err() == nil {
				g.log.Warn("could not refresh a Slack user group; "+g.lost, "group", g.name, "err", safeErr(err))
			}
			cancel()
		}
	}
}

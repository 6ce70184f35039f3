package discord

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

const (
	// membersPage is how many members one request lists: Discord's most.
	membersPage = 1000
	// membersListTimeout bounds the reading of one server's member list.
	membersListTimeout = 5 * time.Minute
	// roleNamesTimeout bounds reading a server's role names to find a
	// role given by name.
	roleNamesTimeout = 10 * time.Second
)

// membersIntentRefused is logged when Discord refuses the Server Members
// intent (gateway close code 4014).
const membersIntentRefused = "Discord refused the Server Members intent (gateway close 4014), so Union Hall carries on without it: " +
	"units defined by a Discord role get their membership from the roster or the units file, and nudges need a roster. " +
	"To use it, switch on Server Members Intent under Bot, Privileged Gateway Intents, in the Discord developer portal, and restart Union Hall; " +
	"or set DISCORD_MEMBERS_INTENT=false to stop asking for it."

// memberList is the adapter's copy of its servers' members and their
// roles, kept with the privileged Server Members intent
// (Options.MembersIntent): each server's list is read at the start of
// every gateway session, then followed through GUILD_MEMBER_ADD, _UPDATE
// and _REMOVE. It is the adapter's bot.GroupDirectory, so that turnout
// and nudges can count and reach the members of a unit's role as they
// do a Slack user group's.
type memberList struct {
	a *Adapter

	mu sync.Mutex
	// refused is set once Discord has refused the intent; nothing is
	// listed from then on.
	refused bool
	guilds  map[string]*guildMembers
}

// guildMembers is one server's members.
type guildMembers struct {
	roles map[string][]string // user ID → role IDs
	// listed reports that the whole list has been read once.
	listed bool
	// listing counts the readings under way; changed holds the members
	// an event changed meanwhile, which the reading must not overwrite
	// with what it read before the change.
	listing int
	changed map[string]bool
}

func newMemberList(a *Adapter) *memberList {
	return &memberList{a: a, guilds: map[string]*guildMembers{}}
}

// guild returns the members of guildID, creating the entry; m.mu must be
// held.
func (m *memberList) guild(guildID string) *guildMembers {
	g := m.guilds[guildID]
	if g == nil {
		g = &guildMembers{roles: map[string][]string{}, changed: map[string]bool{}}
		m.guilds[guildID] = g
	}
	return g
}

// refuse records that Discord refused the intent, forgetting every list.
func (m *memberList) refuse() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refused = true
	m.guilds = map[string]*guildMembers{}
}

// handlers returns the gateway handlers that read the lists when a
// session starts and follow the member events.
func (m *memberList) handlers() []any {
	return []any{
		func(_ *discordgo.Session, r *discordgo.Ready) {
			for _, g := range r.Guilds {
				if g != nil && g.ID != "" {
					m.listInBackground(g.ID)
				}
			}
		},
		func(_ *discordgo.Session, e *discordgo.GuildMemberAdd) {
			if e != nil {
				m.set(e.Member)
			}
		},
		func(_ *discordgo.Session, e *discordgo.GuildMemberUpdate) {
			if e != nil {
				m.set(e.Member)
			}
		},
		func(_ *discordgo.Session, e *discordgo.GuildMemberRemove) {
			if e != nil && e.Member != nil && e.User != nil {
				m.change(e.GuildID, e.User.ID, nil, false)
			}
		},
	}
}

// set records a member's roles from a member event.
func (m *memberList) set(mem *discordgo.Member) {
	if mem != nil && mem.User != nil {
		m.change(mem.GuildID, mem.User.ID, mem.Roles, true)
	}
}

// change records a member's roles, or their leaving (present false).
func (m *memberList) change(guildID, userID string, roles []string, present bool) {
	if guildID == "" || userID == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.guild(guildID)
	if present {
		g.roles[userID] = slices.Clone(roles)
	} else {
		delete(g.roles, userID)
	}
	if g.listing > 0 {
		g.changed[userID] = true
	}
}

// listInBackground reads guildID's members without holding up the event
// that asked for it; a failure is logged.
func (m *memberList) listInBackground(guildID string) {
	if !m.a.work.add() {
		return
	}
	go func() {
		defer m.a.work.done()
		defer m.a.recoverPanic("member list")
		ctx, cancel := context.WithTimeout(m.a.life, membersListTimeout)
		defer cancel()
		if err := m.list(ctx, guildID); err != nil {
			m.a.log.Warn("could not read the server's members; units defined by a role count from the roster or the units file until they are read", "guild", guildID, "err", err)
		}
	}()
}

// list reads the whole member list of guildID, a page at a time, and
// replaces the copy kept, keeping what member events changed meanwhile.
func (m *memberList) list(ctx context.Context, guildID string) error {
	m.mu.Lock()
	if m.refused {
		m.mu.Unlock()
		return nil
	}
	g := m.guild(guildID)
	g.listing++
	m.mu.Unlock()
	read := map[string][]string{}
	err := m.read(ctx, guildID, read)
	m.mu.Lock()
	defer m.mu.Unlock()
	g.listing--
	if err == nil {
		for id := range g.changed {
			if roles, ok := g.roles[id]; ok {
				read[id] = roles
			} else {
				delete(read, id)
			}
		}
		g.roles, g.listed = read, true
	}
	if g.listing == 0 {
		clear(g.changed)
	}
	if err == nil {
		m.a.log.Info("read the server's members", "guild", guildID, "members", len(read))
	}
	return err
}

// read lists guildID's members into roles, a page at a time.
func (m *memberList) read(ctx context.Context, guildID string, roles map[string][]string) error {
	after := ""
	for {
		var page []*discordgo.Member
		err := m.a.rest(ctx, func(opts ...discordgo.RequestOption) error {
			if err := m.a.pacer.request(ctx); err != nil {
				return err
			}
			var err error
			page, err = m.a.session.GuildMembers(guildID, after, membersPage, opts...)
			return err
		})
		if err != nil {
			return fmt.Errorf("list the members of server %s: %w", guildID, err)
		}
		for _, mem := range page {
			if mem != nil && mem.User != nil {
				roles[mem.User.ID] = mem.Roles
				after = mem.User.ID
			}
		}
		if len(page) < membersPage {
			return nil
		}
	}
}

// GroupMembers returns the platform-qualified IDs of the members who have
// role (an ID, a role mention, or a name in any letter case) in any
// server the adapter lists, and false until every server's list has been
// read, or when no server has such a role. It implements
// bot.GroupDirectory.
func (m *memberList) GroupMembers(role string) ([]string, bool) {
	role = strings.TrimSpace(role)
	role = strings.TrimSuffix(strings.TrimPrefix(role, "<@&"), ">")
	ids := m.guildIDs()
	m.mu.Lock()
	ready := len(ids) > 0 && !m.refused
	for _, id := range ids {
		ready = ready && m.guilds[id].listed
	}
	m.mu.Unlock()
	if !ready {
		return nil, false
	}
	wanted := map[string]bool{} // role IDs
	if isSnowflake(role) {
		wanted[role] = true
	} else {
		ctx, cancel := context.WithTimeout(m.a.life, roleNamesTimeout)
		defer cancel()
		for _, guildID := range ids {
			names, _ := m.a.serverRoles.names(ctx, guildID, roleTTL)
			for roleID, name := range names {
				if strings.EqualFold(strings.TrimSpace(name), role) {
					wanted[roleID] = true
				}
			}
		}
		if len(wanted) == 0 {
			return nil, false
		}
	}
	var out []string
	m.mu.Lock()
	for _, g := range m.guilds {
		for user, roles := range g.roles {
			if slices.ContainsFunc(roles, func(r string) bool { return wanted[r] }) {
				out = append(out, bot.QualifiedID(bot.PlatformDiscord, user))
			}
		}
	}
	m.mu.Unlock()
	slices.Sort(out)
	return slices.Compact(out), true
}

// guildIDs returns the servers whose members are kept, sorted.
func (m *memberList) guildIDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]string, 0, len(m.guilds))
	for id := range m.guilds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// RefreshGroups reads every server's member list and role names again
// now, and returns the first failure (each is about one server). It
// implements bot.GroupDirectory.
func (m *memberList) RefreshGroups(ctx context.Context) error {
	m.mu.Lock()
	refused := m.refused
	m.mu.Unlock()
	if refused {
		return fmt.Errorf("Discord refused the Server Members intent (gateway close 4014), so members are not listed")
	}
	var first error
	for _, id := range m.guildIDs() {
		m.a.serverRoles.names(ctx, id, 0)
		if err := m.list(ctx, id); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// membersIntentError reports whether err is Discord refusing the Server
// Members intent, which the adapter asked for: it then logs so and stops
// asking, so that the connection is made again without it.
func (a *Adapter) membersIntentError(err error) bool {
	if a.members == nil || a.session.Identify.Intents&discordgo.IntentsGuildMembers == 0 {
		return false
	}
	if m := closeCode.FindStringSubmatch(err.Error()); m == nil || m[1] != "4014" {
		return false
	}
	a.log.Error(membersIntentRefused)
	a.session.Identify.Intents &^= discordgo.IntentsGuildMembers
	a.members.refuse()
	return true
}

// directoryAdapter is an Adapter that lists its servers' members, and so
// is a bot.GroupDirectory.
type directoryAdapter struct {
	*Adapter
	*memberList
}

// announcingDirectoryAdapter is an Adapter with an announcement channel
// that lists its servers' members.
type announcingDirectoryAdapter struct {
	announcingAdapter
	*memberList
}

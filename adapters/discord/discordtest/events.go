package discordtest

import (
	"crypto/rand"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Member is a member of GuildID as tests describe one.
type Member struct {
	ID, Name string
	Roles    []string // role IDs
}

func (m Member) user() map[string]any {
	return map[string]any{"id": m.ID, "username": m.Name}
}

// guildMember is m as a guild member object; withUser false leaves out
// the user, as a MESSAGE_CREATE's member does.
func (m Member) guildMember(withUser bool) map[string]any {
	roles := m.Roles
	if roles == nil {
		roles = []string{}
	}
	gm := map[string]any{"roles": roles, "nick": nil}
	if withUser {
		gm["user"] = m.user()
	}
	return gm
}

// CommandOption is an option of a slash command as Discord sends it.
type CommandOption = discordgo.ApplicationCommandInteractionDataOption

// Opt returns a command option with value v: a string, an int or a bool.
// An int is held as a float64, as decoded JSON holds it, so the option
// can also be handed to code under test directly.
func Opt(name string, v any) *CommandOption {
	t := discordgo.ApplicationCommandOptionString
	switch x := v.(type) {
	case int:
		t, v = discordgo.ApplicationCommandOptionInteger, float64(x)
	case bool:
		t = discordgo.ApplicationCommandOptionBoolean
	}
	return &CommandOption{Name: name, Type: t, Value: v}
}

// Sub returns a subcommand with its options.
func Sub(name string, opts ...*CommandOption) *CommandOption {
	return &CommandOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}
}

// Slash has who run the slash command name in channel, with its options
// (or one subcommand with its options), and returns the interaction's ID.
func (s *Server) Slash(who Member, channel, name string, opts ...*CommandOption) string {
	return s.command(discordgo.InteractionApplicationCommand, who, channel, name, opts)
}

// Autocomplete has who type typed into option of the slash command name,
// and returns the interaction's ID.
func (s *Server) Autocomplete(who Member, channel, name, option, typed string) string {
	focused := &CommandOption{Name: option, Type: discordgo.ApplicationCommandOptionString, Value: typed, Focused: true}
	return s.command(discordgo.InteractionApplicationCommandAutocomplete, who, channel, name, []*CommandOption{focused})
}

func (s *Server) command(typ discordgo.InteractionType, who Member, channel, name string, opts []*CommandOption) string {
	s.mu.Lock()
	data := discordgo.ApplicationCommandInteractionData{ID: s.newIDLocked(), Name: name, CommandType: discordgo.ChatApplicationCommand, Options: opts}
	e := s.interactionLocked(typ, who, channel, data, nil)
	s.mu.Unlock()
	s.dispatch(e)
	return e.in.ID
}

// Click is one member clicking one button.
type Click struct {
	Who      Member
	CustomID string
	// Values, when set, are the options chosen in a select menu: the
	// component used is then that menu.
	Values []string
}

// Click has who click the button with customID on message messageID, and
// returns the interaction's ID.
func (s *Server) Click(who Member, messageID, customID string) string {
	s.t.Helper()
	return s.ClickAll(messageID, Click{Who: who, CustomID: customID})[0]
}

// ClickAll has members click buttons on message messageID all at once:
// the events are prepared first, then written back to back, as Discord
// delivers a rush of clicks. It returns the interactions' IDs, in order.
func (s *Server) ClickAll(messageID string, clicks ...Click) []string {
	s.t.Helper()
	s.mu.Lock()
	m := s.messages[messageID]
	if m == nil {
		s.mu.Unlock()
		s.t.Fatalf("discordtest: click on unknown message %s", messageID)
	}
	events := make([]event, len(clicks))
	ids := make([]string, len(clicks))
	for i, c := range clicks {
		data := discordgo.MessageComponentInteractionData{CustomID: c.CustomID, ComponentType: discordgo.ButtonComponent}
		if c.Values != nil {
			data.ComponentType, data.Values = discordgo.SelectMenuComponent, c.Values
		}
		events[i] = s.interactionLocked(discordgo.InteractionMessageComponent, c.Who, m.ChannelID, data, m)
		ids[i] = events[i].in.ID
	}
	s.mu.Unlock()
	s.dispatch(events...)
	return ids
}

// interactionLocked records a new interaction and returns its
// INTERACTION_CREATE; clicked is the message whose button was clicked.
func (s *Server) interactionLocked(typ discordgo.InteractionType, who Member, channel string, data any, clicked *Message) event {
	in := &Interaction{ID: s.newIDLocked(), Token: InteractionTokenPrefix + rand.Text(), ChannelID: channel, Type: typ}
	s.interactions[in.ID] = in
	s.byToken[in.Token] = in
	d := map[string]any{
		"id": in.ID, "application_id": AppID, "type": typ, "token": in.Token, "version": 1,
		"guild_id": GuildID, "channel_id": channel, "member": who.guildMember(true), "data": data,
		"locale": "en-US", "app_permissions": "0",
	}
	if s.dmChannelLocked(channel) {
		// In a direct message Discord sends the user, without a server
		// or roles.
		delete(d, "guild_id")
		delete(d, "member")
		d["user"] = who.user()
	}
	if clicked != nil {
		in.ClickedID = clicked.ID
		d["message"] = messageJSON(clicked)
	}
	return event{name: "INTERACTION_CREATE", data: d, in: in}
}

// DirectMessage has who send content in the direct-message channel
// channel, and returns the message's ID.
func (s *Server) DirectMessage(who Member, channel, content string) string {
	return s.post(who, channel, content, false, nil)
}

// ChannelMessage has who post content in channel of GuildID, mentioning
// the given user IDs, and returns the message's ID.
func (s *Server) ChannelMessage(who Member, channel, content string, mentions ...string) string {
	return s.post(who, channel, content, true, mentions)
}

func (s *Server) post(who Member, channel, content string, guild bool, mentions []string) string {
	id := locked(s, s.newIDLocked)
	users := []any{}
	for _, m := range mentions {
		users = append(users, map[string]any{"id": m})
	}
	d := map[string]any{
		"id": id, "channel_id": channel, "content": content, "type": 0, "mentions": users,
		"author": who.user(), "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
	}
	if guild {
		d["guild_id"] = GuildID
		d["member"] = who.guildMember(false)
	}
	s.dispatch(event{name: "MESSAGE_CREATE", data: d})
	return id
}

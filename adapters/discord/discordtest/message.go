package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/bwmarrin/discordgo"
)

// Message is a message the bot sent, as the server holds it: the
// accessors return copies.
type Message struct {
	ID, ChannelID string
	Content       string
	Embeds        []*discordgo.MessageEmbed
	Components    []Row
	Flags         discordgo.MessageFlags
	Files         map[string]string // attachment name → content
	ReplyTo       string            // the message it replies to, if any
	InteractionID string            // the interaction it answers, if any
	Deferred      bool              // a placeholder awaiting its content
	Edits         int
	CreatedAt     time.Time
	EditedAt      time.Time
}

// Row is an action row: up to five buttons, or one select menu.
type Row struct {
	Type       discordgo.ComponentType `json:"type"`
	Components []Button                `json:"components"`
}

// Button is a button, or a select menu, as the bot sent it.
type Button struct {
	Type     discordgo.ComponentType `json:"type"`
	Label    string                  `json:"label,omitempty"`
	Style    discordgo.ButtonStyle   `json:"style,omitempty"`
	CustomID string                  `json:"custom_id,omitempty"`
	URL      string                  `json:"url,omitempty"`
	Disabled bool                    `json:"disabled,omitempty"`
	// A select menu's placeholder, bounds and options.
	Placeholder string                       `json:"placeholder,omitempty"`
	MinValues   *int                         `json:"min_values,omitempty"`
	MaxValues   int                          `json:"max_values,omitempty"`
	Options     []discordgo.SelectMenuOption `json:"options,omitempty"`
}

// Ephemeral reports whether only the member it answers sees m.
func (m Message) Ephemeral() bool { return m.Flags&discordgo.MessageFlagsEphemeral != 0 }

// Embed returns m's first embed, or an empty one.
func (m Message) Embed() discordgo.MessageEmbed {
	if len(m.Embeds) == 0 || m.Embeds[0] == nil {
		return discordgo.MessageEmbed{}
	}
	return *m.Embeds[0]
}

// Footer returns the footer text of m's first embed.
func (m Message) Footer() string {
	if f := m.Embed().Footer; f != nil {
		return f.Text
	}
	return ""
}

// Text returns m's content and its embeds' titles, descriptions and
// footers, one per line, for assertions with strings.Contains.
func (m Message) Text() string {
	s := m.Content
	for _, e := range m.Embeds {
		s += "\n" + e.Title + "\n" + e.Description
		if e.Footer != nil {
			s += "\n" + e.Footer.Text
		}
	}
	return s
}

// CustomIDs returns the custom IDs of m's buttons, in order.
func (m Message) CustomIDs() []string { return m.buttons(func(b Button) string { return b.CustomID }) }

// Labels returns the labels of m's buttons, in order.
func (m Message) Labels() []string { return m.buttons(func(b Button) string { return b.Label }) }

func (m Message) buttons(field func(Button) string) []string {
	var out []string
	for _, r := range m.Components {
		for _, b := range r.Components {
			out = append(out, field(b))
		}
	}
	return out
}

func (m *Message) copy() Message {
	c := *m
	c.Embeds = slices.Clone(m.Embeds)
	c.Components = slices.Clone(m.Components)
	if m.Files != nil {
		c.Files = map[string]string{}
		for k, v := range m.Files {
			c.Files[k] = v
		}
	}
	return c
}

// outgoing is a message body the bot sends, or an interaction response's
// data, with the attachments of a multipart body.
type outgoing struct {
	Content         *string                    `json:"content"`
	Embeds          *[]*discordgo.MessageEmbed `json:"embeds"`
	Components      *[]Row                     `json:"components"`
	Flags           discordgo.MessageFlags     `json:"flags"`
	AllowedMentions *struct {
		Parse       []string `json:"parse"`
		RepliedUser bool     `json:"replied_user"`
	} `json:"allowed_mentions"`
	Reference *struct {
		MessageID string `json:"message_id"`
	} `json:"message_reference"`
	Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	Files   map[string]string                           `json:"-"`
}

// readMessage decodes a JSON or multipart message body. An interaction
// response wraps the message in "data" next to its type.
func (s *Server) readMessage(q *request, wrapped bool) (discordgo.InteractionResponseType, outgoing, error) {
	var (
		typ discordgo.InteractionResponseType
		out outgoing
	)
	raw, files, err := s.payload(q)
	if err != nil {
		return 0, out, err
	}
	if wrapped {
		var env struct {
			Type discordgo.InteractionResponseType `json:"type"`
			Data json.RawMessage                   `json:"data"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			return 0, out, fmt.Errorf("interaction response: %w", err)
		}
		typ, raw = env.Type, env.Data
	}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &out); err != nil {
			return 0, out, fmt.Errorf("message: %w", err)
		}
	}
	out.Files = files
	return typ, out, nil
}

// payload returns the JSON of a request and, for a multipart one, its
// attachments by file name.
func (s *Server) payload(q *request) ([]byte, map[string]string, error) {
	ct, params, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return q.body, nil, nil
	}
	var raw []byte
	files := map[string]string{}
	mr := multipart.NewReader(bytes.NewReader(q.body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return raw, files, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("multipart body: %w", err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, fmt.Errorf("multipart part %q: %w", part.FormName(), err)
		}
		switch name := part.FormName(); {
		case name == "payload_json":
			raw = b
		case strings.HasPrefix(name, "files[") && part.FileName() != "":
			files[part.FileName()] = string(b)
		default:
			s.violateLocked("multipart part named %q", name)
		}
	}
}

// textLen counts characters as Discord does, in UTF-16 code units.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// checkLocked records how message body o breaks Discord's limits or the
// bot's own rule that nothing it sends may ping anyone. A deferral carries
// no content and needs no allowed_mentions.
func (s *Server) checkLocked(o outgoing, where string, deferral bool) {
	bad := func(format string, args ...any) { s.violateLocked(where+": "+format, args...) }
	if !deferral && (o.AllowedMentions == nil || len(o.AllowedMentions.Parse) != 0 || o.AllowedMentions.RepliedUser) {
		bad("allowed_mentions missing or permissive: %+v", o.AllowedMentions)
	}
	// Discord's limits on lengths, counted in UTF-16 code units, and
	// counts.
	type limit struct {
		what   string
		n, max int
	}
	var limits []limit
	if o.Content != nil {
		limits = append(limits, limit{"content", textLen(*o.Content), 2000})
	}
	for _, e := range deref(o.Embeds) {
		title, desc, footer := textLen(e.Title), textLen(e.Description), 0
		if e.Footer != nil {
			footer = textLen(e.Footer.Text)
		}
		limits = append(limits, limit{"embed title", title, 256}, limit{"embed description", desc, 4096},
			limit{"embed footer", footer, 2048}, limit{"embed", title + desc + footer, 6000})
	}
	rows := deref(o.Components)
	limits = append(limits, limit{"component rows", len(rows), 5})
	seen := map[string]bool{}
	for _, row := range rows {
		limits = append(limits, limit{"buttons in a row", len(row.Components), 5})
		if row.Type != discordgo.ActionsRowComponent || len(row.Components) == 0 {
			bad("bad action row %+v", row)
		}
		for _, b := range row.Components {
			if b.Type == discordgo.SelectMenuComponent {
				s.checkSelectLocked(b, len(row.Components), seen, bad)
				continue
			}
			limits = append(limits, limit{"custom_id", textLen(b.CustomID), 100}, limit{"button label", textLen(b.Label), 80})
			link := b.Style == discordgo.LinkButton && b.URL != ""
			if b.Type != discordgo.ButtonComponent || (!link && (b.CustomID == "" || seen[b.CustomID])) {
				bad("bad button %+v", b)
			}
			seen[b.CustomID] = !link
		}
	}
	for _, l := range limits {
		if l.n > l.max {
			bad("%s of %d, over Discord's %d", l.what, l.n, l.max)
		}
	}
}

// deref returns what p points to, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// newMessageLocked stores a new message in channel.
func (s *Server) newMessageLocked(channel string, o outgoing) *Message {
	m := &Message{ID: s.newIDLocked(), ChannelID: channel, Flags: o.Flags, CreatedAt: time.Now()}
	if o.Reference != nil {
		m.ReplyTo = o.Reference.MessageID
	}
	apply(m, o)
	s.messages[m.ID] = m
	s.created = append(s.created, m)
	return m
}

// editLocked applies an edit to m.
func editLocked(m *Message, o outgoing) {
	apply(m, o)
	m.Deferred = false
	m.Edits++
	m.EditedAt = time.Now()
}

// apply sets what o carries on m; what o leaves out stays.
func apply(m *Message, o outgoing) {
	if o.Content != nil {
		m.Content = *o.Content
	}
	if o.Embeds != nil {
		m.Embeds = *o.Embeds
	}
	if o.Components != nil {
		m.Components = *o.Components
	}
	for name, data := range o.Files {
		if m.Files == nil {
			m.Files = map[string]string{}
		}
		m.Files[name] = data
	}
}

func botUser() map[string]any {
	return map[string]any{"id": BotID, "username": "Union Hall", "bot": true}
}

// messageJSON is m as Discord returns it.
func messageJSON(m *Message) map[string]any {
	embeds, comps := m.Embeds, m.Components
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	if comps == nil {
		comps = []Row{}
	}
	return map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "content": m.Content, "flags": m.Flags, "type": 0,
		"embeds": embeds, "components": comps, "author": botUser(),
		"timestamp": m.CreatedAt.UTC().Format(time.RFC3339Nano),
	}
}

package discord

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/cards"
)

// Discord's limits on what one message may carry. Lengths are counted in
// UTF-16 code units, as Discord's clients count them, which is never less
// than the number of characters.
const (
	maxContent      = 2000
	maxEmbedTitle   = 256
	maxEmbedDesc    = 4096
	maxEmbedFooter  = 2048
	maxEmbedTotal   = 6000
	maxButtonLabel  = 80
	maxCustomID     = 100
	maxButtonsInRow = 5
	maxRows         = 5
	maxChoices      = 25
	maxChoiceLength = 100
)

// cardColor is the accent colour of every card embed.
const cardColor = 0x2F6B3F

// noMentions is the allowed_mentions value sent with every message: nothing
// the bot posts may ping anyone, whatever the text contains.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// textLen returns the length of s as Discord counts it.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += runeUnits(r)
	}
	return n
}

// runeUnits returns how many UTF-16 units r takes (invalid runes count one).
func runeUnits(r rune) int {
	return max(1, utf16.RuneLen(r))
}

// truncate shortens s to at most max units as Discord counts them,
// ending with an ellipsis when it had to cut. It never cuts inside an
// escape sequence made by escapeMarkdown.
func truncate(s string, max int) string {
	out := bot.TruncateUnits(s, max, runeUnits)
	if out == s {
		return s
	}
	out = strings.TrimSuffix(out, bot.Ellipsis)
	// Never leave a dangling escape: an odd run of trailing backslashes
	// would escape the ellipsis.
	trailing := len(out) - len(strings.TrimRight(out, `\`))
	if trailing%2 == 1 {
		out = out[:len(out)-1]
	}
	return out + bot.Ellipsis
}

// escapeMarkdown makes plain text safe to show on Discord: characters that
// Discord reads as formatting, links, mentions, emoji or timestamps are
// escaped, constructs that only count at the start of a line (headings,
// quotes, lists) are neutralised, and @everyone/@here are broken with a
// zero-width space. Web addresses are left intact so they stay clickable.
func escapeMarkdown(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		escapeLine(&b, line)
	}
	return b.String()
}

func escapeLine(b *strings.Builder, line string) {
	// Keep leading white space, then neutralise line-start markup.
	rest := strings.TrimLeftFunc(line, unicode.IsSpace)
	b.WriteString(line[:len(line)-len(rest)])
	if rest != "" {
		switch rest[0] {
		case '#', '>', '-', '+', '*':
			b.WriteByte('\\')
			b.WriteByte(rest[0])
			rest = rest[1:]
		default:
			// "1. item" and "1) item" become lists.
			digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
			if digits > 0 && digits < len(rest) && (rest[digits] == '.' || rest[digits] == ')') {
				b.WriteString(rest[:digits])
				b.WriteByte('\\')
				b.WriteByte(rest[digits])
				rest = rest[digits+1:]
			}
		}
	}
	for rest != "" {
		if u := urlPrefixLen(rest); u > 0 {
			b.WriteString(rest[:u])
			rest = rest[u:]
			continue
		}
		r, size := utf8.DecodeRuneInString(rest)
		switch r {
		case '\\', '*', '_', '~', '`', '|', '[', ']', '<':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteRune(r)
			if lower := strings.ToLower(rest[size:]); strings.HasPrefix(lower, "everyone") || strings.HasPrefix(lower, "here") {
				b.WriteRune('\u200b')
			}
		default:
			b.WriteRune(r)
		}
		rest = rest[size:]
	}
}

// urlPrefixLen returns the length of the web address s starts with, or 0.
// The address ends at white space or at characters Discord does not take
// as part of a link.
func urlPrefixLen(s string) int {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return 0
	}
	end := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '<' || r == '>' || r == '"' })
	if end < 0 {
		end = len(s)
	}
	// Trailing punctuation belongs to the sentence, not the address.
	u := strings.TrimRight(s[:end], ".,:;!?)]'*_~|`")
	if strings.HasSuffix(u, "://") {
		return 0
	}
	return len(u)
}

// splitText escapes plain text and cuts it into chunks that each fit in one
// message, preferring line breaks, then spaces. It returns nil for empty
// text.
func splitText(s string, max int) []string {
	s = strings.TrimRight(s, "\n ")
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if e := escapeMarkdown(s); textLen(e) <= max {
		return []string{e}
	}
	var (
		chunks []string
		cur    []string // raw lines of the current chunk
		curLen int      // escaped length of cur joined by newlines
	)
	flush := func() {
		if len(cur) > 0 {
			chunks = append(chunks, escapeMarkdown(strings.Join(cur, "\n")))
		}
		cur, curLen = nil, 0
	}
	add := func(piece string) {
		l := textLen(escapeMarkdown(piece))
		if len(cur) > 0 && curLen+1+l > max {
			flush()
		}
		if len(cur) > 0 {
			curLen++
		}
		cur = append(cur, piece)
		curLen += l
	}
	for _, line := range strings.Split(s, "\n") {
		if textLen(escapeMarkdown(line)) <= max {
			add(line)
			continue
		}
		flush()
		for _, part := range splitLine(line, max) {
			add(part)
			flush()
		}
	}
	flush()
	return chunks
}

// splitLine cuts one long line at spaces (or anywhere, for a very long
// word) into pieces whose escaped form fits in max.
func splitLine(line string, max int) []string {
	var parts []string
	var cur strings.Builder
	for _, word := range strings.SplitAfter(line, " ") {
		if textLen(escapeMarkdown(cur.String()+word)) <= max {
			cur.WriteString(word)
			continue
		}
		if cur.Len() > 0 {
			parts = append(parts, cur.String())
			cur.Reset()
		}
		for textLen(escapeMarkdown(word)) > max {
			// Escaping at most doubles a character, so max/2 runes fit.
			cut, n := 0, 0
			for i := range word {
				if n >= max/2 {
					cut = i
					break
				}
				n++
			}
			parts = append(parts, word[:cut])
			word = word[cut:]
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		parts = append(parts, cur.String())
	}
	return parts
}

// renderCard turns a card into an embed and its button rows. Member text is
// escaped; the footer is left as is because Discord shows footers without
// formatting.
func (a *Adapter) renderCard(c *bot.Card) (*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: cardColor}
	e.Title = truncate(escapeMarkdown(strings.TrimSpace(c.Title)), maxEmbedTitle)
	if f := strings.TrimSpace(c.Footer); f != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: truncate(f, maxEmbedFooter)}
	}
	buttons := a.renderButtons(c.Buttons)
	if rank := a.rankButton(c); rank != nil && len(buttons) < maxRows {
		buttons = append(buttons, rank...)
	}
	body := strings.TrimSpace(c.Body)
	if extra := len(c.Buttons) - countButtons(buttons); extra > 0 {
		body += "\n\n(Some actions do not fit as buttons; type the command instead.)"
	}
	room := maxEmbedTotal - textLen(e.Title)
	if e.Footer != nil {
		room -= textLen(e.Footer.Text)
	}
	e.Description = truncate(escapeMarkdown(body), min(maxEmbedDesc, room))
	if e.Title == "" && e.Description == "" {
		e.Description = "\u200b" // Discord refuses an empty embed
	}
	return e, buttons
}

func countButtons(rows []discordgo.MessageComponent) int {
	n := 0
	for _, r := range rows {
		n += len(r.(discordgo.ActionsRow).Components)
	}
	return n
}

// renderButtons lays buttons out in rows of five, at most five rows.
// Buttons with the same command are shown once: Discord refuses duplicate
// custom IDs, and they would do the same thing.
func (a *Adapter) renderButtons(buttons []bot.Button) []discordgo.MessageComponent {
	var (
		rows []discordgo.MessageComponent
		row  []discordgo.MessageComponent
		seen = map[string]bool{}
	)
	for _, btn := range buttons {
		id := a.customIDs.encode(btn.Command())
		if seen[id] {
			continue
		}
		if len(rows) == maxRows {
			break
		}
		seen[id] = true
		label := strings.TrimSpace(btn.Label)
		if label == "" {
			label = btn.Command()
		}
		row = append(row, discordgo.Button{
			Label:    truncate(label, maxButtonLabel),
			Style:    buttonStyle(btn.Style),
			CustomID: id,
		})
		if len(row) == maxButtonsInRow {
			rows = append(rows, discordgo.ActionsRow{Components: row})
			row = nil
		}
	}
	if len(row) > 0 && len(rows) < maxRows {
		rows = append(rows, discordgo.ActionsRow{Components: row})
	}
	return rows
}

func buttonStyle(s bot.ButtonStyle) discordgo.ButtonStyle {
	switch s {
	case bot.StylePrimary:
		return discordgo.PrimaryButton
	case bot.StyleDanger:
		return discordgo.DangerButton
	default:
		return discordgo.SecondaryButton
	}
}

// longIDPrefix marks a custom ID that stands for a command too long to fit
// in Discord's 100-character limit.
const longIDPrefix = "#uh:"

// maxLongIDs bounds how many long commands are remembered.
const maxLongIDs = 10000

// customIDs maps button commands to Discord custom IDs. A command that fits
// is its own custom ID, so buttons keep working across restarts. A longer
// one is replaced by a digest of itself and remembered in memory; after a
// restart such a button asks the member to type the command instead.
type customIDs struct {
	mu    sync.Mutex
	long  map[string]string // digest ID → command
	order []string
}

func (c *customIDs) encode(cmd string) string {
	if textLen(cmd) <= maxCustomID && !strings.HasPrefix(cmd, longIDPrefix) {
		return cmd
	}
	sum := sha256.Sum256([]byte(cmd))
	id := longIDPrefix + hex.EncodeToString(sum[:20])
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.long == nil {
		c.long = map[string]string{}
	}
	if _, ok := c.long[id]; !ok {
		c.long[id] = cmd
		c.order = append(c.order, id)
		if len(c.order) > maxLongIDs {
			delete(c.long, c.order[0])
			c.order = c.order[1:]
		}
	}
	return id
}

// decode returns the command a custom ID stands for. ok is false for a
// digest this process does not know (e.g. made before a restart).
func (c *customIDs) decode(id string) (string, bool) {
	if !strings.HasPrefix(id, longIDPrefix) {
		return id, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cmd, ok := c.long[id]
	return cmd, ok
}

// outMessage is one Discord message to post: content, at most one embed with
// its buttons, and at most one file.
type outMessage struct {
	content    string
	embed      *discordgo.MessageEmbed
	components []discordgo.MessageComponent
	file       *bot.File
	cardKey    string // the card's Key, when the message shows a card
	changes    bool   // the card can change (cards.Changes): its messages are worth remembering
}

func (m outMessage) embeds() []*discordgo.MessageEmbed {
	if m.embed == nil {
		return []*discordgo.MessageEmbed{}
	}
	return []*discordgo.MessageEmbed{m.embed}
}

func (m outMessage) componentList() []discordgo.MessageComponent {
	if m.components == nil {
		return []discordgo.MessageComponent{}
	}
	return m.components
}

func (m outMessage) files() []*discordgo.File {
	if m.file == nil {
		return nil
	}
	ct := m.file.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	return []*discordgo.File{{Name: m.file.Name, ContentType: ct, Reader: bytes.NewReader(m.file.Data)}}
}

// renderReply turns a reply into the messages that show it: the text split
// to fit, with the card and the file on the last message. It returns nil
// for an empty reply.
func (a *Adapter) renderReply(r bot.Reply) []outMessage {
	var out []outMessage
	for _, chunk := range splitText(r.Text, maxContent) {
		out = append(out, outMessage{content: chunk})
	}
	if r.Card == nil && r.File == nil {
		return out
	}
	if len(out) == 0 {
		out = append(out, outMessage{})
	}
	last := &out[len(out)-1]
	if r.Card != nil {
		last.embed, last.components = a.renderCard(r.Card)
		last.cardKey, last.changes = r.Card.Key, cards.Changes(*r.Card)
	}
	last.file = r.File
	return out
}

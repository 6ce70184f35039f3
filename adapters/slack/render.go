package slack

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
)

// Slack's limits on what one message may hold.
const (
	maxSectionChars  = 3000 // text of a section block
	maxHeaderChars   = 150  // text of a header block
	maxBlocks        = 50   // blocks in one message
	maxButtonsPerRow = 25   // elements in one actions block
	maxButtonLabel   = 75   // text of a button
	maxButtonValue   = 2000 // value of a button
	maxContextChars  = 2000 // text of a context element (kept well inside)
	maxFallbackChars = 3000 // top-level text shown in notifications
	// maxMessageChars bounds the text of all blocks of one message. Slack
	// documents 40,000 characters for the top-level text, but refuses
	// blocks whose text totals much more than about 12,000
	// (msg_blocks_too_long), so messages are split well inside that.
	maxMessageChars = 11000
	maxBlockIDLen   = 255 // block_id
)

// Block and action IDs. Card actions blocks carry the card's Key in their
// block_id so that a click can re-attach a message to its card (for
// updates) even after a restart.
const (
	textBlockPrefix = "uh.text."
	bodyBlockPrefix = "uh.body."
	cardBlockPrefix = "uh.card."
	headerBlockID   = "uh.head"
	footerBlockID   = "uh.foot"
	buttonPrefix    = "uh.btn."
)

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape replaces the three characters Slack reads as markup (&, <, >)
// with entities, so that text from members cannot form links, user or
// channel mentions, or @channel/@here.
func escape(s string) string { return escaper.Replace(s) }

var urlPattern = regexp.MustCompile(`https?://[^\s<>"|]+`)

// mrkdwn renders plain text as mrkdwn: markup characters escaped, and bare
// http(s) URLs turned into links that show the URL itself (so the target
// is always what the reader sees). Text objects are sent with verbatim
// set, so Slack adds no links or mentions of its own.
func mrkdwn(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range urlPattern.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		for end > start && strings.ContainsRune(".,;:!?)'\"]}", rune(s[end-1])) {
			end--
		}
		if end-start <= len("https://") {
			continue
		}
		b.WriteString(escape(s[last:start]))
		b.WriteString("<" + escape(s[start:end]) + ">")
		last = end
	}
	b.WriteString(escape(s[last:]))
	return b.String()
}

// splitRendered splits rendered mrkdwn into pieces of at most limit runes,
// preferring to cut at a line break, then at a space, and never inside an
// entity (&amp;) or a link (<...>) when it can avoid it. Blank pieces are
// dropped.
func splitRendered(s string, limit int) []string {
	var out []string
	add := func(p string) {
		p = strings.Trim(p, "\n")
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	for utf8.RuneCountInString(s) > limit {
		cut := cutPoint(s, limit)
		add(s[:cut])
		s = s[cut:]
	}
	add(s)
	return out
}

// cutPoint returns the byte offset at which to cut s so that the head has
// at most limit runes.
func cutPoint(s string, limit int) int {
	end := 0
	for i := 0; i < limit; i++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	head := s[:end]
	cut := end
	if i := strings.LastIndexByte(head, '\n'); i > len(head)/2 {
		cut = i + 1
	} else if i := strings.LastIndexByte(head, ' '); i > len(head)/2 {
		cut = i + 1
	}
	if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && !strings.Contains(s[amp:cut], ";") && amp > 0 {
		cut = amp
	}
	if lt := strings.LastIndexByte(s[:cut], '<'); lt > 0 && !strings.Contains(s[lt:cut], ">") {
		cut = lt
	}
	return cut
}

// message is one Slack message ready to post: its blocks and the
// top-level text used for notifications.
type message struct {
	blocks   []slack.Block
	fallback string
	// card is set on the message that shows the reply's card; prefix are
	// the text blocks shown before it, kept when the card is updated.
	card   *bot.Card
	prefix []slack.Block
}

func (m message) options() []slack.MsgOption {
	return []slack.MsgOption{
		slack.MsgOptionText(m.fallback, false),
		slack.MsgOptionBlocks(m.blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
}

func sectionBlock(id, text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, true), nil, nil, slack.SectionBlockOptionBlockID(id))
}

// renderReply turns a reply's text and card into one or more messages
// within Slack's limits. The card, if any, is on the last message.
func renderReply(r bot.Reply) []message {
	var msgs []message
	var cur message
	chars := 0
	flush := func() {
		if len(cur.blocks) > 0 {
			msgs = append(msgs, cur)
		}
		cur, chars = message{}, 0
	}
	n := 0
	for _, piece := range splitRendered(mrkdwn(r.Text), maxSectionChars) {
		size := utf8.RuneCountInString(piece)
		if len(cur.blocks) >= maxBlocks || chars+size > maxMessageChars {
			flush()
		}
		cur.blocks = append(cur.blocks, sectionBlock(fmt.Sprintf("%s%d", textBlockPrefix, n), piece))
		if cur.fallback == "" {
			cur.fallback = splitRendered(piece, maxFallbackChars)[0]
		}
		chars += size
		n++
	}
	if r.Card != nil {
		card := renderCard(*r.Card)
		if len(cur.blocks)+len(card) > maxBlocks || chars+blocksChars(card) > maxMessageChars {
			flush()
		}
		cur.prefix = cur.blocks
		cur.blocks = append(append([]slack.Block(nil), cur.blocks...), card...)
		c := *r.Card
		cur.card = &c
		if cur.fallback == "" {
			cur.fallback = cardFallback(c)
		}
	}
	flush()
	return msgs
}

// cardMessage renders card c after the given prefix blocks, for chat.update.
func cardMessage(prefix []slack.Block, c bot.Card) message {
	blocks := append(append([]slack.Block(nil), prefix...), renderCard(c)...)
	if len(blocks) > maxBlocks {
		blocks = renderCard(c)
	}
	return message{blocks: blocks, fallback: cardFallback(c), card: &c, prefix: prefix}
}

func cardFallback(c bot.Card) string {
	s := c.Title
	if s == "" {
		s, _, _ = strings.Cut(c.Body, "\n")
	}
	if s == "" {
		s = "Union Hall"
	}
	return bot.Truncate(escape(s), maxFallbackChars)
}

// blocksChars counts the text Slack counts against a message's blocks:
// headers, sections, context lines and button labels.
func blocksChars(blocks []slack.Block) int {
	n := 0
	text := func(t *slack.TextBlockObject) {
		if t != nil {
			n += utf8.RuneCountInString(t.Text)
		}
	}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			text(b.Text)
		case *slack.HeaderBlock:
			text(b.Text)
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					text(t)
				}
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					text(btn.Text)
				}
			}
		}
	}
	return n
}

// renderCard renders a card as Block Kit: a header, the body in sections,
// the buttons in actions blocks (one per 25 buttons; every button's value
// is its command and its action_id unique in the message), and the footer
// as a context line. The body is cut short if the card would exceed 50
// blocks.
func renderCard(c bot.Card) []slack.Block {
	rev := cardRevision(c)
	var head, tail []slack.Block
	if t := strings.TrimSpace(c.Title); t != "" {
		// plain_text is never parsed for markup, so it is sent as is.
		head = append(head, slack.NewHeaderBlock(
			slack.NewTextBlockObject(slack.PlainTextType, bot.Truncate(t, maxHeaderChars), true, false),
			slack.HeaderBlockOptionBlockID(headerBlockID+rev)))
	}
	var row []slack.BlockElement
	rows := 0
	flushRow := func() {
		if len(row) > 0 {
			tail = append(tail, slack.NewActionBlock(cardBlockID(rows, rev, c.Key), row...))
			rows++
			row = nil
		}
	}
	for i, b := range c.Buttons {
		cmd := b.Command()
		if len(cmd) > maxButtonValue {
			continue
		}
		label := strings.TrimSpace(b.Label)
		if label == "" {
			label = cmd
		}
		btn := slack.NewButtonBlockElement(fmt.Sprintf("%s%d", buttonPrefix, i), cmd,
			slack.NewTextBlockObject(slack.PlainTextType, bot.Truncate(label, maxButtonLabel), true, false))
		switch b.Style {
		case bot.StylePrimary:
			btn = btn.WithStyle(slack.StylePrimary)
		case bot.StyleDanger:
			btn = btn.WithStyle(slack.StyleDanger)
		}
		if len(row) == maxButtonsPerRow {
			flushRow()
		}
		row = append(row, btn)
	}
	if c.Ranking != nil {
		if btn := rankButton(*c.Ranking); btn != nil {
			if len(row) == maxButtonsPerRow {
				flushRow()
			}
			row = append(row, btn)
		}
	}
	flushRow()
	if f := strings.TrimSpace(c.Footer); f != "" {
		tail = append(tail, slack.NewContextBlock(footerBlockID+rev,
			slack.NewTextBlockObject(slack.MarkdownType, splitRendered(mrkdwn(f), maxContextChars)[0], false, true)))
	}
	room := maxBlocks - len(head) - len(tail)
	budget := maxMessageChars - blocksChars(head) - blocksChars(tail)
	var body []slack.Block
	pieces := splitRendered(mrkdwn(c.Body), maxSectionChars)
	for i, p := range pieces {
		size := utf8.RuneCountInString(p)
		last := i == room-1 || size+2 >= budget
		if i >= room || budget <= 2 {
			break
		}
		if last && (len(pieces) > i+1 || size > budget) {
			// The body does not fit: cut it here and say so.
			p = strings.TrimRight(splitRendered(p, min(maxSectionChars, budget)-2)[0], " ") + " …"
		}
		body = append(body, sectionBlock(fmt.Sprintf("%s%d%s", bodyBlockPrefix, i, rev), p))
		budget -= utf8.RuneCountInString(p)
		if last {
			break
		}
	}
	blocks := append(append(head, body...), tail...)
	if len(blocks) == 0 {
		blocks = append(blocks, sectionBlock(bodyBlockPrefix+"0"+rev, "…"))
	}
	return blocks
}

// cardRevision is a short tag of a card's content, added to its block_ids:
// Slack asks for new block_ids each time a message is updated, and a card
// shown again unchanged keeps the same ones.
func cardRevision(c bot.Card) string {
	h := fnv.New32a()
	for _, s := range []string{c.Title, c.Body, c.Footer} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, b := range c.Buttons {
		h.Write([]byte(b.Label + "\x00" + b.Command() + "\x00"))
	}
	if c.Ranking != nil {
		if btn := rankButton(*c.Ranking); btn != nil {
			h.Write([]byte(btn.Value))
		}
	}
	return fmt.Sprintf(".r%08x", h.Sum32())
}

// cardBlockID is the block_id of a card's n-th actions block.
func cardBlockID(n int, rev, key string) string {
	id := fmt.Sprintf("%s%d%s:", cardBlockPrefix, n, rev)
	if len(id)+len(key) > maxBlockIDLen {
		return id
	}
	return id + key
}

// cardKeyFromBlockID returns the card Key carried by an actions block's
// block_id, and false when the block is not one of a card's.
func cardKeyFromBlockID(id string) (string, bool) {
	rest, ok := strings.CutPrefix(id, cardBlockPrefix)
	if !ok {
		return "", false
	}
	_, key, ok := strings.Cut(rest, ":")
	return key, ok && key != ""
}

// textPrefix returns the leading text blocks of a posted message (those
// the adapter rendered from a reply's text), to keep them when its card is
// updated.
func textPrefix(blocks []slack.Block) []slack.Block {
	var out []slack.Block
	for _, b := range blocks {
		s, ok := b.(*slack.SectionBlock)
		if !ok || !strings.HasPrefix(s.BlockID, textBlockPrefix) {
			break
		}
		out = append(out, s)
	}
	return out
}

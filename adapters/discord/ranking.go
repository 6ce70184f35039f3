package discord

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

// A card's bot.Ranking is a button that answers the member, privately,
// with a message of select menus, one per rank, and a Submit button.
// Discord allows five component rows, so the message shows four ranks at a
// time (a page) and the fifth row holds Submit and, when the options are
// more than four, buttons to the earlier and later ranks. The picks so far
// live only in that message's custom IDs, which every change rewrites;
// nothing is sent until Submit sends the whole ranking as one command.
//
// A custom ID of the flow reads "#rk|<card key>|<page>|<picks>|<part>":
// picks has one character per rank (rankDigits[n] for option n, "0" for
// none), and part is "open" (the card's button), a rank number (its
// menu), or one of the buttons rankSubmit, rankEarlier and rankLater.
const (
	rankIDPrefix   = "#rk|"
	rankOpen       = "open"
	rankSubmit     = "submit"
	rankEarlier    = "earlier"
	rankLater      = "later"
	ranksPerPage   = maxRows - 1
	rankDigits     = "0123456789abcdefghijklmnopqrstuvwxyz"
	maxPlaceholder = 150
)

// rankState is what a ranking message's custom IDs carry.
type rankState struct {
	key   string
	page  int
	picks []int // picks[i] is the option chosen for rank i+1, 0 for none
	part  string
}

// id returns the custom ID of part of the ranking message in state s, and
// false when it does not fit in a custom ID.
func (s rankState) id(part string) (string, bool) {
	var b strings.Builder
	last := len(s.picks)
	for last > 0 && s.picks[last-1] == 0 {
		last--
	}
	for _, p := range s.picks[:last] {
		if p < 0 || p >= len(rankDigits) {
			return "", false
		}
		b.WriteByte(rankDigits[p])
	}
	id := fmt.Sprintf("%s%s|%d|%s|%s", rankIDPrefix, s.key, s.page, b.String(), part)
	return id, textLen(id) <= maxCustomID && !strings.Contains(s.key, "|")
}

// parseRankID reads the state a ranking custom ID carries; ok is false for
// any other custom ID.
func parseRankID(id string) (s rankState, ok bool) {
	rest, ok := strings.CutPrefix(id, rankIDPrefix)
	if !ok {
		return s, false
	}
	f := strings.Split(rest, "|")
	if len(f) != 4 || f[0] == "" {
		return s, false
	}
	page, err := strconv.Atoi(f[1])
	if err != nil || page < 0 {
		return s, false
	}
	s = rankState{key: f[0], page: page, part: f[3]}
	for _, c := range f[2] {
		n := strings.IndexRune(rankDigits, c)
		if n < 0 {
			return s, false
		}
		s.picks = append(s.picks, n)
	}
	return s, true
}

// CardSource gives a card as it is now, rebuilt from what is stored, so
// that a click on a card this process has not shown (one posted before a
// restart) finds what it needs. polls.Service implements it.
type CardSource interface {
	// StoredCard returns the card with key, and false when there is no
	// such card.
	StoredCard(ctx context.Context, key string) (bot.Card, bool, error)
}

// rankingClosed answers a click on a card's ranking button when the card,
// as stored, takes no ranking any more.
const rankingClosed = "This poll no longer takes rankings: it has closed or been deleted."

// rankings remembers the ranking of each card this process rendered, by
// card key, so that its button can show the options (a custom ID has no
// room for them). Like long custom IDs, the oldest are forgotten past
// maxLongIDs; a card not remembered (after a restart, or forgotten) has
// its ranking rebuilt from Options.Cards.
type rankings struct {
	mu    sync.Mutex
	byKey map[string]bot.Ranking
	order []string
}

func (r *rankings) remember(key string, rk bot.Ranking) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byKey == nil {
		r.byKey = map[string]bot.Ranking{}
	}
	if _, ok := r.byKey[key]; !ok {
		r.order = append(r.order, key)
		if len(r.order) > maxLongIDs {
			delete(r.byKey, r.order[0])
			r.order = r.order[1:]
		}
	}
	r.byKey[key] = rk
}

func (r *rankings) get(key string) (bot.Ranking, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rk, ok := r.byKey[key]
	return rk, ok
}

// rankButton returns the row with the button that opens card c's ranking,
// or nil when the card has none (or it cannot be offered: more options
// than a menu holds, or a key too long for a custom ID).
func (a *Adapter) rankButton(c *bot.Card) []discordgo.MessageComponent {
	rk := c.Ranking
	if rk == nil || c.Key == "" || len(rk.Options) == 0 || len(rk.Options) > maxChoices {
		return nil
	}
	id, ok := rankState{key: c.Key, picks: make([]int, len(rk.Options))}.id(rankOpen)
	if !ok {
		return nil
	}
	a.rankings.remember(c.Key, *rk)
	label := strings.TrimSpace(rk.Label)
	if label == "" {
		label = "Rank"
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: truncate(label, maxButtonLabel), Style: discordgo.PrimaryButton, CustomID: id},
	}}}
}

// rankMessage renders the private ranking message in state s: what the
// member has picked so far, problem (if any), a menu per rank of the
// page, and the buttons.
func rankMessage(rk bot.Ranking, s rankState, problem string) *discordgo.InteractionResponseData {
	var b strings.Builder
	if t := strings.TrimSpace(rk.Title); t != "" {
		b.WriteString("**" + escapeMarkdown(t) + "**\n")
	}
	b.WriteString("Pick your choices, most preferred first, then press Submit. Nothing is sent until you do.\n")
	var so []string
	for i, o := range s.picks {
		if o > 0 && o <= len(rk.Options) {
			so = append(so, fmt.Sprintf("%s: %d. %s", bot.RankLabel(i+1), o, escapeMarkdown(rk.Options[o-1])))
		}
	}
	if len(so) == 0 {
		so = []string{"nothing yet"}
	}
	b.WriteString("Your ranking so far: " + strings.Join(so, ", ") + ".")
	if problem != "" {
		b.WriteString("\n\n" + problem)
	}
	var rows []discordgo.MessageComponent
	zero := 0
	first := s.page*ranksPerPage + 1
	for n := first; n < first+ranksPerPage && n <= len(rk.Options); n++ {
		id, ok := s.id(strconv.Itoa(n))
		if !ok {
			break
		}
		menu := discordgo.SelectMenu{
			MenuType:    discordgo.StringSelectMenu,
			CustomID:    id,
			Placeholder: truncate(bot.RankLabel(n), maxPlaceholder),
			MinValues:   &zero,
			MaxValues:   1,
		}
		for i, o := range rk.Options {
			menu.Options = append(menu.Options, discordgo.SelectMenuOption{
				Label:   truncate(fmt.Sprintf("%d. %s", i+1, o), maxChoiceLength),
				Value:   strconv.Itoa(i + 1),
				Default: s.picks[n-1] == i+1,
			})
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{menu}})
	}
	var buttons []discordgo.MessageComponent
	add := func(label, part string, style discordgo.ButtonStyle) {
		if id, ok := s.id(part); ok {
			buttons = append(buttons, discordgo.Button{Label: label, Style: style, CustomID: id})
		}
	}
	add("Submit", rankSubmit, discordgo.PrimaryButton)
	if s.page > 0 {
		add("Earlier ranks", rankEarlier, discordgo.SecondaryButton)
	}
	if first+ranksPerPage <= len(rk.Options) {
		add("Later ranks", rankLater, discordgo.SecondaryButton)
	}
	rows = append(rows, discordgo.ActionsRow{Components: buttons})
	return &discordgo.InteractionResponseData{
		Content:         truncate(b.String(), maxContent),
		Components:      rows,
		AllowedMentions: noMentions(),
		Flags:           discordgo.MessageFlagsEphemeral,
	}
}

// onRanking answers a click in the ranking flow: the card's button opens
// the private ranking message; a menu or a page button updates it; Submit
// sends the whole ranking as one command from the member, or, when the
// picks cannot be sent (an option picked twice, a rank skipped), says why
// in the message and sends nothing.
func (a *Adapter) onRanking(ctx context.Context, w *interactionWriter, s rankState, data discordgo.MessageComponentInteractionData) {
	rk, missing := a.ranking(ctx, s.key)
	if missing != "" {
		a.replyOrLog(ctx, w, bot.Reply{Text: missing, Private: true})
		return
	}
	s.picks = append(s.picks, make([]int, max(len(rk.Options)-len(s.picks), 0))...)[:len(rk.Options)]
	typ := discordgo.InteractionResponseUpdateMessage
	problem := ""
	switch s.part {
	case rankOpen:
		typ = discordgo.InteractionResponseChannelMessageWithSource
	case rankEarlier:
		s.page = max(s.page-1, 0)
	case rankLater:
		s.page++
	case rankSubmit:
		order, _, msg := rk.Problem(s.picks)
		if msg == "" {
			sent := &discordgo.InteractionResponseData{Content: "Sending your ranking…", Components: []discordgo.MessageComponent{}, AllowedMentions: noMentions()}
			if err := w.show(ctx, typ, sent); err != nil {
				a.log.Warn("could not answer a ranking", "err", err)
				return
			}
			if m := a.interactionMessage(ctx, w.i, rk.Command(order), true); m != nil {
				a.dispatch(ctx, w, m)
			}
			return
		}
		problem = msg
	default:
		n, err := strconv.Atoi(s.part)
		if err != nil || n < 1 || n > len(s.picks) {
			a.replyOrLog(ctx, w, bot.Reply{Text: unreadable, Private: true})
			return
		}
		s.picks[n-1] = 0
		if len(data.Values) > 0 {
			s.picks[n-1], _ = strconv.Atoi(data.Values[0])
		}
	}
	s.page = min(s.page, (len(rk.Options)-1)/ranksPerPage)
	if err := w.show(ctx, typ, rankMessage(rk, s, problem)); err != nil {
		a.log.Warn("could not answer a ranking", "err", err)
	}
}

// ranking returns the ranking of card key: as this process last showed
// it, or rebuilt from Options.Cards. When there is none, it returns what
// to tell the member instead.
func (a *Adapter) ranking(ctx context.Context, key string) (rk bot.Ranking, missing string) {
	if rk, ok := a.rankings.get(key); ok {
		return rk, ""
	}
	if a.opts.Cards == nil {
		return rk, expiredButton
	}
	c, ok, err := a.opts.Cards.StoredCard(ctx, key)
	if err != nil {
		a.log.Warn("could not rebuild a card's ranking from the store", "card", key, "err", err)
		return rk, expiredButton
	}
	if !ok || c.Ranking == nil {
		return rk, rankingClosed
	}
	a.rankings.remember(key, *c.Ranking)
	return *c.Ranking, ""
}

// show answers the interaction with a message (typ: a new message, or an
// update of the clicked one); later replies are follow-ups.
func (w *interactionWriter) show(ctx context.Context, typ discordgo.InteractionResponseType, data *discordgo.InteractionResponseData) error {
	w.a.acks.begin()
	defer w.a.acks.end()
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.callback(ctx, &discordgo.InteractionResponse{Type: typ, Data: data}, nil); err != nil {
		w.state = ackFailed
		return err
	}
	w.state = ackDone
	return nil
}

package discord

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/pace"
)

// Discord's JSON error codes for "Cannot send messages to this user", and
// for "You are opening direct messages too fast" (its spam protection,
// which publishes no limit).
const (
	errCannotDM          = 50007
	errOpeningDMsTooFast = 40003
)

const (
	emptyMentionHint = "Ask me a question after the mention, e.g. \"@Union Hall when is the ratification deadline?\", or type /help to see what I can do."
	closedDMsNote    = "I tried to answer you privately, but Discord would not let me send you a direct message. Allow direct messages from this server's members, or use a slash command such as /faq, whose answers only you can see."
)

// onMessage handles MESSAGE_CREATE: direct messages to the bot, and
// messages in a server that @mention it. Everything else is ignored (and
// without the privileged message content intent, Discord sends the text of
// nothing else).
func (a *Adapter) onMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	if mc == nil || mc.Message == nil {
		return
	}
	m := mc.Message
	botID, _ := a.ids()
	if m.Author == nil || m.Author.Bot || m.Author.System || m.WebhookID != "" || m.Author.ID == botID || botID == "" {
		return
	}
	dm := m.GuildID == ""
	mentioned := false
	for _, u := range m.Mentions {
		if u != nil && u.ID == botID {
			mentioned = true
		}
	}
	if !dm && !mentioned {
		return
	}
	if !a.work.add() {
		return
	}
	defer a.work.done()
	defer a.recoverPanic("message")
	ctx, cancel := a.eventContext()
	defer cancel()

	w := &messageWriter{a: a, channel: m.ChannelID, messageID: m.ID, userID: m.Author.ID, dm: dm, asked: m.Timestamp}
	if w.asked.IsZero() {
		w.asked = a.snowflakeTime(m.ID)
	}
	text := stripMention(m.Content, botID)
	if text == "" {
		a.replyOrLog(ctx, w, bot.Reply{Text: emptyMentionHint})
		return
	}
	var roles []string
	name := displayName(m.Author)
	if m.Member != nil {
		roles = m.Member.Roles
		if m.Member.Nick != "" {
			name = m.Member.Nick
		}
	}
	msg := &bot.Message{
		Platform: bot.PlatformDiscord,
		Channel:  bot.Channel{ID: m.ChannelID},
		User: bot.User{
			ID:              bot.QualifiedID(bot.PlatformDiscord, m.Author.ID),
			Name:            name,
			PlatformSteward: a.roles.steward(ctx, m.GuildID, roles),
			Groups:          a.memberGroups(ctx, m.GuildID, roles),
		},
		Text:    text,
		DM:      dm,
		Mention: !dm,
		Time:    m.Timestamp,
	}
	if msg.Time.IsZero() {
		msg.Time = a.snowflakeTime(m.ID)
	}
	a.dispatch(ctx, w, msg)
}

// stripMention removes the bot's mentions from a message and trims it.
func stripMention(content, botID string) string {
	content = strings.ReplaceAll(content, "<@"+botID+">", " ")
	content = strings.ReplaceAll(content, "<@!"+botID+">", " ")
	return strings.TrimSpace(content)
}

// messageWriter answers a direct message or a mention. Public replies go
// to the channel as replies to the member's message; private replies go to
// the member's direct messages.
type messageWriter struct {
	a         *Adapter
	channel   string
	messageID string
	userID    string
	dm        bool
	asked     time.Time // when the member sent the message
}

// Reply posts r in the channel, or in the member's direct messages when
// r.Private. A public answer that would wait longer than pace.BusyAfter
// behind the channel's queue goes to the member's direct messages
// instead, saying why (in the channel after all if those are closed).
func (w *messageWriter) Reply(ctx context.Context, r bot.Reply) error {
	msgs := w.a.renderReply(r)
	if len(msgs) == 0 {
		return nil
	}
	if r.Private && !w.dm {
		err := w.direct(ctx, msgs)
		if closedDMs(err) {
			// Say so in the channel, without the private content.
			_, err = w.a.post(ctx, w.channel, w.a.renderReply(bot.Reply{Text: closedDMsNote}), w.messageID)
		}
		return err
	}
	if !w.dm && w.busy(r) {
		if err := w.direct(ctx, w.a.renderReply(pace.Privately(r))); !closedDMs(err) {
			return err
		}
	}
	// While it waits its turn, the answer goes privately after all once
	// the channel would post it later than pace.BusyAfter from now.
	pctx, divert := context.WithCancel(ctx)
	defer divert()
	var diverted func()
	if !w.dm && pace.MayAnswerPrivately(r) {
		diverted = divert
	}
	hold := w.a.pacer.held.Hold(w.channel, w.userID, w.asked, diverted)
	_, err := w.a.post(withHold(pctx, hold), w.channel, msgs, w.messageID)
	if hold.Done() {
		return err
	}
	if err := w.direct(ctx, w.a.renderReply(pace.Privately(r))); !closedDMs(err) {
		return err
	}
	_, err = w.a.post(ctx, w.channel, msgs, w.messageID)
	return err
}

// busy reports whether public answer r should go privately: the messages
// queued in the channel would hold it longer than pace.BusyAfter from when
// the member asked (less when their message reached the bot late), and
// the member has no earlier answer still waiting there.
func (w *messageWriter) busy(r bot.Reply) bool {
	if !pace.MayAnswerPrivately(r) || w.a.pacer.held.Waiting(w.channel, w.userID) {
		return false
	}
	return w.a.pacer.delay(w.channel, w.a.out.Queued(w.channel)) > w.a.pacer.held.Left(w.asked)
}

// direct posts msgs in the member's direct messages.
func (w *messageWriter) direct(ctx context.Context, msgs []outMessage) error {
	ch, err := w.a.dmChannel(ctx, w.userID)
	if err == nil {
		_, err = w.a.post(ctx, ch, msgs, "")
	}
	return err
}

// closedDMs reports whether err is Discord refusing a direct message
// because the member does not accept them.
func closedDMs(err error) bool { return restCode(err) == errCannotDM }

// restCode returns Discord's JSON error code in err, or 0.
func restCode(err error) int {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Message != nil {
		return rest.Message.Code
	}
	return 0
}

// UpdateCard re-renders card c wherever it is shown.
func (w *messageWriter) UpdateCard(ctx context.Context, c bot.Card) error {
	return w.a.UpdateCard(ctx, c)
}

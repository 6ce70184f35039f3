package discord

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/cards"
)

// Texts shown to members by the adapter itself.
const (
	postedNote    = "Posted in the channel."
	doneNote      = "Done."
	expiredButton = "This button is from before Union Hall restarted, so I can't tell what it did. Type the command instead, or ask for the card again."
	unreadable    = "I could not read that command. Type /help to see what I can do."
)

// onInteraction handles INTERACTION_CREATE. discordgo calls it on a
// goroutine of its own, so slow work here never stalls the gateway.
func (a *Adapter) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil {
		return
	}
	a.handleInteraction(ic.Interaction, nil)
}

// responder sends an interaction's first response some other way than
// the REST callback: as the answer to Discord's HTTP request, for
// interactions that arrive over HTTP.
type responder func(ctx context.Context, resp *discordgo.InteractionResponse, files []*discordgo.File) error

// handleInteraction handles one interaction, from the gateway or the
// HTTP endpoint (respond is then where its first response goes).
func (a *Adapter) handleInteraction(i *discordgo.Interaction, respond responder) {
	if i == nil || !a.work.add() {
		return
	}
	if !a.seen.first(i.ID) {
		a.work.done()
		a.log.Debug("interaction received again; handled once already", "interaction", i.ID)
		return
	}
	defer a.work.done()
	defer a.recoverPanic("interaction")
	ctx, cancel := a.eventContext()
	defer cancel()
	w := &interactionWriter{a: a, i: i, lim: discordgo.NewRatelimiter(), respond: respond}
	switch i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		a.autocomplete(ctx, w)
	case discordgo.InteractionMessageComponent:
		if data, ok := i.Data.(discordgo.MessageComponentInteractionData); ok {
			if s, ok := parseRankID(data.CustomID); ok {
				a.onRanking(ctx, w, s, data)
				return
			}
		}
		// Acknowledge first, before anything that could wait.
		a.acks.begin()
		err := w.ackUpdate(ctx)
		a.acks.end()
		if err != nil {
			a.log.Warn("could not acknowledge a button click", "err", err)
			return
		}
		data, ok := i.Data.(discordgo.MessageComponentInteractionData)
		if !ok || data.ComponentType != discordgo.ButtonComponent {
			return
		}
		cmd, ok := a.customIDs.decode(data.CustomID)
		if !ok {
			a.replyOrLog(ctx, w, bot.Reply{Text: expiredButton, Private: true})
			return
		}
		if m := a.interactionMessage(ctx, i, cmd, true); m != nil {
			a.dispatch(ctx, w, m)
		}
	case discordgo.InteractionApplicationCommand:
		// Answer directly when the reply is quick; defer (privately) when
		// it is not ready within AckAfter.
		timer := time.AfterFunc(a.opts.AckAfter, func() { w.deferReply(ctx) })
		defer timer.Stop()
		a.slashCommand(ctx, w)
		w.finish(ctx)
	}
}

// slashCommand translates a slash command into its typed command line and
// dispatches it; a command it cannot translate is answered privately.
func (a *Adapter) slashCommand(ctx context.Context, w *interactionWriter) {
	data, ok := w.i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		a.replyOrLog(ctx, w, bot.Reply{Text: unreadable, Private: true})
		return
	}
	line, err := a.opts.Commands.CommandLine(data)
	if err != nil {
		a.replyOrLog(ctx, w, bot.Reply{Text: bot.ErrorMessage(err), Private: true})
		return
	}
	if m := a.interactionMessage(ctx, w.i, line, false); m != nil {
		a.dispatch(ctx, w, m)
	}
}

func (a *Adapter) replyOrLog(ctx context.Context, w bot.ResponseWriter, r bot.Reply) {
	if err := w.Reply(ctx, r); err != nil {
		a.log.Warn("could not answer on Discord", "err", err)
	}
}

// interactionMessage translates an interaction into the core's Message,
// or returns nil when it names no user.
func (a *Adapter) interactionMessage(ctx context.Context, i *discordgo.Interaction, text string, button bool) *bot.Message {
	u, name := i.User, ""
	var roles []string
	if i.Member != nil {
		if i.Member.User != nil {
			u = i.Member.User
		}
		roles, name = i.Member.Roles, i.Member.Nick
	}
	if u == nil || u.ID == "" {
		a.log.Warn("ignored an interaction without a user")
		return nil
	}
	if name == "" {
		name = displayName(u)
	}
	return &bot.Message{
		Platform: bot.PlatformDiscord,
		Channel:  bot.Channel{ID: i.ChannelID},
		User: bot.User{
			ID:              bot.QualifiedID(bot.PlatformDiscord, u.ID),
			Name:            name,
			PlatformSteward: a.roles.steward(ctx, i.GuildID, roles),
			Groups:          a.memberGroups(ctx, i.GuildID, roles),
		},
		Text:   text,
		DM:     i.GuildID == "",
		Button: button,
		Time:   a.snowflakeTime(i.ID),
	}
}

func displayName(u *discordgo.User) string {
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}

func (a *Adapter) snowflakeTime(id string) time.Time {
	if t, err := discordgo.SnowflakeTimestamp(id); err == nil && t.Unix() > 1420070400 {
		return t
	}
	return a.clock.Now()
}

// autocomplete answers an option that declares suggestions (such as a
// list of units) with those that match what the member typed.
func (a *Adapter) autocomplete(ctx context.Context, w *interactionWriter) {
	data, ok := w.i.Data.(discordgo.ApplicationCommandInteractionData)
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if ok {
		choices = a.opts.Commands.suggestions(data)
	}
	w.mu.Lock()
	err := w.callback(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &discordgo.InteractionResponseData{Choices: choices}}, nil)
	w.mu.Unlock()
	if err != nil {
		a.log.Warn("could not answer autocomplete", "err", err)
	}
}

// ackState is how far an interaction's response has got.
type ackState int

const (
	ackNone     ackState = iota // nothing sent yet
	ackDeferred                 // deferred privately; the placeholder awaits content
	ackDone                     // the response has content; more replies are follow-ups
	ackUpdate                   // a button click acknowledged with a deferred update
	ackFailed                   // the acknowledgement failed; the interaction is lost
)

// interactionWriter answers one interaction. Replies are sent in order,
// one at a time.
type interactionWriter struct {
	a   *Adapter
	i   *discordgo.Interaction
	lim *discordgo.RateLimiter

	mu    sync.Mutex
	state ackState
	// respond, until it has been used, takes the first response instead
	// of the REST callback.
	respond responder
}

// callback sends the interaction's first response. It is called with mu
// held.
func (w *interactionWriter) callback(ctx context.Context, resp *discordgo.InteractionResponse, files []*discordgo.File) error {
	if r := w.respond; r != nil {
		w.respond = nil
		return r(ctx, resp, files)
	}
	_, err := w.a.interactionRequest(ctx, w.lim, http.MethodPost, discordgo.EndpointInteractionResponse(w.i.ID, w.i.Token), resp, files)
	return err
}

// ackUpdate acknowledges a button click with a deferred update (type 6).
func (w *interactionWriter) ackUpdate(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.callback(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}, nil); err != nil {
		w.state = ackFailed
		return err
	}
	w.state = ackUpdate
	return nil
}

// deferReply defers a slash command's response (type 5) when nothing has
// been sent yet. The placeholder is ephemeral: a private reply must never
// become public, and a public reply can still follow it.
func (w *interactionWriter) deferReply(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state != ackNone || ctx.Err() != nil {
		return
	}
	err := w.callback(ctx, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}, nil)
	if err != nil {
		w.state = ackFailed
		w.a.log.Warn("could not defer a slash command response", "err", err)
		return
	}
	w.state = ackDeferred
}

// finish completes a slash command whose handler said nothing (or whose
// response is still the deferred placeholder).
func (w *interactionWriter) finish(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var err error
	switch w.state {
	case ackNone, ackDeferred:
		err = w.sendLocked(ctx, outMessage{content: doneNote}, true)
	}
	if err != nil {
		w.a.log.Warn("could not complete a slash command response", "err", err)
	}
}

// Reply shows r to the member: ephemeral when r.Private, in the channel
// otherwise.
func (w *interactionWriter) Reply(ctx context.Context, r bot.Reply) error {
	msgs := w.a.renderReply(r)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range msgs {
		if err := w.sendLocked(ctx, m, r.Private); err != nil {
			return err
		}
	}
	return nil
}

func flags(private bool) discordgo.MessageFlags {
	if private {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// sendLocked sends one message as the response or a follow-up, whichever
// the state calls for.
func (w *interactionWriter) sendLocked(ctx context.Context, m outMessage, private bool) error {
	switch w.state {
	case ackNone:
		err := w.callback(ctx, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content:         m.content,
				Embeds:          m.embeds(),
				Components:      m.componentList(),
				AllowedMentions: noMentions(),
				Flags:           flags(private),
			},
		}, m.files())
		if err != nil {
			w.state = ackFailed
			return err
		}
		w.state = ackDone
		if m.cardKey != "" && !private {
			w.registerOriginal(ctx, m)
		}
		return nil
	case ackDeferred:
		if private {
			if err := w.editOriginal(ctx, m); err != nil {
				return err
			}
			w.state = ackDone
			return nil
		}
		// The ephemeral placeholder cannot become public: fill it with a
		// note, then post the reply as a public follow-up.
		if err := w.editOriginal(ctx, outMessage{content: postedNote}); err != nil {
			return err
		}
		w.state = ackDone
		return w.followUp(ctx, m, false)
	case ackDone, ackUpdate:
		return w.followUp(ctx, m, private)
	default:
		return errors.New("the interaction could not be acknowledged")
	}
}

func (w *interactionWriter) editOriginal(ctx context.Context, m outMessage) error {
	content := m.content
	embeds, rows := m.embeds(), m.componentList()
	_, err := w.a.interactionRequest(ctx, w.lim, http.MethodPatch, discordgo.EndpointWebhookMessage(w.i.AppID, w.i.Token, "@original"),
		&discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &rows, AllowedMentions: noMentions()}, m.files())
	return err
}

func (w *interactionWriter) followUp(ctx context.Context, m outMessage, private bool) error {
	body, err := w.a.interactionRequest(ctx, w.lim, http.MethodPost, discordgo.EndpointWebhookToken(w.i.AppID, w.i.Token)+"?wait=true",
		&discordgo.WebhookParams{
			Content:         m.content,
			Embeds:          m.embeds(),
			Components:      m.componentList(),
			AllowedMentions: noMentions(),
			Flags:           flags(private),
		}, m.files())
	if err != nil {
		return err
	}
	if m.cardKey != "" && !private {
		var msg discordgo.Message
		if json.Unmarshal(body, &msg) == nil && msg.ID != "" {
			channel := msg.ChannelID
			if channel == "" {
				channel = w.i.ChannelID
			}
			w.a.shown(m, cards.Message{Channel: channel, ID: msg.ID})
		}
	}
	return nil
}

// registerOriginal learns the message ID of a public card sent as the
// interaction response, so the card can be edited later.
func (w *interactionWriter) registerOriginal(ctx context.Context, m outMessage) {
	key := m.cardKey
	body, err := w.a.interactionRequest(ctx, w.lim, http.MethodGet, discordgo.EndpointWebhookMessage(w.i.AppID, w.i.Token, "@original"), nil, nil)
	var msg discordgo.Message
	if err == nil {
		err = json.Unmarshal(body, &msg)
	}
	if err != nil || msg.ID == "" {
		w.a.log.Warn("could not look up a posted card; it will update once someone clicks it", "card", key, "err", err)
		return
	}
	channel := msg.ChannelID
	if channel == "" {
		channel = w.i.ChannelID
	}
	w.a.shown(m, cards.Message{Channel: channel, ID: msg.ID})
}

// UpdateCard re-renders card c wherever it is shown. On a button click, the
// clicked message is registered under c.Key first, so cards posted before
// a restart are updated too; an ephemeral card is edited through the
// interaction itself.
func (w *interactionWriter) UpdateCard(ctx context.Context, c bot.Card) error {
	if w.i.Type == discordgo.InteractionMessageComponent && w.i.Message != nil && c.Key != "" {
		m := w.i.Message
		if m.Flags&discordgo.MessageFlagsEphemeral != 0 {
			embed, rows := w.a.renderCard(&c)
			if rows == nil {
				rows = []discordgo.MessageComponent{}
			}
			w.mu.Lock()
			_, err := w.a.interactionRequest(ctx, w.lim, http.MethodPatch, discordgo.EndpointWebhookMessage(w.i.AppID, w.i.Token, "@original"),
				&discordgo.WebhookEdit{Embeds: &[]*discordgo.MessageEmbed{embed}, Components: &rows, AllowedMentions: noMentions()}, nil)
			w.mu.Unlock()
			if err != nil {
				return err
			}
		} else {
			channel := m.ChannelID
			if channel == "" {
				channel = w.i.ChannelID
			}
			w.a.cards.Shown(c.Key, cards.Message{Channel: channel, ID: m.ID})
		}
	}
	return w.a.UpdateCard(ctx, c)
}

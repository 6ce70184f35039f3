package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/unionhall/unionhall/bot"
)

// writer answers one message from Slack. Replies are queued on the
// channel's outbound lane and sent in order; Reply returns at once.
type writer struct {
	a    *Adapter
	dest destination
}

// Reply queues r in the message's channel and thread, or privately to the
// member who sent it.
func (w *writer) Reply(ctx context.Context, r bot.Reply) error {
	dest := w.dest
	if r.Thread != "" {
		dest.thread = r.Thread
	}
	return w.a.deliver(ctx, dest, r, false)
}

// UpdateCard schedules updates of every message showing c.Key.
func (w *writer) UpdateCard(ctx context.Context, c bot.Card) error {
	w.a.cards.Update(ctx, c)
	return nil
}

// dispatch runs d on m after everything already queued for the same
// channel, outside the receive loop. The handler's context survives the
// end of Run's context so that work acknowledged to Slack is finished.
func (a *Adapter) dispatch(ctx context.Context, d bot.Dispatcher, m *bot.Message, dest destination) {
	w := &writer{a: a, dest: dest}
	hctx := context.WithoutCancel(ctx)
	a.in.Add(m.Channel.ID, func() {
		ctx, cancel := context.WithTimeout(hctx, handlerTimeout)
		defer cancel()
		d.Dispatch(ctx, w, m)
	})
}

// user returns the bot.User for a Slack user ID. Steward powers from the
// steward group come from the cached member list.
func (a *Adapter) user(id, name string) bot.User {
	if name == "" {
		name = id
	}
	return bot.User{ID: bot.QualifiedID(bot.PlatformSlack, id), Name: name, PlatformSteward: a.stewards.has(id), Groups: a.groupsOf(id)}
}

// groupsOf returns the member groups (Options.MemberGroups) Slack user id
// is in, each by its ID and by the name it was given, from the cached
// member lists.
func (a *Adapter) groupsOf(id string) []string {
	var out []string
	for _, g := range a.groups {
		if g.has(id) {
			out = append(out, g.name)
			g.mu.Lock()
			if g.id != "" && g.id != g.name {
				out = append(out, g.id)
			}
			g.mu.Unlock()
		}
	}
	return out
}

// GroupMembers returns the members of one of Options.MemberGroups (by the
// name it was given or its ID) from the last list read; it implements
// bot.GroupDirectory.
func (a *Adapter) GroupMembers(group string) ([]string, bool) {
	for _, g := range a.groups {
		g.mu.Lock()
		match := strings.EqualFold(g.name, group) || g.id != "" && g.id == group
		members, fresh := g.members, a.clock.Now().Sub(g.fetched) <= stewardMaxAge
		g.mu.Unlock()
		if !match {
			continue
		}
		if members == nil || !fresh {
			return nil, false
		}
		out := make([]string, 0, len(members))
		for id := range members {
			out = append(out, bot.QualifiedID(bot.PlatformSlack, id))
		}
		slices.Sort(out)
		return out, true
	}
	return nil, false
}

// RefreshGroups reads the member lists of Options.MemberGroups now, so a
// change made in Slack counts at once rather than within two minutes.
func (a *Adapter) RefreshGroups(ctx context.Context) error {
	var errs []error
	for _, g := range a.groups {
		if err := g.refresh(ctx); err != nil {
			errs = append(errs, fmt.Errorf("user group %s: %w", g.name, safeErr(err)))
		}
	}
	return errors.Join(errs...)
}

// self returns the bot's own user ID.
func (a *Adapter) self() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botUserID
}

// cleanText strips mentions of the bot from raw Slack text and decodes it.
func (a *Adapter) cleanText(raw string) string {
	a.mu.Lock()
	re := a.mention
	a.mu.Unlock()
	if re != nil {
		raw = re.ReplaceAllString(raw, " ")
	}
	return strings.TrimSpace(decodeText(raw))
}

// onEvent handles an Events API payload, from either transport: an
// @mention or a direct message. A delivery whose event ID was already seen
// is a retry and is ignored, and one that cannot be parsed is skipped.
func (a *Adapter) onEvent(ctx context.Context, d bot.Dispatcher, payload []byte, retry int) {
	ev, err := slackevents.ParseEvent(payload, slackevents.OptionNoVerifyToken())
	if err != nil {
		a.log.Debug("event skipped", "err", err)
		return
	}
	if ev.Type != slackevents.CallbackEvent {
		return
	}
	eventID := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	if eventID != "" && !a.seen.first("event:"+eventID) {
		a.log.Debug("retried event ignored", "event_id", eventID, "retry", retry)
		return
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		a.onMention(ctx, d, e)
	case *slackevents.MessageEvent:
		a.onDirectMessage(ctx, d, e)
	default:
		a.log.Debug("event ignored", "type", ev.InnerEvent.Type)
	}
}

// onMention turns an @mention in a channel into a message. A question is
// answered in a thread under it (or in the thread it was asked in); a
// command is answered where it was typed.
func (a *Adapter) onMention(ctx context.Context, d bot.Dispatcher, e *slackevents.AppMentionEvent) {
	me := a.self()
	switch {
	case e.User == "" || e.User == me || e.BotID != "":
		return // the bot itself, or another bot: bots do not talk to us
	case e.Edited != nil:
		return // an edit is not a new question
	case strings.HasPrefix(e.Channel, "D"):
		return // direct messages arrive as message.im
	}
	text := a.cleanText(e.Text)
	if text == "" {
		text = "/help"
	}
	thread := e.ThreadTimeStamp
	if thread == "" && !strings.HasPrefix(text, "/") {
		thread = e.TimeStamp
	}
	m := &bot.Message{
		Platform: bot.PlatformSlack,
		Channel:  bot.Channel{ID: e.Channel},
		User:     a.user(e.User, ""),
		Text:     text,
		Thread:   thread,
		Mention:  true,
		Time:     parseTS(e.TimeStamp),
	}
	a.dispatch(ctx, d, m, destination{channel: e.Channel, user: e.User, thread: thread})
}

// onDirectMessage turns a member's direct message to the bot into a
// message. Edits, deletions, bot messages and the bot's own messages are
// ignored; a message sent with a file, or also to the channel from a
// thread, is answered like any other.
func (a *Adapter) onDirectMessage(ctx context.Context, d bot.Dispatcher, e *slackevents.MessageEvent) {
	me := a.self()
	switch e.SubType {
	case "", "file_share", "thread_broadcast":
	default:
		return
	}
	if e.ChannelType != "im" || e.BotID != "" || e.User == "" || e.User == me {
		return
	}
	text := a.cleanText(e.Text)
	if text == "" {
		return
	}
	m := &bot.Message{
		Platform: bot.PlatformSlack,
		Channel:  bot.Channel{ID: e.Channel},
		User:     a.user(e.User, ""),
		Text:     text,
		Thread:   e.ThreadTimeStamp,
		DM:       true,
		Time:     parseTS(e.TimeStamp),
	}
	a.dispatch(ctx, d, m, destination{channel: e.Channel, user: e.User, thread: e.ThreadTimeStamp, dm: true})
}

// onSlashCommand turns "/poll list" into the message "/poll list".
// Private replies go through the command's response_url, which works in
// any channel, even one the bot is not in.
func (a *Adapter) onSlashCommand(ctx context.Context, d bot.Dispatcher, cmd slack.SlashCommand) {
	if cmd.TriggerID != "" && !a.seen.first("trigger:"+cmd.TriggerID) {
		return
	}
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(cmd.Command), "/"))
	if name == "" || cmd.UserID == "" || cmd.ChannelID == "" {
		a.log.Warn("slash command without a command, user or channel ignored")
		return
	}
	text := "/" + name
	if rest := strings.TrimSpace(decodeText(cmd.Text)); rest != "" {
		text += " " + rest
	}
	m := &bot.Message{
		Platform: bot.PlatformSlack,
		Channel:  bot.Channel{ID: cmd.ChannelID, Name: cmd.ChannelName},
		User:     a.user(cmd.UserID, cmd.UserName),
		Text:     text,
		Time:     a.clock.Now(),
	}
	a.dispatch(ctx, d, m, destination{channel: cmd.ChannelID, user: cmd.UserID, resp: &responseURL{url: cmd.ResponseURL}})
}

// onInteraction turns a click on one of the bot's buttons, as the JSON
// payload either transport carries, into the button's command, and files
// the clicked message under its card so that updates reach it. An
// unreadable payload is skipped.
func (a *Adapter) onInteraction(ctx context.Context, d bot.Dispatcher, payload []byte) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		a.log.Warn("unreadable interaction skipped", "err", err)
		return
	}
	if cb.Type != slack.InteractionTypeBlockActions {
		a.log.Debug("interaction ignored", "type", cb.Type)
		return
	}
	if cb.TriggerID != "" && !a.seen.first("trigger:"+cb.TriggerID) {
		return
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if channel == "" || cb.User.ID == "" {
		a.log.Warn("button click without a channel or user ignored")
		return
	}
	thread := cb.Container.ThreadTs
	if thread == "" {
		thread = cb.Message.ThreadTimestamp
	}
	ts := cb.Container.MessageTs
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	resp := &responseURL{url: cb.ResponseURL}
	for _, act := range cb.ActionCallback.BlockActions {
		rank := act != nil && act.ActionID == rankButtonID
		if rank {
			// The form must open within the trigger's 3 s: first.
			a.openRanking(ctx, cb.TriggerID, act.Value, destination{channel: channel, user: cb.User.ID, thread: thread, resp: resp})
		} else if act == nil || !strings.HasPrefix(act.ActionID, buttonPrefix) || !strings.HasPrefix(act.Value, "/") {
			continue
		}
		if key, ok := cardKeyFromBlockID(act.BlockID); ok && !cb.Container.IsEphemeral {
			a.registerClick(key, channel, ts, cb.Message.Blocks.BlockSet)
		}
		if rank {
			continue
		}
		when := parseTS(act.ActionTs)
		if when.IsZero() {
			when = a.clock.Now()
		}
		m := &bot.Message{
			Platform: bot.PlatformSlack,
			Channel:  bot.Channel{ID: channel, Name: cb.Channel.Name},
			User:     a.user(cb.User.ID, cb.User.Name),
			Text:     act.Value,
			Thread:   thread,
			Button:   true,
			Time:     when,
		}
		a.dispatch(ctx, d, m, destination{channel: channel, user: cb.User.ID, thread: thread, resp: resp})
	}
}

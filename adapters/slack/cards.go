package slack

import (
	"cmp"
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/cards"
)

// Live cards (poll tallies) are kept up to date by a cards.Updater; this
// file is the Slack half: where a card message is, and one chat.update.

// cardText returns the cards.Message Extra of a card message with text
// above the card in the same message (the prefix blocks), or nil when the
// message shows the card alone.
func cardText(prefix []slack.Block) any {
	if len(prefix) == 0 {
		return nil
	}
	return prefix
}

// registerClick files the message a member clicked under its card's Key,
// so that updates reach it even if this process did not post it (e.g.
// after a restart).
func (a *Adapter) registerClick(key, channel, ts string, blocks []slack.Block) {
	a.cards.Shown(key, cards.Message{Channel: channel, ID: ts, Extra: cardText(textPrefix(blocks))})
}

// editCard shows card c in the message m (below m's text, if any) with
// one chat.update. It is the adapter's cards.Editor; the Updater has
// waited for chat.update's tier before calling it.
func (a *Adapter) editCard(ctx context.Context, m cards.Message, c bot.Card) error {
	prefix, _ := m.Extra.([]slack.Block)
	msg := cardMessage(prefix, c)
	_, _, _, err := a.api.UpdateMessageContext(ctx, m.Channel, m.ID, msg.options()...)
	if err == nil {
		return nil
	}
	err = fmt.Errorf("chat.update: %w", safeErr(err))
	switch slackError(err) {
	case "message_not_found", "cant_update_message", "edit_window_closed":
		return fmt.Errorf("%w: %w", cards.ErrGone, err)
	case "channel_not_found", "is_archived", "not_in_channel":
		// These may pass (the bot invited back, the channel unarchived).
		return fmt.Errorf("%w: %w", cards.ErrUnreachable, err)
	}
	switch kind, wait := classify(err); kind {
	case rateLimited:
		wait = cmp.Or(wait, a.rateLimitWait)
		a.pacer.refused("chat.update", m.Channel, wait)
		return backoff.RetryAfter(err, wait)
	case permanent:
		if ctx.Err() == nil { // not a timeout: trying again cannot help
			return backoff.Stop(err)
		}
	}
	return err
}

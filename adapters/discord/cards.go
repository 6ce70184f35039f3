package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/cards"
)

// Live cards (poll tallies) are kept up to date by a cards.Updater; this
// file is the Discord half: one message edit.

// editCard edits the message m to show card c, once. It is the adapter's
// cards.Editor; the Updater has waited for the channel's turn before
// calling it.
func (a *Adapter) editCard(ctx context.Context, m cards.Message, c bot.Card) error {
	embed, rows := a.renderCard(&c)
	if rows == nil {
		rows = []discordgo.MessageComponent{}
	}
	edit := &discordgo.MessageEdit{
		ID:              m.ID,
		Channel:         m.Channel,
		Embeds:          &[]*discordgo.MessageEmbed{embed},
		Components:      &rows,
		AllowedMentions: noMentions(),
	}
	_, err := a.session.ChannelMessageEditComplex(edit, noRetry(ctx)...)
	a.pacer.edited(m.Channel, err)
	return editError(err)
}

// editError tells the Updater what a failed edit means: a message deleted
// (Unknown Message, Unknown Channel) is gone; one the bot lost access to
// is unreachable until a restart; a rate limit asks for Discord's
// retry_after; another refusal cannot be fixed by trying again; a failure
// on Discord's side or the network's is retried.
func editError(err error) error {
	if err == nil {
		return nil
	}
	if limited := rateLimited(err); limited != nil {
		return limited
	}
	err = redact(err)
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		switch code := rest.Response.StatusCode; {
		case code == http.StatusNotFound:
			return fmt.Errorf("%w: %w", cards.ErrGone, err)
		case code == http.StatusForbidden:
			return fmt.Errorf("%w: %w", cards.ErrUnreachable, err)
		case code < 500:
			return backoff.Stop(err)
		}
	}
	return err
}

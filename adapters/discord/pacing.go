package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/pace"
)

// pacer keeps the adapter's channel messages within Discord's limit of
// five per five seconds per channel (package pace), spaced a second (and
// a pace.Margin) apart so that no window of Discord's is ever exceeded,
// and within its global limit; discordgo also waits on each bucket's
// X-RateLimit headers. A 429 that comes anyway
// pauses the channel for its retry_after, and refusals are logged as one
// line per window.
//
// It also follows the public answers to members queued in each channel
// (held): an answer that a wait of the channel's (a 429's retry_after,
// its turn within the limit) would post more than pace.BusyAfter after it
// was queued goes privately at once (see messageWriter.Reply).
type pacer struct {
	clock    bot.Clock
	global   *pace.Budget // every bot-token request (key "")
	messages *pace.Budget // message posts, per channel
	edits    *pace.Budget // message edits, per channel
	held     *pace.Held   // public answers to members queued, per channel
	storm    *pace.Storm
}

func newPacer(clock bot.Clock, log *slog.Logger, metrics bot.Metrics) *pacer {
	return &pacer{
		clock:    clock,
		held:     pace.NewHeld(clock),
		global:   pace.NewBudget(clock, pace.DiscordGlobalPace()),
		messages: pace.NewBudget(clock, pace.Margin(pace.DiscordChannelMessages())),
		edits:    pace.NewBudget(clock, pace.Margin(pace.DiscordChannelMessages())),
		storm:    pace.NewStorm(log, clock, "Discord", 0).Counting(func() { metrics.RateLimited(bot.PlatformDiscord) }),
	}
}

// late tells the answers held in channel that its next message cannot go
// for wait, so that those it would make late go privately at once. With
// reserved, wait is that of the channel's next message, which has taken
// its turn within the limit already.
func (p *pacer) late(channel string, wait time.Duration, reserved bool) {
	p.held.Late(channel, pace.Behind(p.messages, channel, wait, reserved))
}

// delay estimates how long a message in channel would wait behind ahead
// messages queued there.
func (p *pacer) delay(channel string, ahead int) time.Duration {
	return p.messages.Delay(channel, ahead)
}

// request waits for a turn within the global limit.
func (p *pacer) request(ctx context.Context) error { return p.global.Wait(ctx, "") }

// send posts one message in channel when its turn within the limits has
// come. When ctx carries a held answer (withHold), the answer is claimed
// just before the message is sent, and nothing is sent when it has gone
// privately instead; a 429 on its first message puts it back, so that a
// long retry_after sends it privately too.
func (p *pacer) send(ctx context.Context, channel string, post func() error) error {
	if err := p.wait(ctx, p.messages, channel); err != nil {
		return err
	}
	if err := p.request(ctx); err != nil {
		return err
	}
	hold := heldAnswer(ctx)
	if !hold.Sending() {
		return errGonePrivately
	}
	err := post()
	if retry, ok := backoff.Asked(rateLimited(err)); ok {
		p.messages.Pause(channel, retry)
		hold.Retry()
		p.late(channel, retry, false)
	} else if err == nil {
		hold.Shown()
	}
	return err
}

// wait takes channel's next turn in b (its messages or its edits), tells
// the answers held in the channel how long the wait is, and waits for the
// turn, or until ctx ends.
func (p *pacer) wait(ctx context.Context, b *pace.Budget, channel string) error {
	wait := b.Reserve(channel)
	p.late(channel, wait, b == p.messages)
	if wait <= 0 {
		return ctx.Err()
	}
	if err := backoff.Sleep(ctx, p.clock, wait); err != nil {
		return fmt.Errorf("waiting %v for the rate limit of channel %s: %w", wait, channel, err)
	}
	return nil
}

// errGonePrivately ends the post of an answer in its channel that was
// sent privately instead while it waited its turn.
var errGonePrivately = errors.New("the answer went privately instead")

// heldKey is the context key of the held answer a post carries.
type heldKey struct{}

// withHold returns ctx carrying hold, the answer the messages posted with
// it make up.
func withHold(ctx context.Context, hold *pace.Hold) context.Context {
	return context.WithValue(ctx, heldKey{}, hold)
}

// heldAnswer returns the held answer ctx carries, or nil.
func heldAnswer(ctx context.Context) *pace.Hold {
	hold, _ := ctx.Value(heldKey{}).(*pace.Hold)
	return hold
}

// editTurn waits until an edit of a message in channel is within the
// limits. The card updater calls it before it reads the card to send.
// The channel's messages wait behind the edit: the answers held there
// are told how long.
func (p *pacer) editTurn(ctx context.Context, channel string) error {
	if err := p.wait(ctx, p.edits, channel); err != nil {
		return err
	}
	return p.request(ctx)
}

// edited records the outcome of an edit in channel: a 429 pauses the
// channel's edits for its retry_after, and is counted.
func (p *pacer) edited(channel string, err error) {
	if wait, ok := backoff.Asked(rateLimited(err)); ok {
		p.edits.Pause(channel, wait)
		p.storm.Refused("message edit", wait)
	}
}

// noRetry are the request options of a call the adapter retries itself.
func noRetry(ctx context.Context) []discordgo.RequestOption {
	return []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
}

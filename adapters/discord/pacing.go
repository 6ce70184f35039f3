package discord

import (
	"context"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/pace"
)

// pacer keeps the adapter's channel messages within Discord's limit of
// five per five seconds per channel (package pace), spaced a second
// apart so that no window of Discord's is ever exceeded, and within its
// global limit; discordgo also
// waits on each bucket's X-RateLimit headers. A 429 that comes anyway
// pauses the channel for its retry_after, and refusals are logged as one
// line per window.
type pacer struct {
	global   *pace.Budget // every bot-token request (key "")
	messages *pace.Budget // message posts, per channel
	edits    *pace.Budget // message edits, per channel
	storm    *pace.Storm
}

func newPacer(clock bot.Clock, log *slog.Logger, metrics bot.Metrics) *pacer {
	return &pacer{
		global:   pace.NewBudget(clock, pace.DiscordGlobalPace()),
		messages: pace.NewBudget(clock, pace.DiscordChannelMessages()),
		edits:    pace.NewBudget(clock, pace.DiscordChannelMessages()),
		storm:    pace.NewStorm(log, clock, "Discord", 0).Counting(func() { metrics.RateLimited(bot.PlatformDiscord) }),
	}
}

// limited pauses key in b when err is a 429, for its retry_after.
func limited(b *pace.Budget, key string, err error) {
	if wait, ok := backoff.Asked(rateLimited(err)); ok {
		b.Pause(key, wait)
	}
}

// delay estimates how long a message in channel would wait behind ahead
// messages queued there.
func (p *pacer) delay(channel string, ahead int) time.Duration {
	return p.messages.Delay(channel, ahead)
}

// request waits for a turn within the global limit.
func (p *pacer) request(ctx context.Context) error { return p.global.Wait(ctx, "") }

// send posts one message in channel when its turn within the limits has
// come.
func (p *pacer) send(ctx context.Context, channel string, post func() error) error {
	if err := p.messages.Wait(ctx, channel); err != nil {
		return err
	}
	if err := p.request(ctx); err != nil {
		return err
	}
	err := post()
	limited(p.messages, channel, err)
	return err
}

// editTurn waits until an edit of a message in channel is within the
// limits. The card updater calls it before it reads the card to send.
func (p *pacer) editTurn(ctx context.Context, channel string) error {
	if err := p.edits.Wait(ctx, channel); err != nil {
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

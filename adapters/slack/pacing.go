package slack

import (
	"context"
	"log/slog"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/pace"
)

// pacer keeps the adapter's Web API calls inside Slack's documented limits
// (package pace), so that Slack rarely has to refuse one: chat.postMessage
// one per second per channel after a short burst, every other method
// within its tier per minute. A 429 that comes anyway pauses what it
// names for as long as Slack asks, and is counted in one log line per
// window.
type pacer struct {
	posts *pace.Budget            // chat.postMessage, per channel
	tiers map[string]*pace.Budget // method → the budget of its tier, keyed by method
	storm *pace.Storm
}

// connecting reports whether method is one of connecting to Slack, which
// the reconnection backoff paces rather than the pacer: a reconnect must
// not wait behind a tier's minute.
func connecting(method string) bool {
	return method == "auth.test" || method == "apps.connections.open"
}

func newPacer(clock bot.Clock, log *slog.Logger, metrics bot.Metrics) *pacer {
	p := &pacer{
		posts: pace.NewBudget(clock, pace.SlackChannelPosts()),
		tiers: map[string]*pace.Budget{},
		storm: pace.NewStorm(log, clock, "Slack", 0).Counting(func() { metrics.RateLimited(bot.PlatformSlack) }),
	}
	byTier := map[int]*pace.Budget{}
	for method, perMinute := range pace.SlackMethodTiers() {
		if connecting(method) {
			continue
		}
		if byTier[perMinute] == nil {
			byTier[perMinute] = pace.NewBudget(clock, pace.SlackTier(perMinute))
		}
		p.tiers[method] = byTier[perMinute]
	}
	return p
}

// budget returns the budget that paces method (in channel, for posts) and
// its key there, or nil when the method is not paced.
func (p *pacer) budget(method, channel string) (*pace.Budget, string) {
	if method == "chat.postMessage" && channel != "" {
		return p.posts, channel
	}
	return p.tiers[method], method
}

// wait returns when a call of method (in channel) is within its limit, or
// when ctx ends.
func (p *pacer) wait(ctx context.Context, method, channel string) error {
	b, key := p.budget(method, channel)
	if b == nil {
		return ctx.Err()
	}
	return b.Wait(ctx, key)
}

// refused records a 429 for method (in channel) that asked for a wait:
// the budget holds its key that long, and the refusal is counted.
func (p *pacer) refused(method, channel string, wait time.Duration) {
	if b, key := p.budget(method, channel); b != nil {
		b.Pause(key, wait)
	}
	p.storm.Refused(method, wait)
}

// delay estimates how long the next call of method (paced by its tier)
// would wait.
func (p *pacer) delay(method string) time.Duration {
	if b := p.tiers[method]; b != nil {
		return b.Delay(method, 0)
	}
	return 0
}

// postDelay estimates how long a post in channel would wait behind ahead
// posts already queued there.
func (p *pacer) postDelay(channel string, ahead int) time.Duration {
	return p.posts.Delay(channel, ahead)
}

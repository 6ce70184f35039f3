package slack

import (
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
// window. Every budget keeps a pace.Margin below Slack's figures.
// chat.update's budget starts Cold: a process started again does
// not know what the one before it sent, and Slack still counts that for
// a minute. (A channel's burst comes back within seconds, less than a
// restart takes; the private routes' tiers start with their bursts, so
// that members are still answered at once after a restart.)
type pacer struct {
	posts *pace.Budget            // chat.postMessage, per channel
	tiers map[string]*pace.Budget // method → the budget of its tier
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
		posts: pace.NewBudget(clock, pace.Margin(pace.SlackChannelPosts())),
		tiers: map[string]*pace.Budget{},
		storm: pace.NewStorm(log, clock, "Slack", 0).Counting(func() { metrics.RateLimited(bot.PlatformSlack) }),
	}
	for method, perMinute := range pace.SlackMethodTiers() {
		if connecting(method) {
			continue
		}
		b := pace.NewBudget(clock, pace.Margin(pace.SlackTier(perMinute)))
		if method == "chat.update" {
			// Card edits are what a process started again sends first
			// and most of (every click Slack redelivers changes a
			// tally), into the minute the process before spent its
			// burst in.
			b.Cold()
		}
		p.tiers[method] = b
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

// reserve takes the next turn of method (in channel) within its limit,
// and returns how long the call must wait for it; zero for a method that
// is not paced.
func (p *pacer) reserve(method, channel string) time.Duration {
	b, key := p.budget(method, channel)
	if b == nil {
		return 0
	}
	return b.Reserve(key)
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

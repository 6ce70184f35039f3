package slacktest

import (
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/pace"
)

// Limits are the rate limits a Server enforces, as Slack does: each Web
// API method's tier per minute across the workspace, and chat.postMessage
// per channel. A call over a limit is answered with HTTP 429 and a
// Retry-After header in whole seconds, and recorded with Err "429".
// Response URLs are not rate limited. The zero Limits enforce nothing,
// which is what NewServer starts with, so that tests of other things stay
// fast; Throttle turns limits on.
type Limits struct {
	// ChannelPosts limits chat.postMessage in each channel.
	ChannelPosts pace.Limit
	// Tiers gives the calls per minute allowed for each method; methods
	// not named are not limited.
	Tiers map[string]int
	// Clock is the clock the limits' windows run on; the system clock
	// when nil. A bot.ManualClock lets a test cross a window at once.
	Clock bot.Clock
}

// DocumentedLimits are the limits Slack documents: one post per second
// per channel with a short burst, and every method's tier
// (pace.SlackMethodTiers).
func DocumentedLimits() Limits {
	return Limits{ChannelPosts: pace.SlackChannelPosts(), Tiers: pace.SlackMethodTiers()}
}

// throttle is the Server's enforcement of its Limits.
type throttle struct {
	posts *pace.Budget         // per channel
	tiers map[int]*pace.Budget // per calls-per-minute, keyed by method
	tier  map[string]int
}

// Throttle makes the Server enforce l from now on, with fresh windows.
func (s *Server) Throttle(l Limits) {
	clock := bot.OrSystemClock(l.Clock)
	t := &throttle{tiers: map[int]*pace.Budget{}, tier: map[string]int{}}
	if l.ChannelPosts.Count > 0 {
		t.posts = pace.NewBudget(clock, l.ChannelPosts)
	}
	for method, perMinute := range l.Tiers {
		if perMinute <= 0 {
			continue
		}
		t.tier[method] = perMinute
		if t.tiers[perMinute] == nil {
			t.tiers[perMinute] = pace.NewBudget(clock, pace.SlackTier(perMinute))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = t
}

// limitedLocked returns the failure a call over its limits gets, or nil
// when it may be served. s.mu must be held.
func (s *Server) limitedLocked(method string, form url.Values) *Failure {
	t := s.throttle
	if t == nil {
		return nil
	}
	if perMinute := t.tier[method]; perMinute > 0 {
		if ok, wait := t.tiers[perMinute].Allow(method); !ok {
			return tooManyRequests(wait)
		}
	}
	if method == "chat.postMessage" && t.posts != nil {
		if ok, wait := t.posts.Allow(form.Get("channel")); !ok {
			return tooManyRequests(wait)
		}
	}
	return nil
}

// tooManyRequests is Slack's answer to a call over its limit: HTTP 429
// with the seconds to wait, rounded up.
func tooManyRequests(wait time.Duration) *Failure {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	return &Failure{Status: 429, RetryAfter: strconv.Itoa(secs), Error: "ratelimited"}
}

// RateLimited returns how many calls the Server refused with a 429, those
// it was told to fail included.
func (s *Server) RateLimited() int {
	n := 0
	for _, c := range s.Calls() {
		if c.Err == "429" {
			n++
		}
	}
	return n
}

package discordtest

import (
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/pace"
)

// Limits are the rate limits a Server enforces, as Discord does. Each
// limited route has a bucket per channel (its top-level resource): a
// window of Per that opens with its first request and admits Count
// requests. Every answer on a limited route carries the bucket's
// X-RateLimit-Limit, -Remaining, -Reset, -Reset-After and -Bucket
// headers. Requests made with the bot token also count against the
// global limit; the interaction endpoints (callbacks, follow-ups, edits
// of responses) do not. A request over a limit is answered 429 with
// Discord's JSON body {"message", "retry_after", "global"}, Retry-After
// and X-RateLimit-Scope ("user" for a route, "global"). The zero Limits
// enforce nothing, which is what NewServer starts with; Throttle turns
// limits on.
type Limits struct {
	// Routes gives the limit of each limited route, per channel.
	Routes map[Route]pace.Limit
	// Global limits all bot-token requests together.
	Global pace.Limit
	// Clock is the clock the windows run on; the system clock when nil.
	Clock bot.Clock
}

// DocumentedLimits are Discord's limits for what the bot does: five
// messages per five seconds per channel (and as many edits), fifty
// requests per second in all.
func DocumentedLimits() Limits {
	return Limits{
		Routes: map[Route]pace.Limit{
			RouteCreateMessage: pace.DiscordChannelMessages(),
			RouteEditMessage:   pace.DiscordChannelMessages(),
		},
		Global: pace.DiscordGlobal(),
	}
}

// window is one bucket's current window.
type window struct {
	reset time.Time
	used  int
}

// throttle is the Server's enforcement of its Limits.
type throttle struct {
	limits  Limits
	clock   bot.Clock
	windows map[string]*window // bucket → its window
}

// Throttle makes the Server enforce l from now on, with fresh windows.
func (s *Server) Throttle(l Limits) {
	s.with(func() {
		s.throttle = &throttle{limits: l, clock: bot.OrSystemClock(l.Clock), windows: map[string]*window{}}
	})
}

// nowLocked is the time rate limits are measured on: the throttle's clock
// when there is one. s.mu must be held.
func (s *Server) nowLocked(q *request) time.Time {
	if s.throttle != nil {
		return s.throttle.clock.Now()
	}
	return q.call.At
}

// bucketHeaders are the X-RateLimit headers of a bucket.
type bucketHeaders struct {
	bucket    string
	limit     int
	remaining int
	resetAt   time.Time
	after     time.Duration
}

func (h bucketHeaders) set(header map[string]string) {
	header["X-RateLimit-Limit"] = strconv.Itoa(h.limit)
	header["X-RateLimit-Remaining"] = strconv.Itoa(h.remaining)
	header["X-RateLimit-Reset"] = strconv.FormatFloat(float64(h.resetAt.UnixMilli())/1000, 'f', 3, 64)
	header["X-RateLimit-Reset-After"] = strconv.FormatFloat(h.after.Seconds(), 'f', 3, 64)
	header["X-RateLimit-Bucket"] = h.bucket
}

// bucketID is the opaque X-RateLimit-Bucket of a route; Discord's buckets
// do not include the top-level resource (the channel).
func bucketID(route Route) string {
	h := fnv.New64a()
	h.Write([]byte(route))
	return fmt.Sprintf("%016x", h.Sum64())
}

// takeLocked counts one request in the window of key under l at now. It
// returns the bucket's state after the request and whether it was
// admitted. s.mu must be held.
func (t *throttle) takeLocked(key string, l pace.Limit, now time.Time) (bucketHeaders, bool) {
	w := t.windows[key]
	if w == nil || !now.Before(w.reset) {
		w = &window{reset: now.Add(l.Per)}
		t.windows[key] = w
	}
	h := bucketHeaders{limit: l.Count, resetAt: w.reset, after: w.reset.Sub(now)}
	if w.used >= l.Count {
		return h, false
	}
	w.used++
	h.remaining = l.Count - w.used
	return h, true
}

// throttleLocked applies the Limits to a request: a 429 response when it
// is over a limit, otherwise a zero response, with the route's headers
// added to q for the answer. s.mu must be held.
func (s *Server) throttleLocked(route Route, access access, q *request, now time.Time) response {
	t := s.throttle
	if t == nil {
		return response{}
	}
	if access == botToken && t.limits.Global.Count > 0 {
		if h, ok := t.takeLocked("global", t.limits.Global, now); !ok {
			s.refusals++
			return tooManyRequests(h, "global")
		}
	}
	l, limited := t.limits.Routes[route]
	if !limited || l.Count <= 0 {
		return response{}
	}
	h, ok := t.takeLocked(string(route)+" "+q.call.ChannelID, l, now)
	h.bucket = bucketID(route)
	if !ok {
		s.refusals++
		s.resets[string(route)+" "+q.call.ChannelID] = h.resetAt
		return tooManyRequests(h, "user")
	}
	q.header = h
	return response{}
}

// tooManyRequests is Discord's 429 for bucket h, whose limit of the given
// scope ("user", "global") is used up.
func tooManyRequests(h bucketHeaders, scope string) response {
	secs := h.after.Seconds()
	header := map[string]string{
		"Retry-After":       strconv.Itoa(int(math.Ceil(secs))),
		"X-RateLimit-Scope": scope,
	}
	h.remaining = 0
	h.set(header)
	global := scope == "global"
	if global {
		header["X-RateLimit-Global"] = "true"
		delete(header, "X-RateLimit-Bucket")
	}
	return response{
		status: http.StatusTooManyRequests,
		header: header,
		body:   map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": global},
	}
}

// RateLimited returns how many requests the Server refused with a 429
// under its Limits.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusals
}

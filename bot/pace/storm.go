package pace

import (
	"log/slog"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// DefaultStormWindow is how often a Storm logs while refusals go on.
const DefaultStormWindow = time.Minute

// Storm counts a platform's rate-limit refusals and logs them as one WARN
// per window with their number, not one line per refusal: a burst of
// hundreds of 429s is one fact for the operator. The first refusal of a
// window is logged at once, so a single one is not hidden; the rest of the
// window's are counted in the line that opens the next window. It is safe
// for concurrent use.
type Storm struct {
	log      *slog.Logger
	clock    bot.Clock
	window   time.Duration
	platform string
	// counted is told of each refusal as it happens (for metrics); nil
	// when nothing counts them.
	counted func()

	mu     sync.Mutex
	opened time.Time // when the current window began; zero when quiet
	count  int       // refusals in the current window not yet logged
	total  int       // refusals since the Storm was made
}

// NewStorm returns a Storm that logs a platform's refusals on log at most
// once per window (DefaultStormWindow when zero).
func NewStorm(log *slog.Logger, clock bot.Clock, platform string, window time.Duration) *Storm {
	if window <= 0 {
		window = DefaultStormWindow
	}
	return &Storm{log: log, clock: clock, window: window, platform: platform}
}

// Counting makes the Storm call count for every refusal as it happens, so
// a metrics counter sees each one while the log sees one line per window.
// It returns s.
func (s *Storm) Counting(count func()) *Storm {
	s.counted = count
	return s
}

// Refused records one refusal of key (a method or a channel's route) that
// asked for a wait of retryAfter.
func (s *Storm) Refused(key string, retryAfter time.Duration) {
	s.mu.Lock()
	now := s.clock.Now()
	s.total++
	var n int
	switch {
	case s.opened.IsZero() || now.Sub(s.opened) >= s.window:
		// A new window: log what the last one still held with this one.
		n = s.count + 1
		s.opened, s.count = now, 0
	default:
		s.count++
	}
	s.mu.Unlock()
	if s.counted != nil {
		s.counted()
	}
	if n > 0 {
		s.log.Warn("rate limited by "+s.platform+"; pacing", "refusals", n, "last", key, "retry_after", retryAfter, "window", s.window)
	}
}

// Total returns how many refusals the Storm has seen.
func (s *Storm) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

package bot

import (
	"slices"
	"sync"
	"time"
)

// Clock tells the time. Everything that schedules or timestamps reads time
// from a Clock so tests can control it without sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

// TimerClock is a Clock that can also call a function once time has
// moved on. Code that waits (a back-off before a retry, the pacing of
// card updates) waits through AfterFunc, so that a test driving a
// ManualClock decides when the wait is over instead of sleeping.
type TimerClock interface {
	Clock
	// AfterFunc calls f once d has passed on the clock, unless stop is
	// called first; stop reports whether it prevented the call.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// AfterFunc calls f once d has passed on c: through c when it is a
// TimerClock, on a real timer otherwise.
func AfterFunc(c Clock, d time.Duration, f func()) (stop func() bool) {
	if tc, ok := c.(TimerClock); ok {
		return tc.AfterFunc(d, f)
	}
	return time.AfterFunc(d, f).Stop
}

// ClockFunc adapts a function to the Clock interface.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the real wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc calls f in its own goroutine after d, as time.AfterFunc does.
func (SystemClock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	return time.AfterFunc(d, f).Stop
}

// ManualClock is a Clock for tests that only moves when told to. Its
// timers (AfterFunc) run when Set or Advance moves it to or past their
// time, in the order of their times, in the goroutine that moved it. It
// is safe for concurrent use.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
	seq    uint64
}

// manualTimer is one function waiting for a ManualClock.
type manualTimer struct {
	at  time.Time
	seq uint64 // breaks ties between timers due at the same time
	f   func()
}

// NewManualClock returns a ManualClock set to t.
func NewManualClock(t time.Time) *ManualClock {
	return &ManualClock{now: t}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t and runs the timers due by then.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
	c.fire()
}

// Advance moves the clock forward by d, runs the timers due by then, and
// returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	c.fire()
	return now
}

// AfterFunc calls f once the clock has been moved d past now. A timer
// that is already due (d <= 0) runs at once in its own goroutine, so that
// a caller holding a lock that f takes does not deadlock.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	if d <= 0 {
		go f()
		return func() bool { return false }
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &manualTimer{at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		i := slices.Index(c.timers, t)
		if i < 0 {
			return false
		}
		c.timers = slices.Delete(c.timers, i, i+1)
		return true
	}
}

// Timers returns how many timers wait for the clock to move. Tests use it
// to know that the code under test has started waiting.
func (c *ManualClock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// fire runs, one at a time and earliest first, every timer due by now,
// including those that the timers it runs start.
func (c *ManualClock) fire() {
	for {
		c.mu.Lock()
		var next *manualTimer
		for _, t := range c.timers {
			if !t.at.After(c.now) && (next == nil || t.at.Before(next.at) || t.at.Equal(next.at) && t.seq < next.seq) {
				next = t
			}
		}
		if next == nil {
			c.mu.Unlock()
			return
		}
		c.timers = slices.DeleteFunc(c.timers, func(t *manualTimer) bool { return t == next })
		c.mu.Unlock()
		next.f()
	}
}

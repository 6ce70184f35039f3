package pace

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
)

// pruneAt is how many keys a Budget holds before it forgets the idle ones,
// so that a budget per channel does not grow with every channel ever used.
const pruneAt = 1024

// Budget paces sends per key (a channel, a method) within one Limit. It
// keeps, per key, the earliest time the next send is due (the generic
// cell rate algorithm): a send may go once that time, less the burst's
// allowance, has come. It is safe for concurrent use.
type Budget struct {
	clock bot.Clock
	limit Limit

	mu  sync.Mutex
	due map[string]time.Time // key → when the next send is due at the steady rate
}

// NewBudget returns a Budget for limit, reading time from clock.
func NewBudget(clock bot.Clock, limit Limit) *Budget {
	return &Budget{clock: clock, limit: limit, due: map[string]time.Time{}}
}

// Limit returns the limit the budget keeps to.
func (b *Budget) Limit() Limit { return b.limit }

// tolerance is how far ahead of the steady rate a burst may run.
func (b *Budget) tolerance() time.Duration {
	return time.Duration(b.limit.burst()-1) * b.limit.Interval()
}

// Reserve takes key's next slot and returns how long the caller must wait
// before using it (zero when it may send at once).
func (b *Budget) Reserve(key string) time.Duration {
	if b.limit.Interval() <= 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	due := latest(b.due[key], now)
	wait := max(due.Add(-b.tolerance()).Sub(now), 0)
	b.due[key] = due.Add(b.limit.Interval())
	if len(b.due) > pruneAt {
		b.pruneLocked(now)
	}
	return wait
}

// Allow takes key's next slot if it is free now, as a platform admits a
// request. When it is not, Allow takes nothing and returns false with how
// long until a slot frees.
func (b *Budget) Allow(key string) (bool, time.Duration) {
	if b.limit.Interval() <= 0 {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	due := latest(b.due[key], now)
	if wait := due.Add(-b.tolerance()).Sub(now); wait > 0 {
		return false, wait
	}
	b.due[key] = due.Add(b.limit.Interval())
	if len(b.due) > pruneAt {
		b.pruneLocked(now)
	}
	return true, 0
}

// Wait reserves key's next slot and waits for it on the budget's clock, or
// until ctx ends.
func (b *Budget) Wait(ctx context.Context, key string) error {
	d := b.Reserve(key)
	if d <= 0 {
		return ctx.Err()
	}
	if err := backoff.Sleep(ctx, b.clock, d); err != nil {
		return fmt.Errorf("waiting %v for the rate limit of %s: %w", d, key, err)
	}
	return nil
}

// Delay estimates how long a send on key would wait if ahead sends were
// queued before it, without reserving anything.
func (b *Budget) Delay(key string, ahead int) time.Duration {
	if b.limit.Interval() <= 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	due := latest(b.due[key], now).Add(time.Duration(ahead) * b.limit.Interval())
	return max(due.Add(-b.tolerance()).Sub(now), 0)
}

// Pause holds key for d: its next send waits until d from now. It is what
// a platform's Retry-After (or a bucket's Reset-After with nothing
// remaining) asks for.
func (b *Budget) Pause(key string, d time.Duration) {
	if d <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	until := b.clock.Now().Add(d + b.tolerance())
	b.due[key] = latest(b.due[key], until)
}

// pruneLocked forgets the keys whose next send is already due: they hold
// nothing a fresh key would not. b.mu must be held.
func (b *Budget) pruneLocked(now time.Time) {
	for k, due := range b.due {
		if !due.After(now) {
			delete(b.due, k)
		}
	}
}

// Keys returns how many keys the budget remembers; tests check that it
// stays bounded.
func (b *Budget) Keys() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.due)
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

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

	// coldUntil ends the start of a Budget made Cold: a key first used
	// before then starts with its burst spent.
	coldUntil time.Time

	mu  sync.Mutex
	due map[string]time.Time // key → when the next send is due at the steady rate
}

// NewBudget returns a Budget for limit, reading time from clock.
func NewBudget(clock bot.Clock, limit Limit) *Budget {
	return &Budget{clock: clock, limit: limit, due: map[string]time.Time{}}
}

// Cold makes b start as though its burst had been spent on every key just
// before now, and returns b. A process that starts again (after a crash,
// or a deploy) does not know what the one before it sent, and the
// platform still counts it: a budget that began with a full burst would
// be refused. A key first used within a burst's length of now goes at the
// steady rate from its first send instead; after that a key's burst has
// come back whatever was sent before, and keys start fresh. (The process
// before sent its last call at least one interval before this one starts:
// starting takes longer than that.) Call it before the budget is used.
func (b *Budget) Cold() *Budget {
	b.coldUntil = b.clock.Now().Add(b.tolerance())
	return b
}

// dueLocked returns when key's next send is due at the steady rate, at
// the earliest now. b.mu must be held.
func (b *Budget) dueLocked(key string, now time.Time) time.Time {
	due, ok := b.due[key]
	if !ok && now.Before(b.coldUntil) {
		due = b.coldUntil
	}
	return latest(due, now)
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
	due := b.dueLocked(key, now)
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
	due := b.dueLocked(key, now)
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
	due := b.dueLocked(key, now).Add(time.Duration(ahead) * b.limit.Interval())
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
	now := b.clock.Now()
	b.due[key] = latest(b.dueLocked(key, now), now.Add(d+b.tolerance()))
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

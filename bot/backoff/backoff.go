// Package backoff is Union Hall's one retry policy: how long to wait
// before trying again after a failure, and the waiting itself.
//
// A Policy starts at Initial, multiplies each further wait by Factor (2
// unless set) and never waits longer than Max. It may shorten each wait
// by a random part (Jitter), drawn from a source the caller can replace,
// so that many clients do not retry in step. When a server says how long
// to wait (an HTTP Retry-After header, Slack's and Discord's rate-limit
// answers), that wait is honoured instead of the policy's own.
//
// Waits go through the caller's bot.Clock, bounded by a context, so a
// test with a bot.ManualClock decides when a wait is over. Callers that
// keep the number of failed attempts in a database (poll result posts,
// reminder posts) use Delay alone: their waits are schedules, not sleeps.
//
// The package imports only the standard library and the core.
package backoff

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// Policy says how long to wait between attempts. Its zero Factor means 2;
// its zero Max and Attempts mean no limit. A Policy is a value: copy it
// freely.
type Policy struct {
	// Initial is the wait after the first failed attempt.
	Initial time.Duration
	// Factor, 1 or more, multiplies each wait to give the next; 2 when
	// zero. A Factor of 1 waits Initial every time.
	Factor float64
	// Max caps every wait, Retry-After included; no cap when zero.
	Max time.Duration
	// Attempts is how many attempts Retry makes in all before it gives up;
	// no limit when zero.
	Attempts int
	// Jitter, between 0 and 1, shortens each wait by up to that fraction,
	// drawn from Rand, so that clients that failed together do not retry
	// together. Zero waits exactly the computed time.
	Jitter float64
	// Rand returns a number in [0, 1) for the jitter; math/rand/v2's
	// Float64 when nil. Tests replace it to make jitter predictable.
	Rand func() float64
}

// Delay returns the wait after the given number of failed attempts:
// Initial after the first (or fewer), then Factor times the wait before,
// at most Max, less the jitter.
func (p Policy) Delay(failed int) time.Duration {
	d := p.Initial
	for i := 1; i < failed; i++ {
		next := p.grow(d)
		if next == d {
			break // a Factor of 1, or the longest duration there is
		}
		d = next
		if p.Max > 0 && d >= p.Max {
			break
		}
	}
	return p.jitter(p.capped(d))
}

// After returns the wait that follows a wait of prev: Initial when prev
// is zero (nothing has failed yet), otherwise Factor times prev, at most
// Max, less the jitter. It suits loops that remember their last wait
// rather than count failures.
func (p Policy) After(prev time.Duration) time.Duration {
	if prev <= 0 {
		return p.jitter(p.capped(p.Initial))
	}
	return p.jitter(p.capped(p.grow(prev)))
}

// Wait returns the wait after the given number of failed attempts when
// the server asked for asked (zero or less: it did not say): what it
// asked, at most Max, or else Delay(failed).
func (p Policy) Wait(failed int, asked time.Duration) time.Duration {
	if asked > 0 {
		return p.capped(asked)
	}
	return p.Delay(failed)
}

func (p Policy) grow(d time.Duration) time.Duration {
	f := p.Factor
	if f == 0 {
		f = 2
	}
	next := time.Duration(float64(d) * f)
	if next < d { // overflow
		return time.Duration(1<<63 - 1)
	}
	return next
}

func (p Policy) capped(d time.Duration) time.Duration {
	if p.Max > 0 && d > p.Max {
		return p.Max
	}
	return d
}

func (p Policy) jitter(d time.Duration) time.Duration {
	if p.Jitter <= 0 || d <= 0 {
		return d
	}
	r := p.Rand
	if r == nil {
		r = rand.Float64
	}
	return d - time.Duration(float64(d)*min(p.Jitter, 1)*r())
}

// Retry calls attempt until it succeeds, fails with an error marked by
// Stop, has been called p.Attempts times, or ctx ends. After each failure
// it waits on clock for what the failure asked (see RetryAfter) or for
// p.Delay(failures); before the wait it calls notify, when set, with the
// error and the wait, for the caller's log. It returns nil, the last
// error (unwrapped from Stop), or ctx's error joined with the last error
// when ctx ends during a wait.
func (p Policy) Retry(ctx context.Context, clock bot.Clock, attempt func(context.Context) error, notify func(err error, wait time.Duration)) error {
	for failed := 1; ; failed++ {
		err := attempt(ctx)
		if err == nil {
			return nil
		}
		if s, ok := errors.AsType[*stopError](err); ok {
			return s.err
		}
		if p.Attempts > 0 && failed >= p.Attempts {
			return err
		}
		asked, _ := Asked(err)
		wait := p.Wait(failed, asked)
		if notify != nil {
			notify(err, wait)
		}
		if werr := Sleep(ctx, clock, wait); werr != nil {
			return errors.Join(werr, err)
		}
	}
}

// Sleep waits for d on clock (see bot.AfterFunc), or until ctx ends, and
// then returns ctx's error.
func Sleep(ctx context.Context, clock bot.Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	done := make(chan struct{})
	stop := bot.AfterFunc(clock, d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		stop()
		return ctx.Err()
	}
}

// retryAfterError is a failure that says how long to wait.
type retryAfterError struct {
	wait time.Duration
	err  error
}

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.err, e.wait)
}

func (e *retryAfterError) Unwrap() error { return e.err }

// RetryAfter marks err as a failure after which the server asked to wait
// d before the next attempt (a rate limit). Retry, and Asked, honour it.
func RetryAfter(err error, d time.Duration) error {
	return &retryAfterError{wait: d, err: err}
}

// Asked returns the wait that err, or an error it wraps, asks for through
// RetryAfter.
func Asked(err error) (time.Duration, bool) {
	if e, ok := errors.AsType[*retryAfterError](err); ok {
		return e.wait, true
	}
	return 0, false
}

// stopError is a failure that retrying cannot fix.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// Stop marks err as a failure that retrying cannot fix (a refused token, a
// malformed request): Retry returns it at once.
func Stop(err error) error {
	if err == nil {
		return nil
	}
	return &stopError{err: err}
}

// Stopped reports whether err, or an error it wraps, was marked by Stop.
func Stopped(err error) bool {
	_, ok := errors.AsType[*stopError](err)
	return ok
}

package backoff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

func seconds(ds ...float64) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = time.Duration(d * float64(time.Second))
	}
	return out
}

func delays(p Policy, n int) []time.Duration {
	var out []time.Duration
	for i := 1; i <= n; i++ {
		out = append(out, p.Delay(i))
	}
	return out
}

// The callers' documented schedules come out of one Policy each.
func TestDelayDoublesUpToTheMaximum(t *testing.T) {
	cases := []struct {
		name string
		p    Policy
		want []time.Duration
	}{
		{"poll result posts", Policy{Initial: time.Minute, Max: 30 * time.Minute},
			seconds(60, 120, 240, 480, 960, 1800, 1800)},
		{"reminder posts", Policy{Initial: 10 * time.Second, Max: 5 * time.Minute},
			seconds(10, 20, 40, 80, 160, 300, 300)},
		{"Slack server errors", Policy{Initial: 250 * time.Millisecond, Max: 30 * time.Second},
			seconds(0.25, 0.5, 1, 2, 4, 8, 16, 30, 30)},
		{"no maximum", Policy{Initial: time.Second},
			seconds(1, 2, 4, 8, 16)},
		{"factor 4", Policy{Initial: 100 * time.Millisecond, Factor: 4},
			seconds(0.1, 0.4, 1.6, 6.4)},
		{"constant", Policy{Initial: 2 * time.Second, Factor: 1},
			seconds(2, 2, 2)},
	}
	for _, c := range cases {
		if got := delays(c.p, len(c.want)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	p := Policy{Initial: time.Minute, Max: 30 * time.Minute}
	if got := p.Delay(0); got != time.Minute {
		t.Errorf("Delay(0) = %v, want the initial wait", got)
	}
	if got := p.Delay(1 << 30); got != 30*time.Minute {
		t.Errorf("Delay of many failures = %v, want the maximum", got)
	}
	if got := (Policy{Initial: time.Hour}).Delay(200); got <= 0 {
		t.Errorf("Delay without a maximum overflowed to %v", got)
	}
}

func TestAfterFollowsThePreviousWait(t *testing.T) {
	p := Policy{Initial: time.Second, Max: time.Minute}
	var got []time.Duration
	for w := time.Duration(0); len(got) < 8; {
		w = p.After(w)
		got = append(got, w)
	}
	if want := seconds(1, 2, 4, 8, 16, 32, 60, 60); !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	if w := p.After(30 * time.Second); w != time.Minute {
		t.Errorf("After(30s) = %v, want 1m", w)
	}
}

func TestWaitHonoursWhatTheServerAsked(t *testing.T) {
	p := Policy{Initial: 2 * time.Second, Factor: 1, Max: time.Minute}
	if w := p.Wait(3, 7*time.Second); w != 7*time.Second {
		t.Errorf("asked 7s, waits %v", w)
	}
	if w := p.Wait(3, 0); w != 2*time.Second {
		t.Errorf("asked nothing, waits %v, want the policy's 2s", w)
	}
	if w := p.Wait(1, time.Hour); w != time.Minute {
		t.Errorf("asked an hour, waits %v, want the maximum", w)
	}
}

func TestJitterShortensWaitsFromTheGivenSource(t *testing.T) {
	draws := []float64{0, 0.5, 0.999}
	i := 0
	p := Policy{Initial: 10 * time.Second, Max: 40 * time.Second, Jitter: 0.5,
		Rand: func() float64 { r := draws[i%len(draws)]; i++; return r }}
	got := delays(p, 3)
	want := []time.Duration{10 * time.Second, 15 * time.Second, 40*time.Second - time.Duration(0.5*0.999*float64(40*time.Second))}
	if !slices.Equal(got, want) {
		t.Errorf("jittered waits %v, want %v", got, want)
	}
	// The default source stays within bounds.
	p.Rand = nil
	for range 100 {
		if d := p.Delay(2); d <= 10*time.Second || d > 20*time.Second {
			t.Fatalf("jittered 20s wait = %v, want in (10s, 20s]", d)
		}
	}
}

// retryRun runs Retry in the background against a manual clock. Each
// attempt's time and each announced wait goes into a channel, read once
// the run is over.
type retryRun struct {
	clock *bot.ManualClock
	tries chan time.Time
	waits chan time.Duration
	done  chan error
}

func startRetry(ctx context.Context, p Policy, clock *bot.ManualClock, results ...error) *retryRun {
	r := &retryRun{clock: clock, tries: make(chan time.Time, 16), waits: make(chan time.Duration, 16), done: make(chan error, 1)}
	go func() {
		n := 0 // attempts so far; Retry makes them one after the other
		r.done <- p.Retry(ctx, clock, func(context.Context) error {
			r.tries <- clock.Now()
			if n++; n > len(results) {
				return errors.New("unexpected attempt")
			}
			return results[n-1]
		}, func(_ error, wait time.Duration) { r.waits <- wait })
	}()
	return r
}

// waiting waits until the run sleeps on the clock after n attempts.
func (r *retryRun) waiting(t *testing.T, n int) {
	t.Helper()
	bottest.WaitFor(t, "the retry to wait on the clock", func() bool {
		return len(r.tries) == n && r.clock.Timers() == 1
	})
}

func (r *retryRun) attempts() int { return len(r.tries) }

// drain returns what a finished run recorded.
func drain[T any](c chan T) []T {
	var out []T
	for len(c) > 0 {
		out = append(out, <-c)
	}
	return out
}

func TestRetryWaitsOnTheClockAndHonoursRetryAfter(t *testing.T) {
	start := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	clock := bot.NewManualClock(start)
	fail := errors.New("503")
	limited := RetryAfter(errors.New("429"), 7*time.Second)
	p := Policy{Initial: time.Second, Max: 30 * time.Second}
	r := startRetry(context.Background(), p, clock, fail, fail, limited, nil)

	r.waiting(t, 1)
	clock.Advance(999 * time.Millisecond)
	if n := r.attempts(); n != 1 {
		t.Fatalf("%d attempts before the first wait was over", n)
	}
	clock.Advance(time.Millisecond)
	r.waiting(t, 2)
	clock.Advance(2 * time.Second)
	r.waiting(t, 3)
	clock.Advance(7 * time.Second)
	if err := <-r.done; err != nil {
		t.Fatalf("Retry = %v", err)
	}
	want := []time.Time{start, start.Add(time.Second), start.Add(3 * time.Second), start.Add(10 * time.Second)}
	if tries := drain(r.tries); !slices.Equal(tries, want) {
		t.Errorf("attempts at %v, want %v", tries, want)
	}
	if waits, want := drain(r.waits), seconds(1, 2, 7); !slices.Equal(waits, want) {
		t.Errorf("announced waits %v, want %v (the third as the server asked)", waits, want)
	}
}

func TestRetryGivesUp(t *testing.T) {
	clock := bot.NewManualClock(time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC))
	fatal := errors.New("invalid token")

	// A failure marked Stop ends it at once, unwrapped.
	r := startRetry(context.Background(), Policy{Initial: time.Second}, clock, Stop(fatal))
	if err := <-r.done; err != fatal || r.attempts() != 1 {
		t.Errorf("stopped retry = %v after %d attempts, want the error itself after 1", err, r.attempts())
	}

	// Attempts bounds the attempts.
	last := errors.New("third")
	r = startRetry(context.Background(), Policy{Initial: time.Second, Attempts: 3}, clock, errors.New("first"), errors.New("second"), last)
	r.waiting(t, 1)
	clock.Advance(time.Second)
	r.waiting(t, 2)
	clock.Advance(2 * time.Second)
	if err := <-r.done; err != last || r.attempts() != 3 {
		t.Errorf("bounded retry = %v after %d attempts, want the last error after 3", err, r.attempts())
	}

	// The context bounds the wait.
	ctx, cancel := context.WithCancel(context.Background())
	r = startRetry(ctx, Policy{Initial: time.Hour}, clock, errors.New("down"))
	r.waiting(t, 1)
	cancel()
	if err := <-r.done; !errors.Is(err, context.Canceled) || r.attempts() != 1 {
		t.Errorf("cancelled retry = %v after %d attempts", err, r.attempts())
	}
	if n := clock.Timers(); n != 0 {
		t.Errorf("%d timers left behind by a cancelled wait", n)
	}
}

func TestAskedFindsTheWaitThroughWrapping(t *testing.T) {
	base := errors.New("429")
	err := errors.Join(errors.New("chat.update"), RetryAfter(base, 3*time.Second))
	if d, ok := Asked(err); !ok || d != 3*time.Second {
		t.Errorf("Asked = %v %v, want 3s", d, ok)
	}
	if !errors.Is(err, base) {
		t.Error("RetryAfter hides the error it wraps")
	}
	if _, ok := Asked(base); ok {
		t.Error("an error that asked nothing reports a wait")
	}
	if Stop(nil) != nil {
		t.Error("Stop(nil) is an error")
	}
	if stopped := fmt.Errorf("chat.update: %w", Stop(base)); !Stopped(stopped) || Stopped(base) || !errors.Is(stopped, base) {
		t.Error("Stopped does not find Stop through wrapping, or Stop hides its error")
	}
}

func TestSleepWithTheSystemClock(t *testing.T) {
	if err := Sleep(context.Background(), bot.SystemClock{}, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, bot.SystemClock{}, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep with an ended context = %v", err)
	}
}

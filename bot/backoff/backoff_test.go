package backoff_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/bottest"
)

func seconds(ds ...float64) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = time.Duration(d * float64(time.Second))
	}
	return out
}

func delays(p backoff.Policy, n int) []time.Duration {
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
		p    backoff.Policy
		want []time.Duration
	}{
		{"poll result posts", backoff.Policy{Initial: time.Minute, Max: 30 * time.Minute},
			seconds(60, 120, 240, 480, 960, 1800, 1800)},
		{"reminder posts", backoff.Policy{Initial: 10 * time.Second, Max: 5 * time.Minute},
			seconds(10, 20, 40, 80, 160, 300, 300)},
		{"Slack server errors", backoff.Policy{Initial: 250 * time.Millisecond, Max: 30 * time.Second},
			seconds(0.25, 0.5, 1, 2, 4, 8, 16, 30, 30)},
		{"no maximum", backoff.Policy{Initial: time.Second},
			seconds(1, 2, 4, 8, 16)},
		{"factor 4", backoff.Policy{Initial: 100 * time.Millisecond, Factor: 4},
			seconds(0.1, 0.4, 1.6, 6.4)},
		{"constant", backoff.Policy{Initial: 2 * time.Second, Factor: 1},
			seconds(2, 2, 2)},
	}
	for _, c := range cases {
		if got := delays(c.p, len(c.want)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	p := backoff.Policy{Initial: time.Minute, Max: 30 * time.Minute}
	if got := p.Delay(0); got != time.Minute {
		t.Errorf("Delay(0) = %v, want the initial wait", got)
	}
	if got := p.Delay(1 << 30); got != 30*time.Minute {
		t.Errorf("Delay of many failures = %v, want the maximum", got)
	}
	if got := (backoff.Policy{Initial: time.Hour}).Delay(200); got <= 0 {
		t.Errorf("Delay without a maximum overflowed to %v", got)
	}
}

func TestAfterFollowsThePreviousWait(t *testing.T) {
	p := backoff.Policy{Initial: time.Second, Max: time.Minute}
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
	p := backoff.Policy{Initial: 2 * time.Second, Factor: 1, Max: time.Minute}
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
	p := backoff.Policy{Initial: 10 * time.Second, Max: 40 * time.Second, Jitter: 0.5,
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

// retryRun runs Retry in the background against a manual clock and
// records each attempt's time and each announced wait.
type retryRun struct {
	clock *bot.ManualClock
	mu    sync.Mutex
	tries []time.Time
	waits []time.Duration
	done  chan error
}

func startRetry(ctx context.Context, p backoff.Policy, clock *bot.ManualClock, results ...error) *retryRun {
	r := &retryRun{clock: clock, done: make(chan error, 1)}
	go func() {
		r.done <- p.Retry(ctx, clock, func(context.Context) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.tries = append(r.tries, clock.Now())
			if len(r.tries) > len(results) {
				return errors.New("unexpected attempt")
			}
			return results[len(r.tries)-1]
		}, func(_ error, wait time.Duration) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.waits = append(r.waits, wait)
		})
	}()
	return r
}

// waiting waits until the run sleeps on the clock after n attempts.
func (r *retryRun) waiting(t *testing.T, n int) {
	t.Helper()
	bottest.WaitFor(t, "the retry to wait on the clock", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.tries) == n && r.clock.Timers() == 1
	})
}

func (r *retryRun) attempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.tries)
}

func TestRetryWaitsOnTheClockAndHonoursRetryAfter(t *testing.T) {
	start := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	clock := bot.NewManualClock(start)
	fail := errors.New("503")
	limited := backoff.RetryAfter(errors.New("429"), 7*time.Second)
	p := backoff.Policy{Initial: time.Second, Max: 30 * time.Second}
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
	if !slices.Equal(r.tries, want) {
		t.Errorf("attempts at %v, want %v", r.tries, want)
	}
	if want := seconds(1, 2, 7); !slices.Equal(r.waits, want) {
		t.Errorf("announced waits %v, want %v (the third as the server asked)", r.waits, want)
	}
}

func TestRetryGivesUp(t *testing.T) {
	clock := bot.NewManualClock(time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC))
	fatal := errors.New("invalid token")

	// A failure marked Stop ends it at once, unwrapped.
	r := startRetry(context.Background(), backoff.Policy{Initial: time.Second}, clock, backoff.Stop(fatal))
	if err := <-r.done; err != fatal || r.attempts() != 1 {
		t.Errorf("stopped retry = %v after %d attempts, want the error itself after 1", err, r.attempts())
	}

	// Attempts bounds the attempts.
	last := errors.New("third")
	r = startRetry(context.Background(), backoff.Policy{Initial: time.Second, Attempts: 3}, clock, errors.New("first"), errors.New("second"), last)
	r.waiting(t, 1)
	clock.Advance(time.Second)
	r.waiting(t, 2)
	clock.Advance(2 * time.Second)
	if err := <-r.done; err != last || r.attempts() != 3 {
		t.Errorf("bounded retry = %v after %d attempts, want the last error after 3", err, r.attempts())
	}

	// The context bounds the wait.
	ctx, cancel := context.WithCancel(context.Background())
	r = startRetry(ctx, backoff.Policy{Initial: time.Hour}, clock, errors.New("down"))
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
	err := errors.Join(errors.New("chat.update"), backoff.RetryAfter(base, 3*time.Second))
	if d, ok := backoff.Asked(err); !ok || d != 3*time.Second {
		t.Errorf("Asked = %v %v, want 3s", d, ok)
	}
	if !errors.Is(err, base) {
		t.Error("RetryAfter hides the error it wraps")
	}
	if _, ok := backoff.Asked(base); ok {
		t.Error("an error that asked nothing reports a wait")
	}
	if backoff.Stop(nil) != nil {
		t.Error("Stop(nil) is an error")
	}
}

func TestSleepWithTheSystemClock(t *testing.T) {
	if err := backoff.Sleep(context.Background(), bot.SystemClock{}, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := backoff.Sleep(ctx, bot.SystemClock{}, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep with an ended context = %v", err)
	}
}

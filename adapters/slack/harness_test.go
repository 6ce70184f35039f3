package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// checkReplyAfterHandler checks that srv has no reply on a response URL
// while the handler is held, and exactly one once release lets it finish.
func checkReplyAfterHandler(t *testing.T, srv *slacktest.Server, release func()) {
	t.Helper()
	if len(srv.ResponsePosts()) != 0 {
		t.Fatal("replied before the handler finished")
	}
	release()
	bottest.WaitFor(t, "the reply once the handler finished", func() bool { return len(srv.ResponsePosts()) == 1 })
}

// testLogger returns a logger whose output fails the test if it ever
// contains a secret, and is shown when the test fails.
func testLogger(t testing.TB) (*slog.Logger, *bottest.LogBuffer) {
	lb := &bottest.LogBuffer{}
	t.Cleanup(func() {
		out := lb.String()
		if leaked := slacktest.LeakedSecrets(out); len(leaked) > 0 {
			t.Errorf("a log line contains a secret (%q):\n%s", leaked, out)
		}
		if t.Failed() {
			t.Logf("adapter log:\n%s", out)
		}
	})
	return lb.Logger(), lb
}

// testOptions are the options of an adapter in Socket Mode against s,
// with one connection: the tests of a spare connection ask for one.
func testOptions(t testing.TB, s *slacktest.Server) Options {
	log, _ := testLogger(t)
	return Options{BotToken: slacktest.BotToken, AppToken: slacktest.AppToken, APIURL: s.APIURL(), Log: log, SocketConnections: 1}
}

// newTestAdapter returns an adapter in Socket Mode against s, its options
// changed by tweak, that is not running.
func newTestAdapter(t testing.TB, s *slacktest.Server, tweak func(*Options)) *Adapter {
	t.Helper()
	opts := testOptions(t, s)
	if tweak != nil {
		tweak(&opts)
	}
	a, err := newAdapter(opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// idleAdapter returns an adapter against s that is not running (Send,
// Announce and card updates work without Run), shut down when the test
// ends.
func idleAdapter(t testing.TB, s *slacktest.Server, tweak func(*Options)) *Adapter {
	t.Helper()
	a := newTestAdapter(t, s, tweak)
	t.Cleanup(a.shutdown)
	return a
}

// startAdapter runs an adapter against s until the test ends. tweak
// changes its options, adj the adapter before it runs.
func startAdapter(t testing.TB, s *slacktest.Server, d bot.Dispatcher, tweak func(*Options), adj func(*Adapter)) *Adapter {
	t.Helper()
	a := newTestAdapter(t, s, tweak)
	if adj != nil {
		adj(a)
	}
	run := bottest.Start(t, func(ctx context.Context) error { return a.Run(ctx, d) })
	t.Cleanup(func() {
		if err := run.Stop(); err != nil {
			t.Errorf("Run returned %v", err)
		}
	})
	select {
	case <-a.ready:
	case <-run.Done():
		t.Fatalf("adapter stopped before it was ready: %v", run.Stop())
	case <-time.After(bottest.WaitTimeout):
		t.Fatalf("adapter not ready after %s", bottest.WaitTimeout)
	}
	return a
}

// newTestClock returns a manual clock for tests that move time
// themselves.
func newTestClock() *bot.ManualClock {
	return bot.NewManualClock(time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC))
}

// throttledAdapter runs an adapter dispatching to d against a new server
// that enforces Slack's documented limits, both on one manual clock the
// test moves; tweak changes the adapter's options further.
func throttledAdapter(t testing.TB, d bot.Dispatcher, tweak func(*Options)) (*slacktest.Server, *bot.ManualClock, *Adapter) {
	t.Helper()
	srv := slacktest.NewServer(t)
	clock := newTestClock()
	limits := slacktest.DocumentedLimits()
	limits.Clock = clock
	srv.Throttle(limits)
	a := startAdapter(t, srv, d, func(o *Options) {
		o.Clock = clock
		if tweak != nil {
			tweak(o)
		}
	}, nil)
	return srv, clock, a
}

// askInC1 has members U000… mention the bot in C1, one question each,
// numbered from first.
func askInC1(srv *slacktest.Server, first, n int) {
	for i := first; i < first+n; i++ {
		ts := fmt.Sprintf("1700000100.%06d", i)
		srv.SendEvent(fmt.Sprintf("env-%d", i), slacktest.Mention(fmt.Sprintf("U%03d", i), "C1", fmt.Sprintf("<@UBOT> question %03d", i), ts, ""))
	}
}

// heldSleeps stands in for Adapter.sleep: it records every wait asked
// for and holds the caller, instead of waiting, until the test releases
// it (or the caller's context ends). A test so sees what the adapter
// would wait for, and what it does meanwhile, without a clock.
type heldSleeps struct {
	proceed chan struct{}

	mu    sync.Mutex
	waits []time.Duration
}

func newHeldSleeps() *heldSleeps { return &heldSleeps{proceed: make(chan struct{})} }

func (h *heldSleeps) sleep(ctx context.Context, d time.Duration) error {
	h.mu.Lock()
	h.waits = append(h.waits, d)
	h.mu.Unlock()
	select {
	case <-h.proceed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// requested returns the waits asked for so far.
func (h *heldSleeps) requested() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.waits)
}

// release ends one held wait, failing the test if none comes to be held.
func (h *heldSleeps) release(t testing.TB) {
	t.Helper()
	select {
	case h.proceed <- struct{}{}:
	case <-time.After(bottest.WaitTimeout):
		t.Fatalf("no wait to release after %s", bottest.WaitTimeout)
	}
}

// voteButton returns the button for option n (1-based) of a rendered
// card's blocks.
func voteButton(t testing.TB, blocks []map[string]any, n int) slacktest.Button {
	t.Helper()
	btns := slacktest.Buttons(blocks)
	if n < 1 || n > len(btns) {
		t.Fatalf("no button %d in %v", n, blocks)
	}
	return btns[n-1]
}

// blocksJSON renders blocks as Slack receives them.
func blocksJSON(t testing.TB, blocks []slack.Block) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(mustJSON(t, blocks)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package slack

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// The tests in this file are why the adapter speaks Socket Mode itself
// (see runSocket): each runs a scenario against the adapter, and the same
// scenario against slack-go's socketmode client, whose different
// behaviour it records. Should slack-go change, its test fails, and the
// reason for the adapter's own client has to be looked at again.

func TestDisconnectBackOff(t *testing.T) {
	for _, reason := range []string{"too_many_websockets", "link_disabled"} {
		t.Run(reason, func(t *testing.T) {
			srv := slacktest.NewServer(t)
			sleeps := newHeldSleeps()
			a := startAdapter(t, srv, newTestBot(), nil, func(a *Adapter) { a.sleep = sleeps.sleep })
			for n := 1; n <= 2; n++ {
				bottest.WaitFor(t, "the connection", func() bool { return srv.Sockets() == n && a.hellos.Load() == int64(n) })
				srv.Disconnect(reason)
				bottest.WaitFor(t, "the wait before reconnecting", func() bool { return len(sleeps.requested()) == n })
				if w := sleeps.requested()[n-1]; w < backOffWait {
					t.Errorf("disconnect %d (%s): waiting %s before reconnecting, want at least %s", n, reason, w, backOffWait)
				}
				if opens := len(srv.Calls("apps.connections.open")); opens != n {
					t.Fatalf("%d connections opened while waiting to reconnect, want %d", opens, n)
				}
				sleeps.release(t)
			}
			bottest.WaitFor(t, "the connection after the waits", func() bool { return srv.Sockets() == 3 && a.hellos.Load() == 3 })
		})
	}
}

// TestSlackGoSocketModeDoesNotBackOff runs slack-go's socketmode client
// (v0.35.0) against the same disconnects: it reconnects at once, five
// times in a row, where the adapter waits at least backOffWait each time;
// and it never tells the application that Slack asked it to disconnect,
// let alone why, so an application on it could not back off either.
func TestSlackGoSocketModeDoesNotBackOff(t *testing.T) {
	if bottest.WaitTimeout > backOffWait {
		t.Fatalf("WaitFor's timeout %s exceeds backOffWait %s: this test could no longer tell", bottest.WaitTimeout, backOffWait)
	}
	srv := slacktest.NewServer(t)
	events := runSlackGoSocketMode(t, srv)
	const disconnects = 5
	for n := 1; n <= disconnects; n++ {
		bottest.WaitFor(t, "slack-go's connection", func() bool { return srv.Sockets() == n })
		srv.Disconnect("too_many_websockets")
	}
	// WaitFor gives up no later than backOffWait: had slack-go waited as
	// long as the adapter does even once, this would fail.
	bottest.WaitFor(t, "slack-go reconnecting at once after each too_many_websockets", func() bool {
		return srv.Sockets() == disconnects+1
	})
	if types := events.types(); slices.Contains(types, socketmode.EventTypeDisconnect) {
		t.Errorf("slack-go passed a disconnect on to the application: %v", types)
	}
}

// TestEnvelopeWithUnknownPayloadIsAcknowledged sends an event slack-go
// cannot parse (an event type it does not know). The adapter acknowledges
// it from the envelope's header, so Slack does not deliver it again;
// slack-go hands it to the application only as an error with the raw
// message and no Request, outside the path its Ack takes.
func TestEnvelopeWithUnknownPayloadIsAcknowledged(t *testing.T) {
	unknown := map[string]any{"type": "future_event", "user": "U1", "channel": "C1", "event_ts": "1700000000.000100"}

	srv := slacktest.NewServer(t)
	startAdapter(t, srv, newTestBot(), nil, nil)
	srv.SendEvent("ours", unknown)
	srv.Send(map[string]any{"type": "future_envelope", "envelope_id": "ours-2", "payload": map[string]any{}})
	srv.WaitAcked("ours", "ours-2")

	theirs := slacktest.NewServer(t)
	events := runSlackGoSocketMode(t, theirs)
	bottest.WaitFor(t, "slack-go's connection", theirs.Connected)
	theirs.SendEvent("theirs", unknown)
	bottest.WaitFor(t, "slack-go's report of the event", func() bool {
		return slices.Contains(events.types(), socketmode.EventTypeErrorBadMessage)
	})
	for _, e := range events.all() {
		if e.Type == socketmode.EventTypeErrorBadMessage && e.Request != nil {
			t.Errorf("slack-go now passes the unparsed envelope's Request (%+v): the application could Ack it", e.Request)
		}
	}
	if theirs.Acked("theirs") {
		t.Error("the envelope slack-go could not parse was acknowledged")
	}
}

// slackGoEvents records what slack-go's socketmode client passes to the
// application.
type slackGoEvents struct {
	mu     sync.Mutex
	events []socketmode.Event
}

func (e *slackGoEvents) all() []socketmode.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.events)
}

func (e *slackGoEvents) types() []socketmode.EventType {
	var out []socketmode.EventType
	for _, ev := range e.all() {
		out = append(out, ev.Type)
	}
	return out
}

// runSlackGoSocketMode runs slack-go's socketmode client against srv
// until the test ends, as an application would: it records every event
// and acknowledges every request that comes with one.
func runSlackGoSocketMode(t *testing.T, srv *slacktest.Server) *slackGoEvents {
	t.Helper()
	api := slack.New(slacktest.BotToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(slacktest.AppToken))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	events := &slackGoEvents{}
	var wg sync.WaitGroup
	wg.Go(func() { client.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-client.Events:
				events.mu.Lock()
				events.events = append(events.events, ev)
				events.mu.Unlock()
				if ev.Request != nil && ev.Request.EnvelopeID != "" {
					client.AckCtx(ctx, ev.Request.EnvelopeID, nil)
				}
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return events
}

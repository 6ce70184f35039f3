package slacktest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot/bottest"
)

// rawClient is a Socket Mode connection that acknowledges only what the
// test tells it to, and keeps every envelope it read.
type rawClient struct {
	conn *websocket.Conn
	mu   sync.Mutex
	got  []map[string]any
}

// connectSocket opens a Socket Mode connection to s as a client does:
// apps.connections.open with the app-level token, then the WebSocket.
func connectSocket(t *testing.T, s *Server) *websocket.Conn {
	t.Helper()
	api := slack.New(BotToken, slack.OptionAPIURL(s.APIURL()), slack.OptionAppLevelToken(AppToken))
	_, url, err := api.StartSocketModeContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// dial opens a Socket Mode connection to s and reads from it until the
// test ends.
func dial(t *testing.T, s *Server) *rawClient {
	t.Helper()
	conn := connectSocket(t, s)
	c := &rawClient{conn: conn}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		for {
			var msg map[string]any
			if conn.ReadJSON(&msg) != nil {
				return
			}
			c.mu.Lock()
			c.got = append(c.got, msg)
			c.mu.Unlock()
		}
	}()
	return c
}

// envelopes returns the envelopes (not hello) read so far.
func (c *rawClient) envelopes() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, m := range c.got {
		if m["envelope_id"] != nil {
			out = append(out, m)
		}
	}
	return out
}

func (c *rawClient) ack(t *testing.T, envelopeID string) {
	t.Helper()
	if err := c.conn.WriteJSON(map[string]any{"envelope_id": envelopeID}); err != nil {
		t.Fatal(err)
	}
}

// TestUnacknowledgedEventIsDeliveredOnAnotherConnection: an event the
// first connection does not acknowledge in time comes again on the other,
// in a new envelope that says it is the first retry, after a timeout, with
// the same event; once that is acknowledged, it comes no more.
func TestUnacknowledgedEventIsDeliveredOnAnotherConnection(t *testing.T) {
	s := NewServer(t)
	const timeout = 50 * time.Millisecond
	s.SetRedelivery(timeout, EventRetries)
	first, second := dial(t, s), dial(t, s)
	bottest.WaitFor(t, "two connections", func() bool { return len(s.Live()) == 2 })

	s.SendOn(0, EventsAPIEnvelope("e1", "Ev1", 0, Mention("U1", "C1", "<@UBOT> hi", "1.1", "")))
	bottest.WaitFor(t, "the retry on the second connection", func() bool { return len(second.envelopes()) == 1 })
	if n := len(first.envelopes()); n != 1 {
		t.Errorf("the first connection read %d envelopes, want the first delivery only", n)
	}
	retry := second.envelopes()[0]
	id, _ := retry["envelope_id"].(string)
	payload, _ := retry["payload"].(map[string]any)
	if id == "e1" || retry["retry_attempt"] != float64(1) || retry["retry_reason"] != RetryReason || payload["event_id"] != "Ev1" {
		t.Errorf("retry = %v, want a new envelope, attempt 1, reason %q, event Ev1", retry, RetryReason)
	}
	second.ack(t, id)
	s.WaitAcked(id)

	// A later event, never acknowledged, is retried after as long again:
	// once its first retry is out, a second retry of e1 would be too.
	s.SendOn(0, EventsAPIEnvelope("e2", "Ev2", 0, Mention("U1", "C1", "<@UBOT> again", "1.2", "")))
	bottest.WaitFor(t, "the retry of a later event", func() bool { return len(s.Deliveries("e2")) == 2 })
	ds := s.Deliveries("e1")
	if len(ds) != 2 || ds[0].Conn != 0 || ds[0].Acked || ds[1].Conn != 1 || ds[1].RetryAttempt != 1 || !ds[1].Acked {
		t.Errorf("deliveries of e1 = %+v, want one on connection 0 unacknowledged, one retry on 1 acknowledged", ds)
	}
	if since := ds[1].Sent.Sub(ds[0].Sent); since < timeout {
		t.Errorf("retried %s after the first delivery, want no sooner than the %s timeout", since, timeout)
	}
}

// TestEventRetriesStopAtSlacksCount: an event never acknowledged is
// delivered once and retried EventRetries times, alternating between
// connections; a slash command not acknowledged is not delivered again.
func TestEventRetriesStopAtSlacksCount(t *testing.T) {
	s := NewServer(t)
	s.SetRedelivery(20*time.Millisecond, EventRetries)
	a, b := dial(t, s), dial(t, s)
	bottest.WaitFor(t, "two connections", func() bool { return len(s.Live()) == 2 })

	s.SendOn(1, SlashCommandEnvelope("cmd", SlashCommand("/poll", "list", "U1", "C1", s.ResponseURL("cmd"), "T1")))
	s.SendOn(1, EventsAPIEnvelope("e1", "Ev1", 0, Mention("U1", "C1", "<@UBOT> hi", "1.1", "")))
	bottest.WaitFor(t, "every retry of e1", func() bool { return len(s.Deliveries("e1")) == 1+EventRetries })
	s.SendOn(1, EventsAPIEnvelope("e2", "Ev2", 0, Mention("U1", "C1", "<@UBOT> again", "1.2", "")))
	bottest.WaitFor(t, "every retry of e2", func() bool { return len(s.Deliveries("e2")) == 1+EventRetries })

	ds := s.Deliveries("e1")
	if len(ds) != 1+EventRetries {
		t.Fatalf("e1 delivered %d times after e2's last retry, want %d", len(ds), 1+EventRetries)
	}
	for i, d := range ds {
		if d.RetryAttempt != i || d.Acked || (i > 0 && d.Conn == ds[i-1].Conn) {
			t.Errorf("delivery %d of e1 = %+v, want attempt %d, not acknowledged, on the other connection than the one before", i, d, i)
		}
	}
	if n := len(s.Deliveries("cmd")); n != 1 {
		t.Errorf("the slash command was delivered %d times, want once", n)
	}
	if n := len(a.envelopes()) + len(b.envelopes()); n != 1+2*(1+EventRetries) {
		t.Errorf("the clients read %d envelopes, want %d", n, 1+2*(1+EventRetries))
	}
	if n := len(s.Redelivered()); n != 2*EventRetries {
		t.Errorf("%d redeliveries recorded, want %d", n, 2*EventRetries)
	}
}

package slacktest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Slack's figures for Events API deliveries over Socket Mode: an app must
// acknowledge an envelope within AckTimeout, or Slack counts the delivery
// as failed and delivers the event again, in a new envelope with the same
// event ID, up to EventRetries times, on any of the app's open
// connections. Slack does not deliver slash commands and interactions
// again: the member sees an error instead.
const (
	// AckTimeout is how long Slack waits for an envelope's
	// acknowledgement.
	AckTimeout = 3 * time.Second
	// EventRetries is how many times Slack delivers an unacknowledged
	// event again.
	EventRetries = 3
	// RetryReason is the retry_reason of an envelope delivered again
	// because the one before it was not acknowledged in time.
	RetryReason = "timeout"
)

// Delivery is one attempt to deliver an envelope.
type Delivery struct {
	// EnvelopeID is the envelope sent: the first attempt's ID, or the
	// retry's own.
	EnvelopeID string
	// Conn is the connection it went to, numbered as for SendOn; -1 when
	// no connection was open.
	Conn int
	// RetryAttempt is 0 for the first attempt, 1 and up for retries.
	RetryAttempt int
	// Sent is when it was written.
	Sent time.Time
	// Acked reports whether the client acknowledged it.
	Acked bool
}

// redelivery keeps every envelope's deliveries and delivers an
// unacknowledged event again, as Slack does.
type redelivery struct {
	mu      sync.Mutex
	timeout time.Duration
	retries int
	tries   map[string][]Delivery // first envelope ID → its attempts
	stopped bool
	timers  []*time.Timer
}

func newRedelivery() *redelivery {
	return &redelivery{timeout: AckTimeout, retries: EventRetries, tries: map[string][]Delivery{}}
}

// SetRedelivery sets how long the Server waits for an envelope's
// acknowledgement before delivering its event again, and how many times
// it does; retries 0 turns redelivery off. The default is Slack's:
// AckTimeout and EventRetries.
func (s *Server) SetRedelivery(ackTimeout time.Duration, retries int) {
	s.redeliver.mu.Lock()
	defer s.redeliver.mu.Unlock()
	s.redeliver.timeout, s.redeliver.retries = ackTimeout, retries
}

// Deliveries returns every attempt to deliver the envelope first sent as
// id, in order.
func (s *Server) Deliveries(id string) []Delivery {
	r := s.redeliver
	r.mu.Lock()
	out := slices.Clone(r.tries[id])
	r.mu.Unlock()
	for i := range out {
		out[i].Acked = s.Acked(out[i].EnvelopeID)
	}
	return out
}

// Redelivered returns the attempts after the first, of every envelope,
// in no particular order.
func (s *Server) Redelivered() []Delivery {
	r := s.redeliver
	r.mu.Lock()
	var out []Delivery
	for _, ds := range r.tries {
		if len(ds) > 1 {
			out = append(out, ds[1:]...)
		}
	}
	r.mu.Unlock()
	for i := range out {
		out[i].Acked = s.Acked(out[i].EnvelopeID)
	}
	return out
}

// stopRedelivery ends every pending redelivery; the Server is closing.
func (s *Server) stopRedelivery() {
	r := s.redeliver
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	for _, t := range r.timers {
		t.Stop()
	}
}

// delivered records the first delivery of envelope id (data, sent on
// connection conn) and, when it is an event, arranges for it to be
// delivered again if it is not acknowledged in time. It reports whether
// it did.
func (s *Server) delivered(id string, conn int, data []byte) bool {
	r := s.redeliver
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries[id] = append(r.tries[id], Delivery{EnvelopeID: id, Conn: conn, Sent: time.Now()})
	return s.retryLater(id, data)
}

// retryLater delivers the event in data, first sent as envelope id, again
// once the ack timeout has passed without an acknowledgement of any of
// its attempts, and reports whether it will. Only events are delivered
// again, up to the retry count. r.mu is held.
func (s *Server) retryLater(id string, data []byte) bool {
	r := s.redeliver
	attempt := len(r.tries[id])
	if r.stopped || attempt > r.retries {
		return false
	}
	var head struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(data, &head) != nil || head.Type != "events_api" {
		return false
	}
	r.timers = append(r.timers, time.AfterFunc(r.timeout, func() { s.retry(id, attempt, data) }))
	return true
}

// retry delivers attempt number attempt of the event first sent as
// envelope id, unless one of the attempts before was acknowledged. It
// picks, at random, an open connection other than the one the attempt
// before went to when there is one, that one otherwise.
func (s *Server) retry(id string, attempt int, data []byte) {
	r := s.redeliver
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return
	}
	last := -1
	for _, d := range r.tries[id] {
		if s.Acked(d.EnvelopeID) {
			r.mu.Unlock()
			return
		}
		last = d.Conn
	}
	r.mu.Unlock()

	var env map[string]any
	if err := json.Unmarshal(data, &env); err != nil {
		return
	}
	retryID := fmt.Sprintf("%s-retry%d", id, attempt)
	env["envelope_id"], env["retry_attempt"], env["retry_reason"] = retryID, attempt, RetryReason
	retried, err := json.Marshal(env)
	if err != nil {
		return
	}
	live := s.Live()
	if others := slices.DeleteFunc(slices.Clone(live), func(c int) bool { return c == last }); len(others) > 0 {
		live = others
	}
	conn := -1
	if len(live) > 0 {
		conn = live[rand.IntN(len(live))]
		s.recordSent(retryID)
		// A write that fails is a delivery not acknowledged, as on
		// Slack's side; the next attempt follows.
		_ = s.socketAt(conn).write(retried)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries[id] = append(r.tries[id], Delivery{EnvelopeID: retryID, Conn: conn, RetryAttempt: attempt, Sent: time.Now()})
	s.retryLater(id, data)
}

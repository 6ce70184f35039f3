package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/unionhall/unionhall/bot/bottest"
)

// socket is one Socket Mode WebSocket a client opened.
type socket struct {
	conn *websocket.Conn
	wmu  sync.Mutex // serialises data writes; control writes need no lock
	done chan struct{}
}

// write sends one text message.
func (sk *socket) write(data []byte) error {
	sk.wmu.Lock()
	defer sk.wmu.Unlock()
	return sk.conn.WriteMessage(websocket.TextMessage, data)
}

// serveSocket is the Socket Mode WebSocket: it says hello, then records
// every acknowledgement and pong the client sends until the connection
// ends.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	sk := &socket{conn: conn, done: make(chan struct{})}
	defer close(sk.done)
	conn.SetPongHandler(func(string) error {
		s.mu.Lock()
		s.pongs++
		s.mu.Unlock()
		return nil
	})
	// The connection is known before the client can read hello, and
	// hello goes first: a Send waits for the write lock.
	sk.wmu.Lock()
	s.mu.Lock()
	s.sockets = append(s.sockets, sk)
	s.mu.Unlock()
	hello, _ := json.Marshal(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": AppID}})
	err = sk.conn.WriteMessage(websocket.TextMessage, hello)
	sk.wmu.Unlock()
	if err != nil {
		return
	}
	go s.ping(sk)
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
			s.mu.Lock()
			if _, dup := s.acks[ack.EnvelopeID]; !dup {
				s.acks[ack.EnvelopeID] = time.Now()
				if len(ack.Payload) > 0 {
					s.answers[ack.EnvelopeID] = ack.Payload
				}
			}
			s.mu.Unlock()
		}
	}
}

// ping pings sk at the interval SetPingInterval set, until sk ends.
func (s *Server) ping(sk *socket) {
	for s.pingOnce(sk) {
	}
}

// pingOnce waits one ping interval and pings sk. It returns early, without
// pinging, when the interval changes, and false when sk has ended.
func (s *Server) pingOnce(sk *socket) bool {
	s.mu.Lock()
	every, reset := s.pingEvery, s.pingReset
	s.mu.Unlock()
	var tick <-chan time.Time
	if every > 0 {
		timer := time.NewTimer(every)
		defer timer.Stop()
		tick = timer.C
	}
	select {
	case <-sk.done:
		return false
	case <-reset:
	case <-tick:
		sk.conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
	}
	return true
}

// SetPingInterval makes the Server ping every connection every d, as
// Slack does to keep a quiet connection alive; 0 (the default) stops the
// pings.
func (s *Server) SetPingInterval(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pingEvery = d
	close(s.pingReset)
	s.pingReset = make(chan struct{})
}

// Pongs returns how many pings clients have answered.
func (s *Server) Pongs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pongs
}

// Sockets returns how many Socket Mode connections clients have opened.
func (s *Server) Sockets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sockets)
}

// Connected reports whether the newest Socket Mode connection is open.
func (s *Server) Connected() bool {
	sk := s.newest()
	if sk == nil {
		return false
	}
	select {
	case <-sk.done:
		return false
	default:
		return true
	}
}

// newest returns the newest connection, or nil before the first.
func (s *Server) newest() *socket {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sockets) == 0 {
		return nil
	}
	return s.sockets[len(s.sockets)-1]
}

// Send writes a Socket Mode message (an envelope, or a disconnect request)
// on the newest connection, and records when an envelope was sent.
func (s *Server) Send(msg map[string]any) {
	s.t.Helper()
	data, err := json.Marshal(msg)
	if err != nil {
		s.t.Fatalf("encode Socket Mode message: %v", err)
	}
	id, _ := msg["envelope_id"].(string)
	s.SendRaw(id, data)
}

// SendRaw writes a Socket Mode message already encoded as JSON on the
// newest connection, and records when envelope envelopeID was sent (none
// when it is empty). Tests that measure acknowledgements encode first, so
// that sending is only writing.
func (s *Server) SendRaw(envelopeID string, data []byte) {
	s.t.Helper()
	s.sendOn(s.newest(), envelopeID, data)
}

// sendOn writes data on sk, recording when envelope envelopeID was sent
// and on which connection. A write that fails is an unacknowledged
// delivery when Slack would deliver the envelope again (see
// SetRedelivery); otherwise it fails the test.
func (s *Server) sendOn(sk *socket, envelopeID string, data []byte) {
	s.t.Helper()
	if sk == nil {
		s.t.Fatal("no Socket Mode connection to send on")
	}
	if envelopeID != "" {
		s.recordSent(envelopeID)
	}
	err := sk.write(data)
	retrying := envelopeID != "" && s.delivered(envelopeID, s.indexOf(sk), data)
	if err != nil && !retrying {
		s.t.Fatalf("send on the Socket Mode connection: %v", err)
	}
}

// recordSent records when envelope id was first sent.
func (s *Server) recordSent(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sent[id]; !ok {
		s.sent[id] = time.Now()
	}
}

// SendEvent sends event in envelope id, as its first delivery, with the
// event ID "Ev"+id.
func (s *Server) SendEvent(id string, event map[string]any) {
	s.t.Helper()
	s.Send(EventsAPIEnvelope(id, "Ev"+id, 0, event))
}

// SendSlashCommand sends, in envelope id, the slash command user typed in
// channel. Its response URL is ResponseURL(id), its trigger ID "T-"+id.
func (s *Server) SendSlashCommand(id, command, text, user, channel string) {
	s.t.Helper()
	s.Send(SlashCommandEnvelope(id, SlashCommand(command, text, user, channel, s.ResponseURL(id), "T-"+id)))
}

// SendClick sends, in envelope id, user's click on btn in the message
// channel/ts that shows blocks. Its response URL is ResponseURL(id), its
// trigger ID "T-"+id.
func (s *Server) SendClick(id, user, channel, ts string, blocks []map[string]any, btn Button) {
	s.t.Helper()
	s.Send(InteractiveEnvelope(id, BlockActions(user, channel, ts, blocks, btn, "T-"+id, s.ResponseURL(id))))
}

// Disconnect asks the client to reconnect, as Slack does with a
// disconnect message: "refresh_requested", "warning", or
// "too_many_websockets" and "link_disabled", after which a client must
// wait before it connects again.
func (s *Server) Disconnect(reason string) {
	s.t.Helper()
	s.Send(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "slacktest"}})
}

// DropConnections closes every connection abruptly, as a network failure
// would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	socks := s.sockets
	s.mu.Unlock()
	for _, sk := range socks {
		sk.conn.NetConn().Close()
	}
}

// Acked reports whether the client acknowledged envelope id.
func (s *Server) Acked(id string) bool {
	_, ok := s.AckLatency(id)
	return ok
}

// AckLatency returns how long the client took to acknowledge envelope id,
// from the time it was sent, and false when it has not acknowledged it.
func (s *Server) AckLatency(id string) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.acks[id]
	if !ok {
		return 0, false
	}
	return a.Sub(s.sent[id]), true
}

// WaitAcked waits until the client has acknowledged every envelope in ids.
func (s *Server) WaitAcked(ids ...string) {
	s.t.Helper()
	bottest.WaitFor(s.t, fmt.Sprintf("the acknowledgement of envelopes %s", strings.Join(ids, ", ")), func() bool {
		for _, id := range ids {
			if !s.Acked(id) {
				return false
			}
		}
		return true
	})
}

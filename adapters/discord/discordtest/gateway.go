package discordtest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// heartbeatInterval is what Hello asks for, in milliseconds, as Discord
// does.
const heartbeatInterval = 41250

// closeAuthenticationFailed is the close code for a wrong token.
const closeAuthenticationFailed = 4004

// frame is a gateway payload.
type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  int64           `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

// sentFrame is a dispatch kept for a resume.
type sentFrame struct {
	seq  int64
	data []byte
}

// encode returns the JSON of a gateway payload whose data d is a value
// of this package's making.
func encode(op int, t string, seq int64, d any) []byte {
	raw, err := json.Marshal(d)
	if err == nil {
		raw, err = json.Marshal(frame{Op: op, D: raw, S: seq, T: t})
	}
	if err != nil {
		panic(fmt.Sprintf("discordtest: encode gateway payload %s: %v", t, err))
	}
	return raw
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("encoding") != "json" {
		s.violate("gateway connection without encoding=json")
	}
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.with(func() { s.conns[c] = true })
	defer s.disconnect(c)
	if s.write(c, encode(opHello, "", 0, map[string]any{"heartbeat_interval": heartbeatInterval})) != nil {
		return
	}
	for {
		var f frame
		if err := c.ReadJSON(&f); err != nil {
			return
		}
		switch f.Op {
		case opHeartbeat:
			s.heartbeat(c)
		case opIdentify:
			if !s.identify(c, f.D) {
				return
			}
		case opResume:
			s.resume(c, f.D)
		default:
			s.violate("gateway op %d", f.Op)
		}
	}
}

func (s *Server) disconnect(c *websocket.Conn) {
	s.with(func() {
		delete(s.conns, c)
		if s.conn == c {
			s.conn = nil
		}
	})
	c.Close()
}

func (s *Server) write(c *websocket.Conn, data []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return c.WriteMessage(websocket.TextMessage, data)
}

func (s *Server) heartbeat(c *websocket.Conn) {
	s.with(func() { s.stats.Heartbeats++ })
	if s.write(c, encode(opHeartbeatACK, "", 0, nil)) == nil {
		s.with(func() { s.stats.HeartbeatACKs++ })
	}
}

// identify starts a new session on c, or closes c for a wrong token; it
// reports whether c stays open.
func (s *Server) identify(c *websocket.Conn, d json.RawMessage) bool {
	var id struct {
		Token   string           `json:"token"`
		Intents discordgo.Intent `json:"intents"`
	}
	json.Unmarshal(d, &id)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if strings.TrimPrefix(id.Token, "Bot ") != s.token {
		s.violate("identify with the wrong token")
		c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(closeAuthenticationFailed, "Authentication failed."))
		return false
	}
	if s.disallowedIntents(id.Intents) {
		refuseIntents(c)
		return false
	}
	s.mu.Lock()
	s.stats.Identifies++
	s.stats.Intents = id.Intents
	s.sessionID = rand.Text()
	s.seq = 1
	s.history = nil
	s.conn = c
	ready := encode(opDispatch, "READY", s.seq, map[string]any{
		"v": 9, "session_id": s.sessionID, "resume_gateway_url": s.wsURL(),
		"user":        botUser(),
		"application": map[string]any{"id": AppID, "flags": 0},
		"guilds":      []any{map[string]any{"id": GuildID, "unavailable": true}},
	})
	s.mu.Unlock()
	return c.WriteMessage(websocket.TextMessage, ready) == nil
}

// resume replays what the session missed and says RESUMED, or answers
// Invalid Session for a session the server no longer knows.
func (s *Server) resume(c *websocket.Conn, d json.RawMessage) {
	var res struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	json.Unmarshal(d, &res)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	s.stats.Resumes++
	if strings.TrimPrefix(res.Token, "Bot ") != s.token {
		s.violateLocked("resume with the wrong token")
	}
	if res.SessionID == "" || res.SessionID != s.sessionID || s.forgetNext {
		s.forgetNext = false
		s.sessionID = ""
		s.mu.Unlock()
		c.WriteMessage(websocket.TextMessage, encode(opInvalidSession, "", 0, false))
		return
	}
	var out [][]byte
	for _, f := range s.history {
		if f.seq > res.Seq {
			out = append(out, f.data)
		}
	}
	s.seq++
	out = append(out, encode(opDispatch, "RESUMED", s.seq, map[string]any{}))
	s.conn = c
	s.mu.Unlock()
	for _, data := range out {
		if c.WriteMessage(websocket.TextMessage, data) != nil {
			return
		}
	}
}

// event is a dispatch to send; in is the interaction it carries, if any.
type event struct {
	name string
	data any
	in   *Interaction
}

// dispatch sends events back to back, in order, as Discord delivers a
// rush of them. Without a live session they are kept for a resume, as
// Discord does.
func (s *Server) dispatch(events ...event) {
	events = s.deliverOverHTTP(events)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	data := make([][]byte, len(events))
	for i, e := range events {
		s.seq++
		data[i] = encode(opDispatch, e.name, s.seq, e.data)
		s.history = append(s.history, sentFrame{seq: s.seq, data: data[i]})
	}
	c := s.conn
	s.mu.Unlock()
	for i, e := range events {
		if e.in != nil {
			s.with(func() { e.in.SentAt = time.Now() })
		}
		if c != nil {
			c.WriteMessage(websocket.TextMessage, data[i]) // a failed write ends the connection's reader
		}
	}
}

// Drop cuts the gateway connection without a close frame, as a network
// failure would; the bot is expected to resume.
func (s *Server) Drop() {
	c := locked(s, func() *websocket.Conn {
		c := s.conn
		s.conn = nil
		return c
	})
	if c != nil {
		c.UnderlyingConn().Close()
	}
}

// ForgetSession makes the server answer the next Resume with Invalid
// Session, as Discord does for a session it no longer knows; the bot is
// expected to identify again.
func (s *Server) ForgetSession() {
	s.with(func() { s.forgetNext = true })
}

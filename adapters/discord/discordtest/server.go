// Package discordtest provides a local Discord for tests, in the manner of
// net/http/httptest: a REST API and a websocket gateway that speak
// Discord's wire protocol, so a bot built on discordgo runs against it
// unchanged.
//
// The gateway says Hello, answers Identify with READY, heartbeats with
// their ACKs and Resume with the missed events and RESUMED (or Invalid
// Session), and numbers every dispatch. The REST API serves the endpoints
// a bot uses for slash commands, buttons, messages and direct messages,
// records every call in order, and enforces the rules that matter to
// members: one acknowledgement per interaction, follow-ups only after it,
// the first follow-up after a deferral filling the placeholder with the
// placeholder's visibility, no pings (allowed_mentions with nothing
// allowed), Discord's size limits, no edits of ephemeral messages through
// the channel, and no retry before a 429's retry_after. Whatever breaks
// them is a violation, which Verify reports.
//
// Acknowledgement latency is recorded, not enforced: Discord's three
// seconds are a wall-clock limit, which belongs in a benchmark.
package discordtest

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// The server's fixed identities. Tests name them to build events and to
// configure the bot.
const (
	// AppID is the bot's application ID.
	AppID = "400000000000000001"
	// BotID is the bot user's ID, the same as its application's, as
	// Discord makes it for bots.
	BotID = AppID
	// GuildID is the one server (guild) the bot is in.
	GuildID = "500000000000000001"
	// MemberRoleID and StewardRoleID are roles of GuildID, named "Member"
	// and StewardRoleName.
	MemberRoleID  = "600000000000000001"
	StewardRoleID = "600000000000000002"
	// StewardRoleName is the name of the role StewardRoleID.
	StewardRoleName = "Steward"
	// InteractionTokenPrefix begins every interaction token the server
	// issues, so a test can look for any of them in logs.
	InteractionTokenPrefix = "itok-"
)

// discordEpoch is the first millisecond of 2015, where snowflakes count
// from.
const discordEpoch = 1420070400000

// Server is a local Discord. Create it with NewServer; it is closed when
// the test ends. It is safe for concurrent use.
type Server struct {
	t      testing.TB
	token  string
	rest   *httptest.Server
	gw     *httptest.Server
	client *http.Client

	mu           sync.Mutex
	counter      int64
	messages     map[string]*Message
	created      []*Message // every message, oldest first
	deleted      map[string]bool
	interactions map[string]*Interaction
	byToken      map[string]*Interaction
	overwrites   []Overwrite
	calls        []Call
	limits       map[Route]rateLimit
	resets       map[string]time.Time // rate-limited bucket → when it resets
	throttle     *throttle            // nil: no rate limits but those RateLimit asks for
	refusals     int                  // 429s answered under the throttle
	dmChannels   map[string]string    // user → channel
	closedDMs    map[string]bool
	dmSpam       dmSpam
	violations   []string
	guildSetup   guildSetup
	memberSetup  memberSetup
	endpoint     *endpoint                // where interactions go over HTTP; nil for the gateway
	answering    map[string]chan struct{} // interaction token → closed once its HTTP answer is applied

	// gateway; the fields below are guarded by mu, and writeMu serialises
	// writes so that sequence order is write order.
	writeMu    sync.Mutex
	conns      map[*websocket.Conn]bool // open connections
	conn       *websocket.Conn          // the one with a live session
	sessionID  string
	seq        int64
	history    []sentFrame
	forgetNext bool
	stats      GatewayStats
}

// ServerOption configures NewServer.
type ServerOption func(*Server)

// WithToken makes the server accept token as the bot token, instead of a
// random one.
func WithToken(token string) ServerOption {
	return func(s *Server) { s.token = token }
}

// NewServer starts a local Discord and closes it when t ends. REST speaks
// HTTP/1.1 and, for Client, HTTP/2 without TLS.
func NewServer(t testing.TB, opts ...ServerOption) *Server {
	s := &Server{
		t:            t,
		token:        "fake." + rand.Text(),
		messages:     map[string]*Message{},
		deleted:      map[string]bool{},
		interactions: map[string]*Interaction{},
		byToken:      map[string]*Interaction{},
		limits:       map[Route]rateLimit{},
		resets:       map[string]time.Time{},
		dmChannels:   map[string]string{},
		closedDMs:    map[string]bool{},
		conns:        map[*websocket.Conn]bool{},
	}
	for _, o := range opts {
		o(s)
	}
	// Enough streams that a burst of requests shares one connection.
	h2 := &http.HTTP2Config{MaxConcurrentStreams: 4000}
	s.rest = httptest.NewUnstartedServer(s.mux())
	s.rest.Config.Protocols = new(http.Protocols)
	s.rest.Config.Protocols.SetHTTP1(true)
	s.rest.Config.Protocols.SetUnencryptedHTTP2(true)
	s.rest.Config.HTTP2 = h2
	s.rest.Start()
	s.gw = httptest.NewServer(http.HandlerFunc(s.serveGateway))
	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	s.client = &http.Client{Transport: &http.Transport{Protocols: h2c, HTTP2: h2}}
	t.Cleanup(s.close)
	return s
}

func (s *Server) close() {
	s.mu.Lock()
	conns := make([]*websocket.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	s.gw.Close()
	s.client.CloseIdleConnections()
	s.rest.Close()
}

// URL is the base URL of the REST API, in place of https://discord.com.
func (s *Server) URL() string { return s.rest.URL }

// Client returns an HTTP client that speaks HTTP/2 to the REST API, as a
// bot does to Discord, so a burst of requests shares one connection.
func (s *Server) Client() *http.Client { return s.client }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// newIDLocked returns a snowflake for the current time.
func (s *Server) newIDLocked() string {
	s.counter++
	ms := time.Now().UnixMilli() - discordEpoch
	return strconv.FormatInt(ms<<22|(s.counter&0x3FFFFF), 10)
}

func (s *Server) violateLocked(format string, args ...any) {
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

func (s *Server) violate(format string, args ...any) {
	s.with(func() { s.violateLocked(format, args...) })
}

// with runs f with s locked.
func (s *Server) with(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// locked returns f's result, computed with s locked.
func locked[T any](s *Server, f func() T) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f()
}

// Interaction is an interaction the server sent, and what the bot did
// with it.
type Interaction struct {
	ID, Token, ChannelID string
	Type                 discordgo.InteractionType
	ClickedID            string    // for a button click, the clicked message
	SentAt               time.Time // when the event was written to the gateway
	Acks                 int
	AckType              discordgo.InteractionResponseType
	AckFlags             discordgo.MessageFlags
	AckLatency           time.Duration // from SentAt to the first acknowledgement
	OriginalID           string        // the response message, or the clicked one
	Followups            []string      // follow-up messages, in order
	Choices              []*discordgo.ApplicationCommandOptionChoice

	noAck bool // the test expects no acknowledgement
}

func (in *Interaction) copy() Interaction {
	c := *in
	c.Followups = slices.Clone(in.Followups)
	c.Choices = slices.Clone(in.Choices)
	return c
}

// Call is one REST request the server answered.
type Call struct {
	Route         Route
	Status        int
	At            time.Time
	ChannelID     string // the channel it concerns, if any
	MessageID     string // the message it created, edited or read, if any
	InteractionID string // the interaction it concerns, if any
}

// Overwrite is one bulk overwrite of the application's slash commands.
type Overwrite struct {
	GuildID  string // empty for global commands
	Commands []*discordgo.ApplicationCommand
}

// GatewayStats counts what happened on the gateway.
type GatewayStats struct {
	Identifies    int
	Resumes       int
	Heartbeats    int
	HeartbeatACKs int
	Intents       discordgo.Intent // of the last Identify
	Connected     bool             // a session is live on a connection
}

// Message returns a copy of message id, and whether it exists.
func (s *Server) Message(id string) (Message, bool) {
	m := locked(s, func() Message {
		if m := s.messages[id]; m != nil && !s.deleted[id] {
			return m.copy()
		}
		return Message{}
	})
	return m, m.ID != ""
}

// ChannelMessages returns the messages in channel, oldest first.
func (s *Server) ChannelMessages(channel string) []Message {
	return s.messagesWhere(func(m *Message) bool { return m.ChannelID == channel })
}

// InteractionMessages returns the messages that answer interaction id (its
// response and follow-ups), oldest first.
func (s *Server) InteractionMessages(id string) []Message {
	return s.messagesWhere(func(m *Message) bool { return m.InteractionID == id })
}

func (s *Server) messagesWhere(keep func(*Message) bool) []Message {
	return locked(s, func() []Message {
		var out []Message
		for _, m := range s.created {
			if !s.deleted[m.ID] && keep(m) {
				out = append(out, m.copy())
			}
		}
		return out
	})
}

// Interaction returns a copy of interaction id; it fails the test if the
// server never sent it.
func (s *Server) Interaction(id string) Interaction {
	s.t.Helper()
	in := locked(s, func() *Interaction {
		if p := s.interactions[id]; p != nil {
			c := p.copy()
			return &c
		}
		return nil
	})
	if in == nil {
		s.t.Fatalf("discordtest: no interaction %s", id)
	}
	return *in
}

// Calls returns every REST call answered so far, in the order the server
// handled them.
func (s *Server) Calls() []Call {
	return locked(s, func() []Call { return slices.Clone(s.calls) })
}

// Count returns how many calls on route succeeded (2xx).
func (s *Server) Count(route Route) int {
	return locked(s, func() int {
		n := 0
		for _, c := range s.calls {
			if c.Route == route && c.Status/100 == 2 {
				n++
			}
		}
		return n
	})
}

// Overwrites returns the bulk overwrites of slash commands, in order.
func (s *Server) Overwrites() []Overwrite {
	return locked(s, func() []Overwrite { return slices.Clone(s.overwrites) })
}

// Commands returns the slash commands registered in guildID ("" for
// global ones) by the last overwrite there.
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	var cmds []*discordgo.ApplicationCommand
	for _, o := range s.Overwrites() {
		if o.GuildID == guildID {
			cmds = o.Commands
		}
	}
	return slices.Clone(cmds)
}

// DMChannel returns the direct-message channel opened with userID, or "".
func (s *Server) DMChannel(userID string) string {
	return locked(s, func() string { return s.dmChannels[userID] })
}

// Gateway returns what happened on the gateway so far.
func (s *Server) Gateway() GatewayStats {
	return locked(s, func() GatewayStats {
		g := s.stats
		g.Connected = s.conn != nil
		return g
	})
}

// Violations returns the broken rules seen so far.
func (s *Server) Violations() []string {
	return locked(s, func() []string { return slices.Clone(s.violations) })
}

// Secrets returns the bot token and every interaction token issued, which
// must never appear in a log.
func (s *Server) Secrets() []string {
	return locked(s, func() []string {
		out := []string{s.token}
		for tok := range s.byToken {
			out = append(out, tok)
		}
		return out
	})
}

// CloseDMs makes opening a direct message with userID fail, as for a
// member who does not accept them.
func (s *Server) CloseDMs(userID string) {
	s.with(func() { s.closedDMs[userID] = true })
}

// DeleteMessage deletes message id, as a member or moderator would.
func (s *Server) DeleteMessage(id string) {
	s.with(func() { s.deleted[id] = true })
}

// ExpectNoAck tells Verify that interaction id must stay unacknowledged.
func (s *Server) ExpectNoAck(id string) {
	s.with(func() {
		if in := s.interactions[id]; in != nil {
			in.noAck = true
		}
	})
}

// Verify fails t for every violation seen so far and every interaction not
// acknowledged exactly once (none, after ExpectNoAck). Call it once the
// bot has stopped.
func (s *Server) Verify(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.violations {
		t.Errorf("fake Discord saw a protocol violation: %s", v)
	}
	ids := make([]string, 0, len(s.interactions))
	for id := range s.interactions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		in := s.interactions[id]
		want := 1
		if in.noAck {
			want = 0
		}
		if in.Acks != want {
			t.Errorf("interaction %s (type %d) acknowledged %d times, want %d", id, in.Type, in.Acks, want)
		}
	}
}

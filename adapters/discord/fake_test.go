package discord

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeDiscord is a local Discord for tests: the REST endpoints the adapter
// calls, served over TLS with HTTP/2 like the real API, and a websocket
// gateway speaking the real protocol (Hello, Identify, READY, heartbeats,
// Resume and RESUMED, dispatches with sequence numbers). It enforces the
// rules that matter: one acknowledgement per interaction within three
// seconds, follow-ups only after it, the first follow-up after a deferral
// filling the placeholder with the placeholder's visibility, and no edits
// of ephemeral messages through the channel endpoint.
type fakeDiscord struct {
	t       testing.TB
	token   string
	appID   string
	botID   string
	guildID string
	hbMS    int

	rest   *httptest.Server
	client *http.Client // speaks HTTP/2 to rest
	gw     *httptest.Server

	mu           sync.Mutex
	changed      chan struct{}
	counter      int64
	messages     map[string]*fakeMessage
	interactions map[string]*fakeInteraction
	byToken      map[string]*fakeInteraction
	commands     map[string][]map[string]any // by scope: guild ID or "global"
	overwrites   int
	roles        map[string][]map[string]any
	roleFetches  int
	dmChannels   map[string]string // user → channel
	closedDMs    map[string]bool
	edit429      int     // answer this many channel message edits with 429
	retryAfter   float64 // seconds, for those 429s
	rateLimited  int
	ackCount     int         // interactions acknowledged
	followCount  int         // follow-up messages sent
	events       []fakeEvent // notable moments, in order
	violations   []string

	// gateway
	writeMu    sync.Mutex // serialises dispatch (sequence order = write order)
	conn       *websocket.Conn
	sessionID  string
	seq        int64
	history    []map[string]any
	connects   int
	identifies int
	resumes    int
	heartbeats int
	intents    int64
	lastResume int64
	forgetNext bool // answer the next Resume with Invalid Session
}

// fakeEvent is a timestamped moment the tests order things by.
type fakeEvent struct {
	at   time.Time
	what string
}

type fakeMessage struct {
	ID          string
	ChannelID   string
	Content     string
	Embeds      []fakeEmbed
	Components  []fakeRow
	Flags       int
	Edits       int
	Files       map[string]string // name → content
	ReplyTo     string
	Interaction string
	Deferred    bool
	CreatedAt   time.Time
	EditedAt    time.Time
}

type fakeEmbed struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer,omitempty"`
}

type fakeRow struct {
	Type       int          `json:"type"`
	Components []fakeButton `json:"components"`
}

type fakeButton struct {
	Type     int    `json:"type"`
	Label    string `json:"label"`
	Style    int    `json:"style"`
	CustomID string `json:"custom_id"`
}

func (m *fakeMessage) ephemeral() bool { return m.Flags&64 != 0 }

func (m *fakeMessage) customIDs() []string {
	var ids []string
	for _, r := range m.Components {
		for _, b := range r.Components {
			ids = append(ids, b.CustomID)
		}
	}
	return ids
}

func (m *fakeMessage) text() string {
	s := m.Content
	for _, e := range m.Embeds {
		s += "\n" + e.Title + "\n" + e.Description
		if e.Footer != nil {
			s += "\n" + e.Footer.Text
		}
	}
	return s
}

type fakeInteraction struct {
	ID, Token, ChannelID string
	Type                 int
	SentAt               time.Time
	Latency              time.Duration
	Acks                 int
	AckType              int
	AckFlags             int
	Late                 bool
	OriginalID           string
	Followups            []string
	Choices              []map[string]any
	Clicked              *fakeMessage
	NoAck                bool // the test expects no acknowledgement
}

func newFakeDiscord(t testing.TB) *fakeDiscord {
	f := &fakeDiscord{
		t:            t,
		token:        "fake-token-" + randHex(12),
		appID:        "400000000000000001",
		botID:        "400000000000000001",
		guildID:      "500000000000000001",
		hbMS:         45000,
		changed:      make(chan struct{}),
		messages:     map[string]*fakeMessage{},
		interactions: map[string]*fakeInteraction{},
		byToken:      map[string]*fakeInteraction{},
		commands:     map[string][]map[string]any{},
		roles:        map[string][]map[string]any{},
		dmChannels:   map[string]string{},
		closedDMs:    map[string]bool{},
	}
	f.roles[f.guildID] = []map[string]any{
		{"id": f.guildID, "name": "@everyone"},
		{"id": "600000000000000001", "name": "Member"},
		{"id": "600000000000000002", "name": "Steward"},
	}
	mux := http.NewServeMux()
	f.routes(mux)
	// REST is HTTP/2, as Discord's API is, but without TLS (prior
	// knowledge), which keeps the tests' CPU for the adapter. Enough
	// streams that a burst of requests shares one connection.
	f.rest = httptest.NewUnstartedServer(mux)
	f.rest.Config.Protocols = new(http.Protocols)
	f.rest.Config.Protocols.SetUnencryptedHTTP2(true)
	f.rest.Config.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: 4000}
	f.rest.Start()
	f.gw = httptest.NewServer(http.HandlerFunc(f.serveGateway))
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	f.client = &http.Client{Transport: &http.Transport{Protocols: protocols, HTTP2: &http.HTTP2Config{MaxConcurrentStreams: 4000}}}
	t.Cleanup(func() {
		f.mu.Lock()
		c := f.conn
		f.mu.Unlock()
		if c != nil {
			c.Close()
		}
		f.gw.Close()
		f.client.CloseIdleConnections()
		f.rest.Close()
	})
	return f
}

const stewardRoleID = "600000000000000002"

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newID returns a snowflake for the current time.
func (f *fakeDiscord) newIDLocked() string {
	f.counter++
	ms := time.Now().UnixMilli() - 1420070400000
	return strconv.FormatInt(ms<<22|(f.counter&0x3FFFFF), 10)
}

// notifyLocked wakes everyone waiting for a change.
func (f *fakeDiscord) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeDiscord) eventLocked(what string) {
	f.events = append(f.events, fakeEvent{at: time.Now(), what: what})
}

// waitFor waits until cond (called with f.mu held) is true.
func (f *fakeDiscord) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		ok := cond()
		ch := f.changed
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			f.mu.Lock()
			f.t.Logf("fake state: %d acks, %d follow-ups, %d rate limited, events %d, violations %v", f.ackCount, f.followCount, f.rateLimited, len(f.events), f.violations)
			f.mu.Unlock()
			f.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// with runs fn with f.mu held.
func (f *fakeDiscord) with(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

// eventAt returns when the first event with the given name happened.
func (f *fakeDiscord) eventAt(what string) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.events {
		if e.what == what {
			return e.at, true
		}
	}
	return time.Time{}, false
}

// channelMessages returns the messages in a channel, oldest first.
func (f *fakeDiscord) channelMessagesLocked(channel string) []*fakeMessage {
	var out []*fakeMessage
	for _, m := range f.messages {
		if m.ChannelID == channel {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.ParseInt(out[i].ID, 10, 64)
		b, _ := strconv.ParseInt(out[j].ID, 10, 64)
		return a < b
	})
	return out
}

func (f *fakeDiscord) channelMessages(channel string) []*fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.channelMessagesLocked(channel)
}

// ---- REST ----------------------------------------------------------------

func (f *fakeDiscord) routes(mux *http.ServeMux) {
	const api = "/api/v9"
	mux.HandleFunc("GET "+api+"/gateway", f.gatewayURL)
	mux.HandleFunc("GET "+api+"/gateway/bot", f.gatewayURL)
	mux.HandleFunc("PUT "+api+"/applications/{app}/guilds/{guild}/commands", f.bot(f.overwriteCommands))
	mux.HandleFunc("PUT "+api+"/applications/{app}/commands", f.bot(f.overwriteCommands))
	mux.HandleFunc("POST "+api+"/interactions/{id}/{token}/callback", f.interactionCallback)
	mux.HandleFunc("POST "+api+"/webhooks/{app}/{token}", f.followUp)
	mux.HandleFunc("PATCH "+api+"/webhooks/{app}/{token}/messages/{mid}", f.editWebhookMessage)
	mux.HandleFunc("GET "+api+"/webhooks/{app}/{token}/messages/{mid}", f.getWebhookMessage)
	mux.HandleFunc("POST "+api+"/channels/{channel}/messages", f.bot(f.createMessage))
	mux.HandleFunc("PATCH "+api+"/channels/{channel}/messages/{mid}", f.bot(f.editMessage))
	mux.HandleFunc("POST "+api+"/users/@me/channels", f.bot(f.createDM))
	mux.HandleFunc("GET "+api+"/guilds/{guild}/roles", f.bot(f.guildRoles))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.violation("unexpected request %s %s", r.Method, r.URL.Path)
		apiError(w, http.StatusNotFound, 0, "404: Not Found")
	})
}

func (f *fakeDiscord) violation(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.violations = append(f.violations, fmt.Sprintf(format, args...))
	f.notifyLocked()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}

// bot requires the bot's Authorization header.
func (f *fakeDiscord) bot(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bot "+f.token {
			f.violation("%s %s without the bot token", r.Method, r.URL.Path)
			apiError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
			return
		}
		h(w, r)
	}
}

func (f *fakeDiscord) gatewayURL(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"url": "ws" + strings.TrimPrefix(f.gw.URL, "http"), "shards": 1})
}

func (f *fakeDiscord) overwriteCommands(w http.ResponseWriter, r *http.Request) {
	var cmds []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	scope := r.PathValue("guild")
	if scope == "" {
		scope = "global"
	}
	f.mu.Lock()
	if r.PathValue("app") != f.appID {
		f.violations = append(f.violations, "commands registered for application "+r.PathValue("app"))
	}
	for _, c := range cmds {
		c["id"] = f.newIDLocked()
		c["application_id"] = f.appID
	}
	f.commands[scope] = cmds
	f.overwrites++
	f.notifyLocked()
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, cmds)
}

// payload is the subset of a message body the fake reads.
type payload struct {
	Type    int `json:"type"`
	Content *string
	Embeds  *[]fakeEmbed
	Comps   *[]fakeRow
	Flags   int
	Allowed *struct {
		Parse       []string `json:"parse"`
		RepliedUser bool     `json:"replied_user"`
	}
	Reference *struct {
		MessageID string `json:"message_id"`
	}
	Choices []map[string]any
	Files   map[string]string
}

// readPayload reads a JSON or multipart body. Interaction callbacks wrap
// the message in "data".
func (f *fakeDiscord) readPayload(r *http.Request, wrapped bool) (payload, error) {
	var raw []byte
	files := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return payload{}, err
		}
		raw = []byte(r.FormValue("payload_json"))
		for field, fhs := range r.MultipartForm.File {
			for _, fh := range fhs {
				rd, err := fh.Open()
				if err != nil {
					return payload{}, err
				}
				b, _ := io.ReadAll(rd)
				rd.Close()
				if !strings.HasPrefix(field, "files[") {
					f.violation("file part named %q", field)
				}
				files[fh.Filename] = string(b)
			}
		}
	} else {
		var err error
		if raw, err = io.ReadAll(r.Body); err != nil {
			return payload{}, err
		}
	}
	type body struct {
		Content   *string      `json:"content"`
		Embeds    *[]fakeEmbed `json:"embeds"`
		Comps     *[]fakeRow   `json:"components"`
		Flags     int          `json:"flags"`
		Allowed   json.RawMessage
		Reference *struct {
			MessageID string `json:"message_id"`
		} `json:"message_reference"`
		Choices []map[string]any `json:"choices"`
	}
	var p payload
	var b body
	var allowed json.RawMessage
	if len(raw) > 0 {
		if wrapped {
			var env struct {
				Type int             `json:"type"`
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(raw, &env); err != nil {
				return p, err
			}
			p.Type = env.Type
			raw = env.Data
		}
		if len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &b); err != nil {
				return p, err
			}
			var am struct {
				A json.RawMessage `json:"allowed_mentions"`
			}
			json.Unmarshal(raw, &am)
			allowed = am.A
		}
	}
	p.Content, p.Embeds, p.Comps, p.Flags, p.Reference, p.Choices, p.Files = b.Content, b.Embeds, b.Comps, b.Flags, b.Reference, b.Choices, files
	if len(allowed) > 0 {
		p.Allowed = &struct {
			Parse       []string `json:"parse"`
			RepliedUser bool     `json:"replied_user"`
		}{}
		json.Unmarshal(allowed, p.Allowed)
	}
	return p, nil
}

// checkMessage enforces Discord's limits and the bot's own rules on a
// message it sends.
func (f *fakeDiscord) checkMessageLocked(p payload, where string) {
	bad := func(format string, args ...any) {
		f.violations = append(f.violations, where+": "+fmt.Sprintf(format, args...))
	}
	if p.Content != nil && textLen(*p.Content) > 2000 {
		bad("content of %d characters", textLen(*p.Content))
	}
	if p.Type != 5 && (p.Allowed == nil || len(p.Allowed.Parse) != 0 || p.Allowed.RepliedUser) {
		bad("allowed_mentions missing or permissive: %+v", p.Allowed)
	}
	if p.Embeds != nil {
		for _, e := range *p.Embeds {
			total := textLen(e.Title) + textLen(e.Description)
			if e.Footer != nil {
				total += textLen(e.Footer.Text)
			}
			if textLen(e.Title) > 256 || textLen(e.Description) > 4096 || total > 6000 {
				bad("embed over Discord's limits")
			}
		}
	}
	if p.Comps != nil {
		if len(*p.Comps) > 5 {
			bad("%d component rows", len(*p.Comps))
		}
		seen := map[string]bool{}
		for _, row := range *p.Comps {
			if row.Type != 1 || len(row.Components) > 5 || len(row.Components) == 0 {
				bad("bad action row %+v", row)
			}
			for _, b := range row.Components {
				if b.Type != 2 || b.CustomID == "" || textLen(b.CustomID) > 100 || seen[b.CustomID] || textLen(b.Label) > 80 {
					bad("bad button %+v", b)
				}
				seen[b.CustomID] = true
			}
		}
	}
}

func (f *fakeDiscord) newMessageLocked(channel string, p payload) *fakeMessage {
	m := &fakeMessage{ID: f.newIDLocked(), ChannelID: channel, Flags: p.Flags, Files: p.Files, CreatedAt: time.Now()}
	applyPayload(m, p)
	if p.Reference != nil {
		m.ReplyTo = p.Reference.MessageID
	}
	f.messages[m.ID] = m
	return m
}

func applyPayload(m *fakeMessage, p payload) {
	if p.Content != nil {
		m.Content = *p.Content
	}
	if p.Embeds != nil {
		m.Embeds = *p.Embeds
	}
	if p.Comps != nil {
		m.Components = *p.Comps
	}
	if len(p.Files) > 0 {
		if m.Files == nil {
			m.Files = map[string]string{}
		}
		for k, v := range p.Files {
			m.Files[k] = v
		}
	}
}

func (f *fakeDiscord) messageJSONLocked(m *fakeMessage) map[string]any {
	comps := make([]any, 0, len(m.Components))
	for _, r := range m.Components {
		comps = append(comps, r)
	}
	embeds := make([]any, 0, len(m.Embeds))
	for _, e := range m.Embeds {
		embeds = append(embeds, e)
	}
	return map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "content": m.Content, "flags": m.Flags,
		"embeds": embeds, "components": comps, "type": 0,
		"author":    map[string]any{"id": f.botID, "username": "Union Hall", "bot": true},
		"timestamp": m.CreatedAt.UTC().Format(time.RFC3339Nano),
	}
}

func (f *fakeDiscord) interactionCallback(w http.ResponseWriter, r *http.Request) {
	p, err := f.readPayload(r, true)
	if err != nil {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	in, ok := f.interactions[r.PathValue("id")]
	if !ok || in.Token != r.PathValue("token") {
		f.violations = append(f.violations, "callback for an unknown interaction")
		apiError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	in.Acks++
	if in.Acks > 1 {
		f.violations = append(f.violations, "interaction acknowledged twice")
		apiError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	}
	in.Latency = time.Since(in.SentAt)
	f.ackCount++
	in.AckType, in.AckFlags = p.Type, p.Flags
	if in.Latency > 3*time.Second {
		in.Late = true
		apiError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	switch p.Type {
	case 4, 5:
		f.checkMessageLocked(p, "interaction response")
		m := f.newMessageLocked(in.ChannelID, p)
		m.Interaction = in.ID
		m.Deferred = p.Type == 5
		in.OriginalID = m.ID
	case 6:
		if in.Clicked != nil {
			in.OriginalID = in.Clicked.ID
		}
	case 8:
		in.Choices = p.Choices
	default:
		f.violations = append(f.violations, fmt.Sprintf("callback type %d", p.Type))
	}
	f.eventLocked("ack " + in.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeDiscord) interactionByTokenLocked(w http.ResponseWriter, r *http.Request) *fakeInteraction {
	in, ok := f.byToken[r.PathValue("token")]
	if !ok || r.PathValue("app") != f.appID {
		f.violations = append(f.violations, "webhook request for an unknown interaction")
		apiError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return nil
	}
	if in.Acks == 0 || in.Late {
		f.violations = append(f.violations, "webhook request before the interaction was acknowledged")
		apiError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return nil
	}
	return in
}

func (f *fakeDiscord) followUp(w http.ResponseWriter, r *http.Request) {
	p, err := f.readPayload(r, false)
	if err != nil {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	in := f.interactionByTokenLocked(w, r)
	if in == nil {
		return
	}
	if r.URL.Query().Get("wait") != "true" {
		f.violations = append(f.violations, "follow-up without wait=true")
	}
	f.checkMessageLocked(p, "follow-up")
	var m *fakeMessage
	if orig := f.messages[in.OriginalID]; orig != nil && orig.Deferred {
		// Discord: the first follow-up after a deferral fills the
		// placeholder, keeping the placeholder's visibility.
		applyPayload(orig, p)
		orig.Deferred = false
		m = orig
	} else {
		m = f.newMessageLocked(in.ChannelID, p)
		m.Interaction = in.ID
	}
	in.Followups = append(in.Followups, m.ID)
	f.followCount++
	f.eventLocked("followup " + in.ID)
	writeJSON(w, http.StatusOK, f.messageJSONLocked(m))
}

func (f *fakeDiscord) editWebhookMessage(w http.ResponseWriter, r *http.Request) {
	p, err := f.readPayload(r, false)
	if err != nil {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	in := f.interactionByTokenLocked(w, r)
	if in == nil {
		return
	}
	id := r.PathValue("mid")
	if id == "@original" {
		id = in.OriginalID
	}
	m := f.messages[id]
	if m == nil {
		apiError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	f.checkMessageLocked(p, "webhook edit")
	applyPayload(m, p)
	m.Deferred = false
	m.Edits++
	m.EditedAt = time.Now()
	f.eventLocked("edit-original " + in.ID)
	writeJSON(w, http.StatusOK, f.messageJSONLocked(m))
}

func (f *fakeDiscord) getWebhookMessage(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := f.interactionByTokenLocked(w, r)
	if in == nil {
		return
	}
	id := r.PathValue("mid")
	if id == "@original" {
		id = in.OriginalID
	}
	m := f.messages[id]
	if m == nil {
		apiError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	writeJSON(w, http.StatusOK, f.messageJSONLocked(m))
}

func (f *fakeDiscord) createMessage(w http.ResponseWriter, r *http.Request) {
	p, err := f.readPayload(r, false)
	if err != nil {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	f.checkMessageLocked(p, "channel message")
	if p.Flags&64 != 0 {
		f.violations = append(f.violations, "ephemeral flag on a channel message")
	}
	m := f.newMessageLocked(r.PathValue("channel"), p)
	f.eventLocked("post " + m.ChannelID)
	writeJSON(w, http.StatusOK, f.messageJSONLocked(m))
}

func (f *fakeDiscord) editMessage(w http.ResponseWriter, r *http.Request) {
	p, err := f.readPayload(r, false)
	if err != nil {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	if f.edit429 > 0 {
		f.edit429--
		f.rateLimited++
		f.eventLocked("429")
		w.Header().Set("X-RateLimit-Limit", "5")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", strconv.FormatFloat(f.retryAfter, 'f', 3, 64))
		w.Header().Set("X-RateLimit-Bucket", "fake-edit-bucket")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": f.retryAfter, "global": false})
		return
	}
	m := f.messages[r.PathValue("mid")]
	if m == nil || m.ChannelID != r.PathValue("channel") || m.ephemeral() {
		apiError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	f.checkMessageLocked(p, "message edit")
	applyPayload(m, p)
	m.Edits++
	m.EditedAt = time.Now()
	f.eventLocked("edit " + m.ID)
	writeJSON(w, http.StatusOK, f.messageJSONLocked(m))
}

func (f *fakeDiscord) createDM(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Recipient string `json:"recipient_id"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if body.Recipient == "" {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	if f.closedDMs[body.Recipient] {
		apiError(w, http.StatusForbidden, 50007, "Cannot send messages to this user")
		return
	}
	ch, ok := f.dmChannels[body.Recipient]
	if !ok {
		ch = f.newIDLocked()
		f.dmChannels[body.Recipient] = ch
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": ch, "type": 1})
}

func (f *fakeDiscord) guildRoles(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roleFetches++
	writeJSON(w, http.StatusOK, f.roles[r.PathValue("guild")])
}

// ---- gateway -------------------------------------------------------------

var upgrader = websocket.Upgrader{}

func (f *fakeDiscord) serveGateway(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("encoding") != "json" {
		f.violation("gateway connection without encoding=json")
	}
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.writeMu.Lock()
	f.mu.Lock()
	f.conn = c
	f.connects++
	f.notifyLocked()
	f.mu.Unlock()
	err = c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": f.hbMS}})
	f.writeMu.Unlock()
	if err != nil {
		return
	}
	for {
		var frame struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := c.ReadJSON(&frame); err != nil {
			f.mu.Lock()
			if f.conn == c {
				f.conn = nil
			}
			f.notifyLocked()
			f.mu.Unlock()
			return
		}
		switch frame.Op {
		case 1:
			f.with(func() { f.heartbeats++; f.notifyLocked() })
			f.write(c, map[string]any{"op": 11})
		case 2:
			var id struct {
				Token   string `json:"token"`
				Intents int64  `json:"intents"`
			}
			json.Unmarshal(frame.D, &id)
			if strings.TrimPrefix(id.Token, "Bot ") != f.token {
				f.writeMu.Lock()
				c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
				f.writeMu.Unlock()
				c.Close()
				return
			}
			f.writeMu.Lock()
			f.mu.Lock()
			f.identifies++
			f.intents = id.Intents
			f.sessionID = randHex(8)
			f.seq = 1
			f.history = nil
			ready := map[string]any{"op": 0, "t": "READY", "s": f.seq, "d": map[string]any{
				"v": 9, "session_id": f.sessionID, "resume_gateway_url": "ws" + strings.TrimPrefix(f.gw.URL, "http"),
				"user":        map[string]any{"id": f.botID, "username": "Union Hall", "bot": true},
				"application": map[string]any{"id": f.appID, "flags": 0},
				"guilds":      []any{map[string]any{"id": f.guildID, "unavailable": true}},
			}}
			f.notifyLocked()
			f.mu.Unlock()
			c.WriteJSON(ready)
			f.writeMu.Unlock()
		case 6:
			var res struct {
				SessionID string `json:"session_id"`
				Seq       int64  `json:"seq"`
			}
			json.Unmarshal(frame.D, &res)
			f.writeMu.Lock()
			f.mu.Lock()
			f.resumes++
			f.lastResume = res.Seq
			if res.SessionID != f.sessionID || f.forgetNext {
				f.forgetNext = false
				f.sessionID = ""
				f.notifyLocked()
				f.mu.Unlock()
				c.WriteJSON(map[string]any{"op": 9, "d": false})
				f.writeMu.Unlock()
				continue
			}
			var replay []map[string]any
			for _, fr := range f.history {
				if fr["s"].(int64) > res.Seq {
					replay = append(replay, fr)
				}
			}
			f.seq++
			resumed := map[string]any{"op": 0, "t": "RESUMED", "s": f.seq, "d": map[string]any{}}
			f.notifyLocked()
			f.mu.Unlock()
			for _, fr := range replay {
				c.WriteJSON(fr)
			}
			c.WriteJSON(resumed)
			f.writeMu.Unlock()
		}
	}
}

func (f *fakeDiscord) write(c *websocket.Conn, v any) {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	c.WriteJSON(v)
}

// dispatch sends an event. Without a connection it is kept for a resume,
// as Discord does.
func (f *fakeDiscord) dispatch(t string, d any, before func()) {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	f.mu.Lock()
	f.seq++
	frame := map[string]any{"op": 0, "t": t, "s": f.seq, "d": d}
	f.history = append(f.history, frame)
	c := f.conn
	if before != nil {
		before()
	}
	f.mu.Unlock()
	if c != nil {
		c.WriteJSON(frame)
	}
}

// drop cuts the gateway connection without a close frame, as a network
// failure would.
func (f *fakeDiscord) drop() {
	f.mu.Lock()
	c := f.conn
	f.conn = nil
	f.mu.Unlock()
	if c != nil {
		c.UnderlyingConn().Close()
	}
}

// ---- events the tests send -------------------------------------------------

// member is a server member as the tests describe one.
type member struct {
	id, name string
	roles    []string
}

func (m member) json() map[string]any {
	roles := m.roles
	if roles == nil {
		roles = []string{}
	}
	return map[string]any{"user": map[string]any{"id": m.id, "username": m.name}, "roles": roles, "nick": nil}
}

// sendInteraction dispatches an INTERACTION_CREATE and returns its record.
func (f *fakeDiscord) sendInteraction(typ int, who member, channel string, data map[string]any, clicked *fakeMessage) *fakeInteraction {
	f.mu.Lock()
	in := &fakeInteraction{ID: f.newIDLocked(), Token: "itok-" + randHex(16), ChannelID: channel, Type: typ, Clicked: clicked}
	f.interactions[in.ID] = in
	f.byToken[in.Token] = in
	d := map[string]any{
		"id": in.ID, "application_id": f.appID, "type": typ, "token": in.Token, "version": 1,
		"guild_id": f.guildID, "channel_id": channel, "member": who.json(), "data": data,
		"locale": "en-US", "app_permissions": "0",
	}
	if clicked != nil {
		d["message"] = f.messageJSONLocked(clicked)
	}
	f.mu.Unlock()
	f.dispatch("INTERACTION_CREATE", d, func() { in.SentAt = time.Now() })
	return in
}

// clickMany has each member click the button with the matching custom ID
// on message m, all at once: the events are prepared first, then written
// back to back, as Discord would deliver a rush of clicks.
func (f *fakeDiscord) clickMany(m *fakeMessage, who []member, customIDs []string) []*fakeInteraction {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	f.mu.Lock()
	clicked := *m
	msg := f.messageJSONLocked(&clicked)
	ins := make([]*fakeInteraction, len(who))
	frames := make([][]byte, len(who))
	for i := range who {
		in := &fakeInteraction{ID: f.newIDLocked(), Token: "itok-" + randHex(16), ChannelID: m.ChannelID, Type: 3, Clicked: &clicked}
		f.interactions[in.ID] = in
		f.byToken[in.Token] = in
		f.seq++
		frame := map[string]any{"op": 0, "t": "INTERACTION_CREATE", "s": f.seq, "d": map[string]any{
			"id": in.ID, "application_id": f.appID, "type": 3, "token": in.Token, "version": 1,
			"guild_id": f.guildID, "channel_id": m.ChannelID, "member": who[i].json(), "message": msg,
			"data":   map[string]any{"custom_id": customIDs[i], "component_type": 2},
			"locale": "en-US", "app_permissions": "0",
		}}
		f.history = append(f.history, frame)
		b, err := json.Marshal(frame)
		if err != nil {
			f.t.Fatal(err)
		}
		ins[i], frames[i] = in, b
	}
	c := f.conn
	f.mu.Unlock()
	for i, b := range frames {
		f.mu.Lock()
		ins[i].SentAt = time.Now()
		f.mu.Unlock()
		if c != nil {
			c.WriteMessage(websocket.TextMessage, b)
		}
	}
	return ins
}

// slash sends a slash command. opts are the command's options (or one
// subcommand with its options).
func (f *fakeDiscord) slash(who member, channel, name string, opts ...map[string]any) *fakeInteraction {
	if opts == nil {
		opts = []map[string]any{}
	}
	return f.sendInteraction(2, who, channel, map[string]any{"id": "700000000000000001", "name": name, "type": 1, "options": opts}, nil)
}

// click clicks the button with the given custom ID on a message.
func (f *fakeDiscord) click(who member, m *fakeMessage, customID string) *fakeInteraction {
	f.mu.Lock()
	clicked := *m
	f.mu.Unlock()
	return f.sendInteraction(3, who, m.ChannelID, map[string]any{"custom_id": customID, "component_type": 2}, &clicked)
}

func (f *fakeDiscord) autocomplete(who member, channel, name, option, typed string) *fakeInteraction {
	return f.sendInteraction(4, who, channel, map[string]any{"id": "700000000000000002", "name": name, "type": 1,
		"options": []map[string]any{{"name": option, "type": 3, "value": typed, "focused": true}}}, nil)
}

// message sends a MESSAGE_CREATE: a direct message when guild is false.
func (f *fakeDiscord) message(who member, channel, content string, guild bool, mentions ...string) string {
	f.mu.Lock()
	id := f.newIDLocked()
	f.mu.Unlock()
	ms := []any{}
	for _, m := range mentions {
		ms = append(ms, map[string]any{"id": m, "username": "x"})
	}
	d := map[string]any{
		"id": id, "channel_id": channel, "content": content, "type": 0, "mentions": ms,
		"author":    map[string]any{"id": who.id, "username": who.name},
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano),
	}
	if guild {
		d["guild_id"] = f.guildID
		m := who.json()
		delete(m, "user")
		d["member"] = m
	}
	f.dispatch("MESSAGE_CREATE", d, nil)
	return id
}

func opt3(name string, v any) map[string]any {
	t := 3
	switch v.(type) {
	case int:
		t = 4
	case bool:
		t = 5
	}
	return map[string]any{"name": name, "type": t, "value": v}
}

func sub(name string, opts ...map[string]any) map[string]any {
	if opts == nil {
		opts = []map[string]any{}
	}
	return map[string]any{"name": name, "type": 1, "options": opts}
}

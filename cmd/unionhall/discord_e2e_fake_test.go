package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// dcAckDeadline is how long Discord waits for an interaction's
// acknowledgement before it drops the interaction.
const dcAckDeadline = 3 * time.Second

// dcFake is a compact local Discord for end-to-end tests of the whole bot:
// the REST endpoints the adapter calls (over plain HTTP/1.1) and a
// websocket gateway speaking the real protocol (Hello, Identify → READY,
// heartbeats and their ACKs, dispatches with sequence numbers). Like
// Discord it accepts one acknowledgement per interaction, within three
// seconds, and webhook requests only after it; whatever breaks those rules
// or reaches an endpoint it does not serve is recorded as a violation.
type dcFake struct {
	t       *testing.T
	token   string
	appID   string
	guildID string

	rest *httptest.Server
	gw   *httptest.Server

	mu           sync.Mutex
	changed      chan struct{}
	counter      int64
	messages     map[string]*dcMessage
	interactions map[string]*dcInteraction // by ID
	byToken      map[string]*dcInteraction
	overwrites   []dcOverwrite
	violations   []string
	identifies   int
	intents      int64
	heartbeats   int
	heartbeatACK int

	writeMu sync.Mutex // one writer on the gateway connection; sequence order
	conn    *websocket.Conn
	seq     int64
}

// dcOverwrite is one bulk overwrite of the application's commands.
type dcOverwrite struct {
	path     string
	commands []map[string]any
}

// dcMessage is a message as the fake stores it: embeds and components are
// kept as sent, and echoed back in message objects.
type dcMessage struct {
	ID, ChannelID string
	Content       string
	Embeds        []map[string]any
	Components    []map[string]any
	Flags         int
	ReplyTo       string
	Interaction   string // the interaction it answers, if any
	Deferred      bool   // a placeholder awaiting its content
	Edits         int
}

func (m *dcMessage) ephemeral() bool { return m.Flags&64 != 0 }

// text returns the message's content and its embeds' titles,
// descriptions and footers.
func (m *dcMessage) text() string {
	s := m.Content
	for _, e := range m.Embeds {
		s += "\n" + str(e["title"]) + "\n" + str(e["description"])
		if f, ok := e["footer"].(map[string]any); ok {
			s += "\n" + str(f["text"])
		}
	}
	return s
}

// footer returns the first embed's footer text.
func (m *dcMessage) footer() string {
	if len(m.Embeds) == 0 {
		return ""
	}
	f, _ := m.Embeds[0]["footer"].(map[string]any)
	return str(f["text"])
}

// buttons returns the buttons' labels and custom IDs, in order.
func (m *dcMessage) buttons() (labels, ids []string) {
	for _, row := range m.Components {
		cs, _ := row["components"].([]any)
		for _, c := range cs {
			b, _ := c.(map[string]any)
			labels = append(labels, str(b["label"]))
			ids = append(ids, str(b["custom_id"]))
		}
	}
	return labels, ids
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// dcInteraction is an interaction the fake sent, and what the bot did
// with it.
type dcInteraction struct {
	ID, Token, ChannelID string
	Type                 int
	SentAt               time.Time
	Latency              time.Duration
	Acks                 int
	AckType              int
	AckFlags             int
	OriginalID           string
	Followups            []string
	Choices              []map[string]any
	Clicked              string // the clicked message's ID
}

// dcMember is a server member as the tests describe one.
type dcMember struct {
	id, name string
	roles    []string
}

func (m dcMember) json() map[string]any {
	roles := m.roles
	if roles == nil {
		roles = []string{}
	}
	return map[string]any{"user": map[string]any{"id": m.id, "username": m.name}, "roles": roles, "nick": nil}
}

func newDCFake(t *testing.T, token string) *dcFake {
	f := &dcFake{
		t:            t,
		token:        token,
		appID:        "410000000000000001",
		guildID:      "510000000000000001",
		changed:      make(chan struct{}),
		messages:     map[string]*dcMessage{},
		interactions: map[string]*dcInteraction{},
		byToken:      map[string]*dcInteraction{},
	}
	const api = "/api/v9"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+api+"/gateway", f.gatewayURL)
	mux.HandleFunc("GET "+api+"/gateway/bot", f.gatewayURL)
	mux.HandleFunc("PUT "+api+"/applications/{app}/guilds/{guild}/commands", f.bot(f.overwriteCommands))
	mux.HandleFunc("PUT "+api+"/applications/{app}/commands", f.bot(f.overwriteCommands))
	mux.HandleFunc("POST "+api+"/interactions/{id}/{token}/callback", f.callback)
	mux.HandleFunc("POST "+api+"/webhooks/{app}/{token}", f.followUp)
	mux.HandleFunc("PATCH "+api+"/webhooks/{app}/{token}/messages/{mid}", f.editOriginal)
	mux.HandleFunc("GET "+api+"/webhooks/{app}/{token}/messages/{mid}", f.getOriginal)
	mux.HandleFunc("POST "+api+"/channels/{channel}/messages", f.bot(f.createMessage))
	mux.HandleFunc("PATCH "+api+"/channels/{channel}/messages/{mid}", f.bot(f.editMessage))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.violation("unexpected request %s %s", r.Method, r.URL.Path)
		dcError(w, http.StatusNotFound, 0, "404: Not Found")
	})
	f.rest = httptest.NewServer(mux)
	f.gw = httptest.NewServer(http.HandlerFunc(f.serveGateway))
	t.Cleanup(func() {
		f.gw.Close()
		f.rest.Close()
	})
	return f
}

// newIDLocked returns a snowflake for the current time.
func (f *dcFake) newIDLocked() string {
	f.counter++
	ms := time.Now().UnixMilli() - 1420070400000
	return strconv.FormatInt(ms<<22|(f.counter&0x3FFFFF), 10)
}

func (f *dcFake) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *dcFake) violation(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.violations = append(f.violations, fmt.Sprintf(format, args...))
	f.notifyLocked()
}

// waitFor waits, without polling on a timer, until cond (called with f.mu
// held) is true, and fails the test after a generous deadline.
func (f *dcFake) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.NewTimer(15 * time.Second)
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
			f.t.Logf("violations: %v", f.violations)
			f.mu.Unlock()
			f.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// interactionMessagesLocked returns the messages that answer interaction
// id (its response and follow-ups), oldest first.
func (f *dcFake) interactionMessagesLocked(id string) []*dcMessage {
	var out []*dcMessage
	for _, m := range f.messages {
		if m.Interaction == id {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b *dcMessage) int { return cmpSnowflake(a.ID, b.ID) })
	return out
}

// channelMessagesLocked returns a channel's messages, oldest first.
func (f *dcFake) channelMessagesLocked(channel string) []*dcMessage {
	var out []*dcMessage
	for _, m := range f.messages {
		if m.ChannelID == channel {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b *dcMessage) int { return cmpSnowflake(a.ID, b.ID) })
	return out
}

func cmpSnowflake(a, b string) int {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	return int(x - y)
}

func dcJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func dcError(w http.ResponseWriter, status, code int, msg string) {
	dcJSON(w, status, map[string]any{"code": code, "message": msg})
}

// bot requires the bot token on the bot's own endpoints.
func (f *dcFake) bot(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bot "+f.token {
			f.violation("%s %s without the bot token", r.Method, r.URL.Path)
			dcError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
			return
		}
		h(w, r)
	}
}

func (f *dcFake) gatewayURL(w http.ResponseWriter, _ *http.Request) {
	dcJSON(w, http.StatusOK, map[string]any{"url": "ws" + strings.TrimPrefix(f.gw.URL, "http"), "shards": 1})
}

func (f *dcFake) overwriteCommands(w http.ResponseWriter, r *http.Request) {
	var cmds []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		dcError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cmds {
		c["id"] = f.newIDLocked()
		c["application_id"] = f.appID
	}
	f.overwrites = append(f.overwrites, dcOverwrite{path: r.URL.Path, commands: cmds})
	f.notifyLocked()
	dcJSON(w, http.StatusOK, cmds)
}

// dcBody is the part of a message body (or of an interaction response's
// data) the fake reads.
type dcBody struct {
	Content    *string          `json:"content"`
	Embeds     []map[string]any `json:"embeds"`
	Components []map[string]any `json:"components"`
	Flags      int              `json:"flags"`
	Choices    []map[string]any `json:"choices"`
	Allowed    *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
	Reference *struct {
		MessageID string `json:"message_id"`
	} `json:"message_reference"`
}

// readBody decodes a JSON body (every request of this scenario is JSON).
// An interaction response wraps the message in "data".
func readBody(r *http.Request, wrapped bool) (typ int, b dcBody, err error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return 0, b, err
	}
	if wrapped {
		var env struct {
			Type int             `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			return 0, b, err
		}
		typ, raw = env.Type, env.Data
	}
	if len(raw) > 0 && string(raw) != "null" {
		err = json.Unmarshal(raw, &b)
	}
	return typ, b, err
}

// checkLocked records a message that could ping members: everything the
// bot sends must carry allowed_mentions with nothing allowed.
func (f *dcFake) checkLocked(b dcBody, where string) {
	if b.Allowed == nil || len(b.Allowed.Parse) != 0 {
		f.violations = append(f.violations, where+": allowed_mentions missing or permissive")
	}
}

func (m *dcMessage) apply(b dcBody) {
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Embeds != nil {
		m.Embeds = b.Embeds
	}
	if b.Components != nil {
		m.Components = b.Components
	}
}

func (f *dcFake) newMessageLocked(channel string, b dcBody) *dcMessage {
	m := &dcMessage{ID: f.newIDLocked(), ChannelID: channel, Flags: b.Flags}
	m.apply(b)
	if b.Reference != nil {
		m.ReplyTo = b.Reference.MessageID
	}
	f.messages[m.ID] = m
	return m
}

func (f *dcFake) messageJSONLocked(m *dcMessage) map[string]any {
	embeds, comps := m.Embeds, m.Components
	if embeds == nil {
		embeds = []map[string]any{}
	}
	if comps == nil {
		comps = []map[string]any{}
	}
	return map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "content": m.Content, "flags": m.Flags, "type": 0,
		"embeds": embeds, "components": comps,
		"author":    map[string]any{"id": f.appID, "username": "Union Hall", "bot": true},
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano),
	}
}

func (f *dcFake) callback(w http.ResponseWriter, r *http.Request) {
	typ, b, err := readBody(r, true)
	if err != nil {
		dcError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	in, ok := f.interactions[r.PathValue("id")]
	if !ok || in.Token != r.PathValue("token") {
		f.violations = append(f.violations, "callback for an unknown interaction")
		dcError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	in.Acks++
	if in.Acks > 1 {
		f.violations = append(f.violations, "interaction "+in.ID+" acknowledged twice")
		dcError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	}
	in.Latency = time.Since(in.SentAt)
	in.AckType, in.AckFlags = typ, b.Flags
	if in.Latency > dcAckDeadline {
		f.violations = append(f.violations, fmt.Sprintf("interaction %s acknowledged after %v", in.ID, in.Latency))
		dcError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	switch typ {
	case 4, 5: // a message, or a deferred one
		if typ == 4 {
			f.checkLocked(b, "interaction response")
		}
		m := f.newMessageLocked(in.ChannelID, b)
		m.Interaction, m.Deferred = in.ID, typ == 5
		in.OriginalID = m.ID
	case 6: // deferred update of the clicked message
		if in.Type != 3 {
			f.violations = append(f.violations, "deferred update of a non-component interaction")
		}
		in.OriginalID = in.Clicked
	case 8: // autocomplete choices
		in.Choices = b.Choices
	default:
		f.violations = append(f.violations, fmt.Sprintf("callback type %d", typ))
	}
	w.WriteHeader(http.StatusNoContent)
}

// interactionLocked returns the acknowledged interaction a webhook request
// is for.
func (f *dcFake) interactionLocked(w http.ResponseWriter, r *http.Request) *dcInteraction {
	in, ok := f.byToken[r.PathValue("token")]
	if !ok || r.PathValue("app") != f.appID {
		f.violations = append(f.violations, "webhook request for an unknown interaction")
		dcError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return nil
	}
	if in.Acks == 0 || in.Latency > dcAckDeadline {
		f.violations = append(f.violations, "webhook request before the interaction was acknowledged")
		dcError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return nil
	}
	return in
}

func (f *dcFake) followUp(w http.ResponseWriter, r *http.Request) {
	_, b, err := readBody(r, false)
	if err != nil {
		dcError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	in := f.interactionLocked(w, r)
	if in == nil {
		return
	}
	f.checkLocked(b, "follow-up")
	var m *dcMessage
	if orig := f.messages[in.OriginalID]; orig != nil && orig.Deferred {
		// The first follow-up after a deferral fills the placeholder and
		// keeps its visibility, as on Discord.
		orig.apply(b)
		orig.Deferred = false
		m = orig
	} else {
		m = f.newMessageLocked(in.ChannelID, b)
		m.Interaction = in.ID
	}
	in.Followups = append(in.Followups, m.ID)
	dcJSON(w, http.StatusOK, f.messageJSONLocked(m))
}

func (f *dcFake) originalLocked(w http.ResponseWriter, r *http.Request) *dcMessage {
	in := f.interactionLocked(w, r)
	if in == nil {
		return nil
	}
	id := r.PathValue("mid")
	if id == "@original" {
		id = in.OriginalID
	}
	m := f.messages[id]
	if m == nil {
		dcError(w, http.StatusNotFound, 10008, "Unknown Message")
	}
	return m
}

func (f *dcFake) editOriginal(w http.ResponseWriter, r *http.Request) {
	_, b, err := readBody(r, false)
	if err != nil {
		dcError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	if m := f.originalLocked(w, r); m != nil {
		f.checkLocked(b, "webhook edit")
		m.apply(b)
		m.Deferred = false
		m.Edits++
		dcJSON(w, http.StatusOK, f.messageJSONLocked(m))
	}
}

func (f *dcFake) getOriginal(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m := f.originalLocked(w, r); m != nil {
		dcJSON(w, http.StatusOK, f.messageJSONLocked(m))
	}
}

func (f *dcFake) createMessage(w http.ResponseWriter, r *http.Request) {
	_, b, err := readBody(r, false)
	if err != nil {
		dcError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	f.checkLocked(b, "channel message")
	if b.Flags&64 != 0 {
		f.violations = append(f.violations, "ephemeral flag on a channel message")
	}
	m := f.newMessageLocked(r.PathValue("channel"), b)
	dcJSON(w, http.StatusOK, f.messageJSONLocked(m))
}

func (f *dcFake) editMessage(w http.ResponseWriter, r *http.Request) {
	_, b, err := readBody(r, false)
	if err != nil {
		dcError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notifyLocked()
	m := f.messages[r.PathValue("mid")]
	if m == nil || m.ChannelID != r.PathValue("channel") || m.ephemeral() {
		f.violations = append(f.violations, "edit of an unknown or ephemeral message through the channel")
		dcError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	f.checkLocked(b, "message edit")
	m.apply(b)
	m.Edits++
	dcJSON(w, http.StatusOK, f.messageJSONLocked(m))
}

// ---- gateway ----------------------------------------------------------------

func (f *dcFake) serveGateway(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("encoding") != "json" {
		f.violation("gateway connection without encoding=json")
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	if err := f.write(c, map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}}); err != nil {
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
		case 1: // heartbeat
			f.mu.Lock()
			f.heartbeats++
			f.mu.Unlock()
			if f.write(c, map[string]any{"op": 11}) == nil {
				f.mu.Lock()
				f.heartbeatACK++
				f.notifyLocked()
				f.mu.Unlock()
			}
		case 2: // identify
			var id struct {
				Token   string `json:"token"`
				Intents int64  `json:"intents"`
			}
			json.Unmarshal(frame.D, &id)
			if strings.TrimPrefix(id.Token, "Bot ") != f.token {
				f.violation("identify with the wrong token")
				f.writeMu.Lock()
				c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
				f.writeMu.Unlock()
				return
			}
			f.writeMu.Lock()
			f.mu.Lock()
			f.identifies++
			f.intents = id.Intents
			f.seq = 1
			f.conn = c
			f.notifyLocked()
			f.mu.Unlock()
			err := c.WriteJSON(map[string]any{"op": 0, "t": "READY", "s": 1, "d": map[string]any{
				"v": 9, "session_id": "e2e-session", "resume_gateway_url": "ws" + strings.TrimPrefix(f.gw.URL, "http"),
				"user":        map[string]any{"id": f.appID, "username": "Union Hall", "bot": true},
				"application": map[string]any{"id": f.appID, "flags": 0},
				"guilds":      []any{map[string]any{"id": f.guildID, "unavailable": true}},
			}})
			f.writeMu.Unlock()
			if err != nil {
				return
			}
		default:
			f.violation("gateway op %d", frame.Op)
		}
	}
}

func (f *dcFake) write(c *websocket.Conn, v any) error {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	return c.WriteJSON(v)
}

// dispatch sends a gateway event on the identified connection.
func (f *dcFake) dispatch(t string, d map[string]any, sent func()) {
	f.t.Helper()
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	f.mu.Lock()
	c := f.conn
	f.seq++
	frame := map[string]any{"op": 0, "t": t, "s": f.seq, "d": d}
	if sent != nil {
		sent()
	}
	f.mu.Unlock()
	if c == nil {
		f.t.Fatalf("dispatch %s: the bot is not connected", t)
	}
	if err := c.WriteJSON(frame); err != nil {
		f.t.Fatalf("dispatch %s: %v", t, err)
	}
}

// interact dispatches an INTERACTION_CREATE in the fake's server and
// returns its ID. clicked is the message whose button was clicked.
func (f *dcFake) interact(typ int, who dcMember, channel string, data map[string]any, clicked *dcMessage) string {
	f.t.Helper()
	f.mu.Lock()
	in := &dcInteraction{ID: f.newIDLocked(), Token: "e2e-itok-" + strconv.FormatInt(f.counter, 36) + "-secret", ChannelID: channel, Type: typ}
	f.interactions[in.ID] = in
	f.byToken[in.Token] = in
	d := map[string]any{
		"id": in.ID, "application_id": f.appID, "type": typ, "token": in.Token, "version": 1,
		"guild_id": f.guildID, "channel_id": channel, "member": who.json(), "data": data,
		"locale": "en-US", "app_permissions": "0",
	}
	if clicked != nil {
		in.Clicked = clicked.ID
		d["message"] = f.messageJSONLocked(clicked)
	}
	f.mu.Unlock()
	f.dispatch("INTERACTION_CREATE", d, func() { in.SentAt = time.Now() })
	return in.ID
}

// slash sends a slash command with its options (or one subcommand).
func (f *dcFake) slash(who dcMember, channel, name string, opts ...map[string]any) string {
	f.t.Helper()
	if opts == nil {
		opts = []map[string]any{}
	}
	return f.interact(2, who, channel, map[string]any{"id": "710000000000000001", "name": name, "type": 1, "options": opts}, nil)
}

// click clicks the button with customID on message id.
func (f *dcFake) click(who dcMember, id, customID string) string {
	f.t.Helper()
	f.mu.Lock()
	m := *f.messages[id]
	f.mu.Unlock()
	return f.interact(3, who, m.ChannelID, map[string]any{"custom_id": customID, "component_type": 2}, &m)
}

// dm sends a direct message (a MESSAGE_CREATE without guild_id) and
// returns its ID.
func (f *dcFake) dm(who dcMember, channel, content string) string {
	f.t.Helper()
	f.mu.Lock()
	id := f.newIDLocked()
	f.mu.Unlock()
	f.dispatch("MESSAGE_CREATE", map[string]any{
		"id": id, "channel_id": channel, "content": content, "type": 0, "mentions": []any{},
		"author":    map[string]any{"id": who.id, "username": who.name},
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano),
	}, nil)
	return id
}

// dcOpt is a slash command option; dcSub a subcommand with its options.
func dcOpt(name string, v any) map[string]any {
	t := 3
	switch v.(type) {
	case int:
		t = 4
	case bool:
		t = 5
	}
	return map[string]any{"name": name, "type": t, "value": v}
}

func dcSub(name string, opts ...map[string]any) map[string]any {
	if opts == nil {
		opts = []map[string]any{}
	}
	return map[string]any{"name": name, "type": 1, "options": opts}
}

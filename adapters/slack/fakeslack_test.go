package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// Credentials the tests configure; no log line may ever contain them.
const (
	testBotToken = "xoxb-1111-2222-secretbottoken"
	testAppToken = "xapp-1-A111-3333-secretapptoken"
	testSecret   = "8f742231b10e8888abcd99yyyzzz85a5"
	testBotUser  = "UBOT"
	testBotID    = "BBOT"
)

// apiCall is one Web API call the fake received.
type apiCall struct {
	Method string
	Form   url.Values
	Auth   string
	At     time.Time
}

// blocks decodes the call's blocks parameter.
func (c apiCall) blocks() []map[string]any {
	var b []map[string]any
	json.Unmarshal([]byte(c.Form.Get("blocks")), &b)
	return b
}

// text returns every text in the call's blocks and its text parameter,
// joined by newlines.
func (c apiCall) text() string { return blocksText(c.Form.Get("text"), c.blocks()) }

func blocksText(fallback string, blocks []map[string]any) string {
	parts := []string{fallback}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["text"].(string); ok {
				parts = append(parts, t)
			}
			for k, y := range x {
				if k != "text" || !isString(y) {
					walk(y)
				}
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	for _, b := range blocks {
		walk(b)
	}
	return strings.Join(parts, "\n")
}

func isString(v any) bool { _, ok := v.(string); return ok }

// responsePost is one post to a response_url.
type responsePost struct {
	Hook string
	Msg  map[string]any
	At   time.Time
}

func (p responsePost) text() string {
	var blocks []map[string]any
	if b, ok := p.Msg["blocks"].([]any); ok {
		for _, x := range b {
			if m, ok := x.(map[string]any); ok {
				blocks = append(blocks, m)
			}
		}
	}
	t, _ := p.Msg["text"].(string)
	return blocksText(t, blocks)
}

// failure is a canned error response for one call.
type failure struct {
	status     int
	retryAfter string
	slackErr   string
}

// fakeSlack is a local Slack: the Web API methods the adapter uses, the
// Socket Mode WebSocket, response URLs and file uploads, recording every
// request.
type fakeSlack struct {
	t   testing.TB
	srv *httptest.Server
	up  websocket.Upgrader

	mu        sync.Mutex
	calls     []apiCall
	responses []responsePost
	failures  map[string][]failure
	ts        int
	opens     int
	conns     []*websocket.Conn
	wmu       map[*websocket.Conn]*sync.Mutex
	sent      map[string]time.Time
	acks      map[string]time.Time
	members   []string
	groupsErr string
	groups    []map[string]string
	uploads   map[string][]byte
	pingEvery time.Duration // when set, the server pings every connection this often
	pongs     int
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{
		t:        t,
		up:       websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		failures: map[string][]failure{},
		wmu:      map[*websocket.Conn]*sync.Mutex{},
		sent:     map[string]time.Time{},
		acks:     map[string]time.Time{},
		uploads:  map[string][]byte{},
		groups:   []map[string]string{{"id": "S0STEWARD", "handle": "stewards", "name": "Stewards"}},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", f.serveAPI)
	mux.HandleFunc("/ws", f.serveWS)
	mux.HandleFunc("/hooks/", f.serveHook)
	mux.HandleFunc("/upload/", f.serveUpload)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.dropConnections()
		f.srv.Close()
	})
	return f
}

func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

// hook returns a response_url on the fake.
func (f *fakeSlack) hook(name string) string { return f.srv.URL + "/hooks/" + name }

// failNext makes the next n calls of method fail as given.
func (f *fakeSlack) failNext(method string, n int, fl failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.failures[method] = append(f.failures[method], fl)
	}
}

func (f *fakeSlack) setGroup(members []string, errCode string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.members, f.groupsErr = members, errCode
}

// callsTo returns the recorded calls of method.
func (f *fakeSlack) callsTo(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) responsePosts() []responsePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]responsePost(nil), f.responses...)
}

func (f *fakeSlack) connectionsOpened() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.opens
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *fakeSlack) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	auth := r.Header.Get("Authorization")
	if auth == "" && form.Get("token") != "" {
		auth = "Bearer " + form.Get("token")
	}
	f.mu.Lock()
	f.calls = append(f.calls, apiCall{Method: method, Form: form, Auth: auth, At: time.Now()})
	var fl *failure
	if q := f.failures[method]; len(q) > 0 {
		fl = &q[0]
		f.failures[method] = q[1:]
	}
	f.mu.Unlock()
	if fl != nil {
		if fl.retryAfter != "" {
			w.Header().Set("Retry-After", fl.retryAfter)
		}
		if fl.status != 0 {
			w.WriteHeader(fl.status)
			return
		}
		writeJSON(w, map[string]any{"ok": false, "error": fl.slackErr})
		return
	}
	wantToken := testBotToken
	if method == "apps.connections.open" {
		wantToken = testAppToken
	}
	if auth != "Bearer "+wantToken {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	switch method {
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "user_id": testBotUser, "bot_id": testBotID, "team": "Local 1", "team_id": "T1"})
	case "apps.connections.open":
		f.mu.Lock()
		f.opens++
		f.mu.Unlock()
		writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"})
	case "chat.postMessage":
		writeJSON(w, map[string]any{"ok": true, "channel": form.Get("channel"), "ts": f.nextTS()})
	case "chat.postEphemeral":
		writeJSON(w, map[string]any{"ok": true, "message_ts": f.nextTS()})
	case "chat.update":
		writeJSON(w, map[string]any{"ok": true, "channel": form.Get("channel"), "ts": form.Get("ts"), "text": form.Get("text")})
	case "usergroups.users.list":
		f.mu.Lock()
		members, errCode := f.members, f.groupsErr
		f.mu.Unlock()
		if errCode != "" {
			writeJSON(w, map[string]any{"ok": false, "error": errCode})
			return
		}
		if form.Get("usergroup") != "S0STEWARD" {
			writeJSON(w, map[string]any{"ok": false, "error": "no_such_subteam"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "users": members})
	case "usergroups.list":
		writeJSON(w, map[string]any{"ok": true, "usergroups": f.groups})
	case "conversations.open":
		writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + form.Get("users")}})
	case "files.getUploadURLExternal":
		id := "F" + f.nextTS()
		writeJSON(w, map[string]any{"ok": true, "file_id": id, "upload_url": f.srv.URL + "/upload/" + id})
	case "files.completeUploadExternal":
		var files []map[string]any
		json.Unmarshal([]byte(form.Get("files")), &files)
		writeJSON(w, map[string]any{"ok": true, "files": files})
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (f *fakeSlack) nextTS() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ts++
	return fmt.Sprintf("1700000000.%06d", f.ts)
}

func (f *fakeSlack) serveHook(w http.ResponseWriter, r *http.Request) {
	var msg map[string]any
	json.NewDecoder(r.Body).Decode(&msg)
	f.mu.Lock()
	f.responses = append(f.responses, responsePost{Hook: strings.TrimPrefix(r.URL.Path, "/hooks/"), Msg: msg, At: time.Now()})
	f.mu.Unlock()
	io.WriteString(w, "ok")
}

func (f *fakeSlack) serveUpload(w http.ResponseWriter, r *http.Request) {
	file, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	f.mu.Lock()
	f.uploads[strings.TrimPrefix(r.URL.Path, "/upload/")] = data
	f.mu.Unlock()
	io.WriteString(w, "OK")
}

// serveWS is the Socket Mode WebSocket: it says hello, then records every
// acknowledgement the client sends.
func (f *fakeSlack) serveWS(w http.ResponseWriter, r *http.Request) {
	conn, err := f.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.mu.Lock()
	f.conns = append(f.conns, conn)
	f.wmu[conn] = &sync.Mutex{}
	f.mu.Unlock()
	f.write(conn, map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}})
	conn.SetPongHandler(func(string) error {
		f.mu.Lock()
		f.pongs++
		f.mu.Unlock()
		return nil
	})
	stopPing := make(chan struct{})
	defer close(stopPing)
	go func() {
		for {
			f.mu.Lock()
			every := f.pingEvery
			f.mu.Unlock()
			if every == 0 {
				every = 10 * time.Millisecond
			}
			select {
			case <-stopPing:
				return
			case <-time.After(every):
			}
			f.mu.Lock()
			on := f.pingEvery > 0
			f.mu.Unlock()
			if on {
				conn.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second))
			}
		}
	}()
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
			f.mu.Lock()
			if _, dup := f.acks[ack.EnvelopeID]; !dup {
				f.acks[ack.EnvelopeID] = time.Now()
			}
			f.mu.Unlock()
		}
	}
}

func (f *fakeSlack) write(conn *websocket.Conn, v any) error {
	f.mu.Lock()
	m := f.wmu[conn]
	f.mu.Unlock()
	m.Lock()
	defer m.Unlock()
	return conn.WriteJSON(v)
}

// current returns the newest WebSocket connection.
func (f *fakeSlack) current() *websocket.Conn {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.conns) == 0 {
		return nil
	}
	return f.conns[len(f.conns)-1]
}

// send writes a Socket Mode envelope on the newest connection and records
// when it was sent.
func (f *fakeSlack) send(env map[string]any) {
	f.t.Helper()
	conn := f.current()
	if conn == nil {
		f.t.Fatal("no Socket Mode connection")
	}
	id, _ := env["envelope_id"].(string)
	f.mu.Lock()
	f.sent[id] = time.Now()
	f.mu.Unlock()
	if err := f.write(conn, env); err != nil {
		f.t.Fatalf("send envelope: %v", err)
	}
}

// sendRaw writes an envelope already encoded as JSON.
func (f *fakeSlack) sendRaw(envelopeID string, env []byte) {
	f.t.Helper()
	conn := f.current()
	if conn == nil {
		f.t.Fatal("no Socket Mode connection")
	}
	f.mu.Lock()
	f.sent[envelopeID] = time.Now()
	m := f.wmu[conn]
	f.mu.Unlock()
	m.Lock()
	defer m.Unlock()
	if err := conn.WriteMessage(websocket.TextMessage, env); err != nil {
		f.t.Fatalf("send envelope: %v", err)
	}
}

// ackLatency returns how long the client took to acknowledge an envelope,
// and false when it has not.
func (f *fakeSlack) ackLatency(envelopeID string) (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.acks[envelopeID]
	if !ok {
		return 0, false
	}
	return a.Sub(f.sent[envelopeID]), true
}

// dropConnections closes every WebSocket abruptly, as a network failure
// would.
func (f *fakeSlack) dropConnections() {
	f.mu.Lock()
	conns := f.conns
	f.conns = nil
	f.mu.Unlock()
	for _, c := range conns {
		c.NetConn().Close()
	}
}

// Envelope builders.

func eventEnvelope(envelopeID, eventID string, retry int, inner map[string]any) map[string]any {
	return map[string]any{
		"type":          "events_api",
		"envelope_id":   envelopeID,
		"retry_attempt": retry,
		"retry_reason":  map[bool]string{true: "timeout", false: ""}[retry > 0],
		"payload": map[string]any{
			"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": eventID,
			"event_time": 1700000000, "event": inner,
		},
	}
}

func mentionEvent(user, channel, text, ts, threadTS string) map[string]any {
	e := map[string]any{"type": "app_mention", "user": user, "channel": channel, "text": text, "ts": ts, "event_ts": ts}
	if threadTS != "" {
		e["thread_ts"] = threadTS
	}
	return e
}

func imEvent(user, channel, text, ts string) map[string]any {
	return map[string]any{"type": "message", "channel_type": "im", "user": user, "channel": channel, "text": text, "ts": ts, "event_ts": ts}
}

func slashPayload(command, text, user, channel, responseURL, trigger string) map[string]any {
	return map[string]any{
		"command": command, "text": text, "user_id": user, "user_name": strings.ToLower(user),
		"channel_id": channel, "channel_name": "general", "team_id": "T1",
		"response_url": responseURL, "trigger_id": trigger, "api_app_id": "A1",
	}
}

func slashEnvelope(envelopeID string, payload map[string]any) map[string]any {
	return map[string]any{"type": "slash_commands", "envelope_id": envelopeID, "accepts_response_payload": true, "payload": payload}
}

func clickPayload(user, channel, messageTS, blockID, actionID, value, trigger, responseURL string, messageBlocks []map[string]any) map[string]any {
	return map[string]any{
		"type":         "block_actions",
		"trigger_id":   trigger,
		"response_url": responseURL,
		"user":         map[string]any{"id": user, "name": strings.ToLower(user)},
		"channel":      map[string]any{"id": channel, "name": "general"},
		"team":         map[string]any{"id": "T1"},
		"container":    map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel, "is_ephemeral": false},
		"message":      map[string]any{"type": "message", "ts": messageTS, "bot_id": testBotID, "blocks": messageBlocks},
		"actions": []map[string]any{{
			"type": "button", "action_id": actionID, "block_id": blockID, "value": value,
			"text": map[string]any{"type": "plain_text", "text": "x"}, "action_ts": "1700000001.000001",
		}},
	}
}

func interactiveEnvelope(envelopeID string, payload map[string]any) map[string]any {
	return map[string]any{"type": "interactive", "envelope_id": envelopeID, "accepts_response_payload": false, "payload": payload}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testLogger returns a logger whose output fails the test if it ever
// contains a credential, and is shown when the test fails.
func testLogger(t testing.TB) (*slog.Logger, *bottest.LogBuffer) {
	lb := &bottest.LogBuffer{}
	t.Cleanup(func() {
		out := lb.String()
		for _, secret := range []string{testBotToken, testAppToken, testSecret, "secretbottoken", "secretapptoken", "/hooks/"} {
			if strings.Contains(out, secret) {
				t.Errorf("a log line contains a credential (%q):\n%s", secret, out)
			}
		}
		if t.Failed() {
			t.Logf("adapter log:\n%s", out)
		}
	})
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

// startAdapter runs an adapter against the fake until the test ends.
func startAdapter(t testing.TB, f *fakeSlack, d bot.Dispatcher, tweak func(*Options), adj func(*Adapter)) *Adapter {
	t.Helper()
	log, _ := testLogger(t)
	opts := Options{
		BotToken: testBotToken,
		AppToken: testAppToken,
		APIURL:   f.apiURL(),
		Log:      log,
	}
	if tweak != nil {
		tweak(&opts)
	}
	a, err := newAdapter(opts)
	if err != nil {
		t.Fatal(err)
	}
	if adj != nil {
		adj(a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, d) }()
	select {
	case <-a.ready:
	case err := <-done:
		cancel()
		t.Fatalf("adapter stopped before it was ready: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("adapter not ready after 10s")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return a
}

// atoi is strconv.Atoi without the error, for test data.
func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/unionhall/unionhall/bot/bottest"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Credentials the end-to-end Slack tests configure; run's log must never
// contain them.
const (
	e2eBotToken = "xoxb-e2e-1111-secretbottoken"
	e2eAppToken = "xapp-e2e-2222-secretapptoken"
	e2eBotUser  = "UBOT"
	e2eBotID    = "BBOT"
)

// e2eTimeout bounds every wait of the end-to-end Slack tests: generous,
// since the machine may be busy and -race slows everything down.
const e2eTimeout = 15 * time.Second

// slackCall is one Web API call the local Slack received.
type slackCall struct {
	Method string
	Form   url.Values
	TS     string    // the ts the local Slack answered with (chat.postMessage)
	At     time.Time // when the call arrived
}

// blocks decodes the call's Block Kit blocks.
func (c slackCall) blocks() []map[string]any { return decodeBlocks(c.Form.Get("blocks")) }

// text returns the call's text and every text in its blocks, one per line.
func (c slackCall) text() string { return blockText(c.Form.Get("text"), c.blocks()) }

// hookPost is one post to a response_url.
type hookPost struct {
	Hook string
	Msg  struct {
		Text         string           `json:"text"`
		ResponseType string           `json:"response_type"`
		Blocks       []map[string]any `json:"blocks"`
	}
}

func (p hookPost) text() string { return blockText(p.Msg.Text, p.Msg.Blocks) }

func decodeBlocks(s string) []map[string]any {
	var b []map[string]any
	json.Unmarshal([]byte(s), &b)
	return b
}

// blockText joins fallback and every "text" string found in blocks,
// depth first, one per line.
func blockText(fallback string, blocks []map[string]any) string {
	parts := []string{fallback}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["text"].(string); ok {
				parts = append(parts, t)
			} else if t, ok := x["text"]; ok {
				walk(t)
			}
			for _, k := range []string{"fields", "elements"} {
				walk(x[k])
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

// blocksOfType returns the blocks of the given type ("actions", "context").
func blocksOfType(blocks []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, b := range blocks {
		if b["type"] == typ {
			out = append(out, b)
		}
	}
	return out
}

// slackButton is a button of a posted message, with the actions block it
// is in.
type slackButton struct {
	BlockID, ActionID, Label, Value string
}

// buttons returns every button in blocks, in order.
func buttons(blocks []map[string]any) []slackButton {
	var out []slackButton
	for _, b := range blocksOfType(blocks, "actions") {
		blockID, _ := b["block_id"].(string)
		els, _ := b["elements"].([]any)
		for _, e := range els {
			el, _ := e.(map[string]any)
			if el["type"] != "button" {
				continue
			}
			btn := slackButton{BlockID: blockID}
			btn.ActionID, _ = el["action_id"].(string)
			btn.Value, _ = el["value"].(string)
			if t, ok := el["text"].(map[string]any); ok {
				btn.Label, _ = t["text"].(string)
			}
			out = append(out, btn)
		}
	}
	return out
}

// localSlack is a local Slack for "unionhall run": the Web API methods the
// adapter calls (checking the token each is called with), the Socket Mode
// WebSocket and response URLs, recording everything it receives.
type localSlack struct {
	t   testing.TB
	srv *httptest.Server

	mu    sync.Mutex
	calls []slackCall
	hooks []hookPost
	conns []*websocket.Conn
	acks  map[string]bool
	ts    int
	wmu   sync.Mutex // serialises writes to the WebSocket
}

func newLocalSlack(t testing.TB) *localSlack {
	s := &localSlack{t: t, acks: map[string]bool{}}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/hooks/", s.serveHook)
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		s.wmu.Lock()
		c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		s.wmu.Unlock()
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			var ack struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
				s.mu.Lock()
				s.acks[ack.EnvelopeID] = true
				s.mu.Unlock()
			}
		}
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		s.mu.Lock()
		conns := s.conns
		s.mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		s.srv.Close()
	})
	return s
}

// apiURL is the value for SLACK_API_URL.
func (s *localSlack) apiURL() string { return s.srv.URL + "/api/" }

// hook returns a response_url on the local Slack.
func (s *localSlack) hook(name string) string { return s.srv.URL + "/hooks/" + name }

func (s *localSlack) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	w.Header().Set("Content-Type", "application/json")
	reply := func(v map[string]any) { json.NewEncoder(w).Encode(v) }
	want := e2eBotToken
	if method == "apps.connections.open" {
		want = e2eAppToken
	}
	auth := r.Header.Get("Authorization")
	if auth == "" && form.Get("token") != "" {
		auth = "Bearer " + form.Get("token")
	}
	if auth != "Bearer "+want {
		s.t.Errorf("%s called without the right token", method)
		reply(map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	call := slackCall{Method: method, Form: form, At: time.Now()}
	s.mu.Lock()
	if method == "chat.postMessage" || method == "chat.postEphemeral" {
		s.ts++
		call.TS = fmt.Sprintf("1700000500.%06d", s.ts)
	}
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	switch method {
	case "auth.test":
		reply(map[string]any{"ok": true, "user_id": e2eBotUser, "bot_id": e2eBotID, "team": "Local 1", "team_id": "T1"})
	case "apps.connections.open":
		reply(map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws"})
	case "chat.postMessage":
		reply(map[string]any{"ok": true, "channel": form.Get("channel"), "ts": call.TS})
	case "chat.postEphemeral":
		reply(map[string]any{"ok": true, "message_ts": call.TS})
	case "chat.update":
		reply(map[string]any{"ok": true, "channel": form.Get("channel"), "ts": form.Get("ts"), "text": form.Get("text")})
	default:
		reply(map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (s *localSlack) serveHook(w http.ResponseWriter, r *http.Request) {
	p := hookPost{Hook: strings.TrimPrefix(r.URL.Path, "/hooks/")}
	if err := json.NewDecoder(r.Body).Decode(&p.Msg); err != nil {
		s.t.Errorf("response_url %s: undecodable post: %v", p.Hook, err)
	}
	s.mu.Lock()
	s.hooks = append(s.hooks, p)
	s.mu.Unlock()
	io.WriteString(w, "ok")
}

// callsTo returns the recorded calls of method, oldest first.
func (s *localSlack) callsTo(method string) []slackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []slackCall
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// hookPosts returns the posts to the named response_url.
func (s *localSlack) hookPosts(name string) []hookPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []hookPost
	for _, p := range s.hooks {
		if p.Hook == name {
			out = append(out, p)
		}
	}
	return out
}

// acked reports whether the bot acknowledged the envelope.
func (s *localSlack) acked(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acks[id]
}

// connected reports whether the bot has a Socket Mode connection open.
func (s *localSlack) connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns) > 0
}

// send writes a Socket Mode envelope on the newest connection.
func (s *localSlack) send(env map[string]any) {
	s.t.Helper()
	s.mu.Lock()
	var c *websocket.Conn
	if len(s.conns) > 0 {
		c = s.conns[len(s.conns)-1]
	}
	s.mu.Unlock()
	if c == nil {
		s.t.Fatal("no Socket Mode connection")
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := c.WriteJSON(env); err != nil {
		s.t.Fatalf("send envelope: %v", err)
	}
}

// Envelope builders, in the shapes Slack sends.

func e2eMention(envelopeID, user, channel, text, ts string) map[string]any {
	return map[string]any{
		"type": "events_api", "envelope_id": envelopeID,
		"payload": map[string]any{
			"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "Ev" + envelopeID,
			"event": map[string]any{"type": "app_mention", "user": user, "channel": channel, "text": text, "ts": ts, "event_ts": ts},
		},
	}
}

func e2eSlash(envelopeID, command, text, user, channel, responseURL string) map[string]any {
	return map[string]any{
		"type": "slash_commands", "envelope_id": envelopeID, "accepts_response_payload": true,
		"payload": map[string]any{
			"command": command, "text": text, "user_id": user, "user_name": strings.ToLower(user),
			"channel_id": channel, "channel_name": "general", "team_id": "T1",
			"response_url": responseURL, "trigger_id": "trig-" + envelopeID, "api_app_id": "A1",
		},
	}
}

// e2eClick is a member's click on btn in the posted message (channel, ts,
// blocks), as a block_actions interaction.
func e2eClick(envelopeID, user, channel, ts string, blocks []map[string]any, btn slackButton, responseURL string) map[string]any {
	return map[string]any{
		"type": "interactive", "envelope_id": envelopeID, "accepts_response_payload": false,
		"payload": map[string]any{
			"type": "block_actions", "trigger_id": "trig-" + envelopeID, "response_url": responseURL,
			"user":      map[string]any{"id": user, "name": strings.ToLower(user)},
			"channel":   map[string]any{"id": channel, "name": "general"},
			"team":      map[string]any{"id": "T1"},
			"container": map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false},
			"message":   map[string]any{"type": "message", "ts": ts, "bot_id": e2eBotID, "blocks": blocks},
			"actions": []map[string]any{{
				"type": "button", "action_id": btn.ActionID, "block_id": btn.BlockID, "value": btn.Value,
				"text": map[string]any{"type": "plain_text", "text": btn.Label}, "action_ts": ts,
			}},
		},
	}
}

// slackRun is "unionhall run" running against a localSlack.
type slackRun struct {
	t      testing.TB
	log    *bottest.LogBuffer
	cancel context.CancelFunc
	code   chan int
	exited bool
}

// startSlackRun runs "unionhall run" with the Slack tokens pointing at s
// and the extra settings in vars, and returns once the bot has connected
// over Socket Mode. The run is stopped at the end of the test, which then
// checks that it exited cleanly and never logged a token.
func startSlackRun(t testing.TB, s *localSlack, vars map[string]string) *slackRun {
	t.Helper()
	env := map[string]string{
		"SLACK_BOT_TOKEN": e2eBotToken,
		"SLACK_APP_TOKEN": e2eAppToken,
		"SLACK_API_URL":   s.apiURL(),
	}
	for k, v := range vars {
		env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &slackRun{t: t, log: &bottest.LogBuffer{}, cancel: cancel, code: make(chan int, 1)}
	dir := t.TempDir()
	go func() {
		r.code <- run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, r.log, testEnv(dir, env))
	}()
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			t.Logf("run's log:\n%s", r.log.String())
		}
	})
	deadline := time.Now().Add(e2eTimeout)
	for !s.connected() {
		select {
		case c := <-r.code:
			r.exited = true
			t.Fatalf("run exited with %d before connecting:\n%s", c, r.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Socket Mode connection after %s", e2eTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return r
}

// stop cancels the run, waits for it to exit, and checks that it exited
// with 0 and that no token is in its log. It is safe to call twice.
func (r *slackRun) stop() {
	r.t.Helper()
	if r.exited {
		return
	}
	r.cancel()
	select {
	case c := <-r.code:
		r.exited = true
		if c != 0 {
			r.t.Errorf("run exited with %d", c)
		}
	case <-time.After(2 * e2eTimeout):
		r.t.Fatal("run did not stop after its context was cancelled")
	}
	log := r.log.String()
	for _, secret := range []string{e2eBotToken, e2eAppToken, "secretbottoken", "secretapptoken"} {
		if strings.Contains(log, secret) {
			r.t.Errorf("run's log contains a token (%q)", secret)
		}
	}
}

// waitUntil polls cond until it holds, failing the test after e2eTimeout.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", e2eTimeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

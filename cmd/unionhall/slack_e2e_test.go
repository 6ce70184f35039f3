package main

import (
	"bytes"
	"context"
	"encoding/json"
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

// TestRunWithSlack runs "unionhall run" against a minimal local Slack:
// the bot connects over Socket Mode, and a member's @mention of /help is
// answered privately in the channel.
func TestRunWithSlack(t *testing.T) {
	var (
		mu        sync.Mutex
		ephemeral []url.Values
		conns     = make(chan *websocket.Conn, 4)
	)
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ws" {
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			c.WriteJSON(map[string]any{"type": "hello"})
			conns <- c
			return
		}
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		w.Header().Set("Content-Type", "application/json")
		switch strings.TrimPrefix(r.URL.Path, "/api/") {
		case "auth.test":
			io.WriteString(w, `{"ok":true,"user_id":"UBOT","bot_id":"B1","team":"Local 1"}`)
		case "apps.connections.open":
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"})
		case "chat.postEphemeral":
			mu.Lock()
			ephemeral = append(ephemeral, form)
			mu.Unlock()
			io.WriteString(w, `{"ok":true,"message_ts":"1.2"}`)
		default:
			io.WriteString(w, `{"ok":true,"ts":"1.1"}`)
		}
	}))
	defer srv.Close()

	vars := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test-e2e",
		"SLACK_APP_TOKEN": "xapp-test-e2e",
		"SLACK_API_URL":   srv.URL + "/api/",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"run"}, strings.NewReader(""), &out, &errOut, testEnv(t.TempDir(), vars))
	}()

	var conn *websocket.Conn
	select {
	case conn = <-conns:
	case c := <-code:
		t.Fatalf("run exited with %d before connecting: %s", c, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("no Socket Mode connection")
	}
	defer conn.Close()
	env := map[string]any{
		"type": "events_api", "envelope_id": "env-1",
		"payload": map[string]any{"type": "event_callback", "event_id": "Ev1", "event": map[string]any{
			"type": "app_mention", "user": "U1", "channel": "C1", "text": "<@UBOT> /help", "ts": "1700000000.000100",
		}},
	}
	if err := conn.WriteJSON(env); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(ephemeral)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer to /help; log:\n%s", errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	got := ephemeral[0]
	mu.Unlock()
	if got.Get("channel") != "C1" || got.Get("user") != "U1" || !strings.Contains(got.Get("blocks"), "/help") {
		t.Errorf("answer = %v", got)
	}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit %d: %s", c, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop")
	}
	if strings.Contains(errOut.String(), "xoxb-test-e2e") || strings.Contains(errOut.String(), "xapp-test-e2e") {
		t.Errorf("a token was logged:\n%s", errOut.String())
	}
}

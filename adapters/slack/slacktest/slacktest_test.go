package slacktest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot/bottest"
)

func TestTextFollowsTheMessage(t *testing.T) {
	plain := func(s string) map[string]any { return map[string]any{"type": "plain_text", "text": s} }
	blocks := []map[string]any{
		{"type": "header", "text": plain("Ratify?")},
		{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "Yes: 2"},
			"fields":    []any{plain("f1"), plain("f2")},
			"accessory": map[string]any{"type": "button", "text": plain("More"), "value": "/more", "confirm": map[string]any{"text": plain("Sure?")}}},
		{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn", "text": "2 votes"}}},
		{"type": "actions", "block_id": "b1", "elements": []any{
			map[string]any{"type": "button", "action_id": "a1", "value": "/vote 1 1", "text": plain("Yes")},
			map[string]any{"type": "button", "action_id": "a2", "value": "/vote 1 2", "text": plain("No")},
		}},
	}
	// Decoded JSON has []any where the literal above has typed slices.
	var decoded []map[string]any
	for _, b := range blocks {
		decoded = append(decoded, roundTrip(t, b))
	}
	want := "fallback\nRatify?\nYes: 2\nf1\nf2\nMore\n2 votes\nYes\nNo"
	for range 20 { // map order would show within a few runs
		if got := Text("fallback", decoded); got != want {
			t.Fatalf("Text = %q, want %q", got, want)
		}
	}
	btns := Buttons(decoded)
	wantBtns := []Button{{BlockID: "b1", ActionID: "a1", Label: "Yes", Value: "/vote 1 1"}, {BlockID: "b1", ActionID: "a2", Label: "No", Value: "/vote 1 2"}}
	if !slices.Equal(btns, wantBtns) {
		t.Errorf("Buttons = %+v, want %+v", btns, wantBtns)
	}
	if h := BlocksOfType(decoded, "header"); len(h) != 1 || Text("", h) != "\nRatify?" {
		t.Errorf("header blocks = %v", h)
	}
}

func roundTrip(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	b, _ := json.Marshal(v)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWebAPI(t *testing.T) {
	s := NewServer(t)
	api := slack.New(BotToken, slack.OptionAPIURL(s.APIURL()))
	ctx := context.Background()

	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hello", false))
	if err != nil || ts != "1700000000.000001" {
		t.Fatalf("chat.postMessage: ts %q, %v", ts, err)
	}
	s.FailNext("chat.postMessage", 1, Failure{Status: http.StatusTooManyRequests, RetryAfter: "2"})
	s.FailNext("chat.postMessage", 1, Failure{Status: http.StatusServiceUnavailable})
	s.FailNext("chat.postMessage", 1, Failure{Error: "channel_not_found"})
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("a", false))
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); !ok || rl.RetryAfter != 2*time.Second {
		t.Errorf("429: %v, want a rate limit of 2s", err)
	}
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("b", false))
	if sc, ok := errors.AsType[slack.StatusCodeError](err); !ok || sc.Code != http.StatusServiceUnavailable {
		t.Errorf("503: %v", err)
	}
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("c", false))
	if err == nil || err.Error() != "channel_not_found" {
		t.Errorf("Slack error: %v", err)
	}
	_, ts, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("d", false))
	if err != nil || ts != "1700000000.000002" {
		t.Errorf("after the failures: ts %q, %v", ts, err)
	}
	if _, err := slack.New("xoxb-wrong", slack.OptionAPIURL(s.APIURL())).AuthTestContext(ctx); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("wrong token: %v", err)
	}

	var errs []string
	for _, c := range s.Calls() {
		errs = append(errs, c.Method+" "+c.Err)
	}
	want := []string{"chat.postMessage ", "chat.postMessage 429", "chat.postMessage 503", "chat.postMessage channel_not_found", "chat.postMessage ", "auth.test invalid_auth"}
	if !slices.Equal(errs, want) {
		t.Errorf("calls = %q, want %q", errs, want)
	}
	if p := s.Posts(); len(p) != 5 || p[4].Text() != "d" || p[4].Token != BotToken {
		t.Errorf("posts = %+v", p)
	}
}

func TestSocketMode(t *testing.T) {
	s := NewServer(t)
	conn := connectSocket(t, s)
	defer conn.Close()
	var hello map[string]any
	if err := conn.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
		t.Fatalf("first message %v, %v; want hello", hello, err)
	}
	bottest.WaitFor(t, "the connection", s.Connected)

	s.Send(SlashCommandEnvelope("e1", SlashCommand("/poll", "list", "U1", "C1", s.ResponseURL("e1"), "T1")))
	var env map[string]any
	if err := conn.ReadJSON(&env); err != nil || env["envelope_id"] != "e1" || env["type"] != "slash_commands" {
		t.Fatalf("envelope %v, %v", env, err)
	}
	if s.Acked("e1") {
		t.Fatal("acknowledged before the client answered")
	}
	conn.WriteJSON(map[string]any{"envelope_id": "e1"})
	s.WaitAcked("e1")
	if d, ok := s.AckLatency("e1"); !ok || d < 0 {
		t.Errorf("ack latency %v, %v", d, ok)
	}

	s.Disconnect("too_many_websockets")
	var bye map[string]any
	if err := conn.ReadJSON(&bye); err != nil || bye["type"] != "disconnect" || bye["reason"] != "too_many_websockets" {
		t.Fatalf("disconnect message %v, %v", bye, err)
	}
	s.DropConnections()
	bottest.WaitFor(t, "the dropped connection", func() bool { return !s.Connected() })
	if n := s.Sockets(); n != 1 {
		t.Errorf("%d sockets, want 1", n)
	}
}

func TestResponseURLsAndUploads(t *testing.T) {
	s := NewServer(t)
	resp, err := http.Post(s.ResponseURL("r1"), "application/json", strings.NewReader(`{"response_type":"ephemeral","text":"only you","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"body"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p := s.ResponsePosts("r1"); len(p) != 1 || p[0].ResponseType() != "ephemeral" || p[0].Text() != "only you\nbody" {
		t.Errorf("response posts = %+v", p)
	}
	if p := s.ResponsePosts("other"); len(p) != 0 {
		t.Errorf("posts to another URL: %+v", p)
	}

	api := slack.New(BotToken, slack.OptionAPIURL(s.APIURL()))
	f, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{Filename: "a.csv", Content: "x,y\n", FileSize: 4, Channel: "D1"})
	if err != nil {
		t.Fatal(err)
	}
	if up := s.Uploads(); len(up) != 1 || up[0].FileID != f.ID || string(up[0].Data) != "x,y\n" {
		t.Errorf("uploads = %+v (file %s)", up, f.ID)
	}
}

func TestSignMatchesSlacksVerification(t *testing.T) {
	h := http.Header{}
	body := `{"type":"event_callback"}`
	Sign(h, body, SigningSecret, time.Now())
	v, err := slack.NewSecretsVerifier(h, SigningSecret)
	if err != nil {
		t.Fatal(err)
	}
	v.Write([]byte(body))
	if err := v.Ensure(); err != nil {
		t.Errorf("signature refused: %v", err)
	}
}

func TestLeakedSecrets(t *testing.T) {
	if got := LeakedSecrets("msg=hello user=U1"); len(got) != 0 {
		t.Errorf("clean log: %q", got)
	}
	for _, leak := range []string{BotToken, AppToken, SigningSecret, "http://127.0.0.1:1/hooks/x"} {
		if got := LeakedSecrets("err=" + leak); len(got) == 0 {
			t.Errorf("%q not found", leak)
		}
	}
}

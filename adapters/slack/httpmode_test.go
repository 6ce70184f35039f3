package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startHTTP runs an adapter in HTTP mode on a local port and returns its
// base URL.
func startHTTP(t *testing.T, f *fakeSlack, tb *testBot) (*Adapter, string) {
	t.Helper()
	a := startAdapter(t, f, tb, func(o *Options) {
		o.AppToken = ""
		o.SigningSecret = testSecret
		o.ListenAddr = "127.0.0.1:0"
	}, nil)
	if a.mode != ModeHTTP {
		t.Fatalf("mode = %s, want http", a.mode)
	}
	a.mu.Lock()
	addr := a.listener.String()
	a.mu.Unlock()
	return a, "http://" + addr
}

// signedRequest posts body to url signed with secret at time ts, as Slack
// does.
func signedRequest(t *testing.T, target, contentType, body, secret string, ts time.Time, header http.Header) *http.Response {
	t.Helper()
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Slack would have given up: the response took %s", d)
	}
	return resp
}

func eventBody(eventID string, inner map[string]any) string {
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": eventID, "event_time": 1700000000, "event": inner})
	return string(b)
}

func body(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestHTTPModeURLVerificationAndEvents(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	_, base := startHTTP(t, f, tb)
	now := time.Now()

	resp := signedRequest(t, base+PathEvents, "application/json", `{"type":"url_verification","token":"x","challenge":"c-123"}`, testSecret, now, nil)
	if got := body(resp); resp.StatusCode != 200 || got != "c-123" {
		t.Fatalf("url_verification: %d %q", resp.StatusCode, got)
	}

	ev := eventBody("EvH1", mentionEvent("U1", "C1", "<@UBOT> what is the ratification rule?", "1700002000.000000", ""))
	if resp := signedRequest(t, base+PathEvents, "application/json", ev, testSecret, now, nil); resp.StatusCode != 200 {
		t.Fatalf("event: status %d", resp.StatusCode)
	}
	// Slack's retry of the same event, flagged with X-Slack-Retry-Num.
	retry := http.Header{"X-Slack-Retry-Num": {"1"}, "X-Slack-Retry-Reason": {"http_timeout"}}
	if resp := signedRequest(t, base+PathEvents, "application/json", ev, testSecret, now, retry); resp.StatusCode != 200 {
		t.Fatalf("retried event: status %d", resp.StatusCode)
	}
	waitFor(t, 5*time.Second, "the answer", func() bool { return len(f.callsTo("chat.postMessage")) == 1 })

	// A slash command and a button click through their endpoints.
	form := url.Values{"command": {"/poll"}, "text": {"list"}, "user_id": {"U1"}, "user_name": {"ann"}, "channel_id": {"C1"}, "channel_name": {"general"}, "response_url": {f.hook("h1")}, "trigger_id": {"T-h1"}}
	if resp := signedRequest(t, base+PathCommands, "application/x-www-form-urlencoded", form.Encode(), testSecret, now, nil); resp.StatusCode != 200 || body(resp) != "" {
		t.Fatalf("slash command: status %d", resp.StatusCode)
	}
	c := tb.cardLocked()
	blocks := renderReply(botReplyWithCard(c))[0].blocks
	posted := apiCall{Form: url.Values{"blocks": {mustJSON(t, blocks)}}}
	blockID, actionID, value := voteButton(t, posted, 3)
	payload, _ := json.Marshal(clickPayload("U2", "C1", "1700000000.000777", blockID, actionID, value, "T-h2", f.hook("h2"), posted.blocks()))
	if resp := signedRequest(t, base+PathInteractive, "application/x-www-form-urlencoded", url.Values{"payload": {string(payload)}}.Encode(), testSecret, now, nil); resp.StatusCode != 200 {
		t.Fatalf("interaction: status %d", resp.StatusCode)
	}
	waitFor(t, 5*time.Second, "the replies and the card update", func() bool {
		return len(f.responsePosts()) == 2 && len(f.callsTo("chat.update")) == 1
	})
	if got := f.callsTo("chat.update")[0].text(); !strings.Contains(got, "Abstain: 1") {
		t.Errorf("card after the click = %q", got)
	}

	reqs := tb.requests()
	if len(reqs) != 3 || reqs[0].Raw != "what is the ratification rule?" || reqs[1].Text != "/poll list" || reqs[2].Text != "/vote 1 3" || !reqs[2].Button {
		t.Fatalf("requests = %+v (the retried event must be processed once)", reqs)
	}
}

func TestHTTPModeRejectsBadSignaturesAndStaleTimestamps(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	_, base := startHTTP(t, f, tb)
	ev := eventBody("EvBad", mentionEvent("U1", "C1", "<@UBOT> hello", "1700003000.000000", ""))

	cases := []struct {
		name   string
		secret string
		at     time.Time
	}{
		{"wrong secret", "not-the-secret", time.Now()},
		{"stale timestamp", testSecret, time.Now().Add(-6 * time.Minute)},
		{"future timestamp", testSecret, time.Now().Add(6 * time.Minute)},
	}
	for _, c := range cases {
		resp := signedRequest(t, base+PathEvents, "application/json", ev, c.secret, c.at, nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, resp.StatusCode)
		}
		body(resp)
	}
	// No signature at all, and a tampered body.
	req, _ := http.NewRequest(http.MethodPost, base+PathCommands, strings.NewReader("command=%2Fpoll&text=list"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: status %d, want 401", resp.StatusCode)
	}
	body(resp)
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(testSecret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, ev)
	req, _ = http.NewRequest(http.MethodPost, base+PathEvents, strings.NewReader(strings.Replace(ev, "hello", "hellO", 1)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("tampered body: %v %v, want 401", resp.StatusCode, err)
	}
	body(resp)

	// Nothing was processed; then a good request goes through.
	if n := len(tb.requests()); n != 0 {
		t.Fatalf("%d requests processed from rejected deliveries", n)
	}
	if resp := signedRequest(t, base+PathEvents, "application/json", ev, testSecret, time.Now(), nil); resp.StatusCode != 200 {
		t.Fatalf("good request: status %d", resp.StatusCode)
	}
	waitFor(t, 5*time.Second, "the good request", func() bool { return len(tb.requests()) == 1 })
}

func TestHTTPModeAcknowledgesBeforeTheHandlerFinishes(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	release := make(chan struct{})
	tb.release = release
	_, base := startHTTP(t, f, tb)

	form := url.Values{"command": {"/poll"}, "text": {"list"}, "user_id": {"U1"}, "channel_id": {"C1"}, "response_url": {f.hook("slow")}, "trigger_id": {"T-slow"}}
	start := time.Now()
	resp := signedRequest(t, base+PathCommands, "application/x-www-form-urlencoded", form.Encode(), testSecret, time.Now(), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	body(resp)
	if d := time.Since(start); d > time.Second {
		t.Errorf("acknowledged after %s", d)
	}
	if len(f.responsePosts()) != 0 {
		t.Fatal("replied before the handler finished")
	}
	close(release)
	waitFor(t, 5*time.Second, "the reply", func() bool { return len(f.responsePosts()) == 1 })
}

package slack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// startHTTP runs an adapter in HTTP mode on a local port and returns its
// base URL.
func startHTTP(t testing.TB, srv *slacktest.Server, tb *testBot) (*Adapter, string) {
	t.Helper()
	a := startAdapter(t, srv, tb, func(o *Options) {
		o.AppToken = ""
		o.SigningSecret = slacktest.SigningSecret
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

// post sends body to target with the given headers and returns the
// response.
func post(t testing.TB, target, contentType, body string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// signedRequest posts body to target signed with secret at time ts, as
// Slack does, with any extra headers.
func signedRequest(t testing.TB, target, contentType, body, secret string, ts time.Time, extra http.Header) *http.Response {
	t.Helper()
	h := http.Header{}
	for k, v := range extra {
		h[k] = v
	}
	slacktest.Sign(h, body, secret, ts)
	return post(t, target, contentType, body, h)
}

// eventBody is the HTTP-mode request body that carries event.
func eventBody(eventID string, event map[string]any) string {
	b, _ := json.Marshal(slacktest.EventCallback(eventID, event))
	return string(b)
}

func body(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestHTTPModeURLVerificationAndEvents(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	_, base := startHTTP(t, srv, tb)
	now := time.Now()
	secret := slacktest.SigningSecret

	resp := signedRequest(t, base+PathEvents, "application/json", `{"type":"url_verification","token":"x","challenge":"c-123"}`, secret, now, nil)
	if got := body(resp); resp.StatusCode != 200 || got != "c-123" {
		t.Fatalf("url_verification: %d %q", resp.StatusCode, got)
	}

	ev := eventBody("EvH1", slacktest.Mention("U1", "C1", "<@UBOT> what is the ratification rule?", "1700002000.000000", ""))
	if resp := signedRequest(t, base+PathEvents, "application/json", ev, secret, now, nil); resp.StatusCode != 200 {
		t.Fatalf("event: status %d", resp.StatusCode)
	}
	// Slack's retry of the same event, flagged with X-Slack-Retry-Num.
	retry := http.Header{"X-Slack-Retry-Num": {"1"}, "X-Slack-Retry-Reason": {"http_timeout"}}
	if resp := signedRequest(t, base+PathEvents, "application/json", ev, secret, now, retry); resp.StatusCode != 200 {
		t.Fatalf("retried event: status %d", resp.StatusCode)
	}
	bottest.WaitFor(t, "the answer", func() bool { return len(srv.Posts()) == 1 })

	// A slash command and a button click through their endpoints.
	form := url.Values{"command": {"/poll"}, "text": {"list"}, "user_id": {"U1"}, "user_name": {"ann"}, "channel_id": {"C1"}, "channel_name": {"general"}, "response_url": {srv.ResponseURL("h1")}, "trigger_id": {"T-h1"}}
	if resp := signedRequest(t, base+PathCommands, "application/x-www-form-urlencoded", form.Encode(), secret, now, nil); resp.StatusCode != 200 || body(resp) != "" {
		t.Fatalf("slash command: status %d", resp.StatusCode)
	}
	blocks := blocksJSON(t, renderReply(botReplyWithCard(tb.cardLocked()))[0].blocks)
	payload, _ := json.Marshal(slacktest.BlockActions("U2", "C1", "1700000000.000777", blocks, voteButton(t, blocks, 3), "T-h2", srv.ResponseURL("h2")))
	if resp := signedRequest(t, base+PathInteractive, "application/x-www-form-urlencoded", url.Values{"payload": {string(payload)}}.Encode(), secret, now, nil); resp.StatusCode != 200 {
		t.Fatalf("interaction: status %d", resp.StatusCode)
	}
	bottest.WaitFor(t, "the replies and the card update", func() bool {
		return len(srv.ResponsePosts()) == 2 && len(srv.Updates()) == 1
	})
	if got := srv.Updates()[0].Text(); !strings.Contains(got, "Abstain: 1") {
		t.Errorf("card after the click = %q", got)
	}

	reqs := tb.requests()
	if len(reqs) != 3 || reqs[0].Raw != "what is the ratification rule?" || reqs[1].Text != "/poll list" || reqs[2].Text != "/vote 1 3" || !reqs[2].Button {
		t.Fatalf("requests = %+v (the retried event must be processed once)", reqs)
	}
}

func TestHTTPModeRejectsBadSignaturesAndStaleTimestamps(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	_, base := startHTTP(t, srv, tb)
	ev := eventBody("EvBad", slacktest.Mention("U1", "C1", "<@UBOT> hello", "1700003000.000000", ""))

	cases := []struct {
		name   string
		secret string
		at     time.Time
	}{
		{"wrong secret", "not-the-secret", time.Now()},
		{"stale timestamp", slacktest.SigningSecret, time.Now().Add(-6 * time.Minute)},
		{"future timestamp", slacktest.SigningSecret, time.Now().Add(6 * time.Minute)},
	}
	for _, c := range cases {
		resp := signedRequest(t, base+PathEvents, "application/json", ev, c.secret, c.at, nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, resp.StatusCode)
		}
		body(resp)
	}
	// No signature at all, and a tampered body.
	resp := post(t, base+PathCommands, "application/x-www-form-urlencoded", "command=%2Fpoll&text=list", nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: status %d, want 401", resp.StatusCode)
	}
	body(resp)
	signed := http.Header{}
	slacktest.Sign(signed, ev, slacktest.SigningSecret, time.Now())
	resp = post(t, base+PathEvents, "application/json", strings.Replace(ev, "hello", "hellO", 1), signed)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("tampered body: status %d, want 401", resp.StatusCode)
	}
	body(resp)

	// Nothing was processed; then a good request goes through.
	if n := len(tb.requests()); n != 0 {
		t.Fatalf("%d requests processed from rejected deliveries", n)
	}
	if resp := signedRequest(t, base+PathEvents, "application/json", ev, slacktest.SigningSecret, time.Now(), nil); resp.StatusCode != 200 {
		t.Fatalf("good request: status %d", resp.StatusCode)
	}
	bottest.WaitFor(t, "the good request", func() bool { return len(tb.requests()) == 1 })
}

func TestHTTPModeAcknowledgesBeforeTheHandlerFinishes(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	release := tb.holdHandlers()
	_, base := startHTTP(t, srv, tb)

	// The handler is held until the response has arrived: the response
	// cannot have waited for it.
	form := url.Values{"command": {"/poll"}, "text": {"list"}, "user_id": {"U1"}, "channel_id": {"C1"}, "response_url": {srv.ResponseURL("slow")}, "trigger_id": {"T-slow"}}
	resp := signedRequest(t, base+PathCommands, "application/x-www-form-urlencoded", form.Encode(), slacktest.SigningSecret, time.Now(), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	body(resp)
	checkReplyAfterHandler(t, srv, release)
}

// TestHTTPModeAnswersRankingSubmissions checks that in HTTP mode a
// ranking modal's submission is answered in the response: refused picks
// as the field error of the rank at fault, with nothing sent, and good
// picks by closing the modal and sending the whole order as one command.
func TestHTTPModeAnswersRankingSubmissions(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	_, base := startHTTP(t, srv, tb)
	modal, err := rankModal(rankForm{Ranking: bot.Ranking{Title: "Ratify?", Action: "vote", Value: "1", Options: []string{"Yes", "No"}}, Channel: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	var v slacktest.View
	if err := json.Unmarshal([]byte(mustJSON(t, modal)), &v.Body); err != nil {
		t.Fatal(err)
	}
	submit := func(picks ...string) string {
		t.Helper()
		values := map[string]map[string]string{}
		for i, p := range picks {
			values[rankBlockPrefix+strconv.Itoa(i+1)] = map[string]string{rankPickID: p}
		}
		form := url.Values{"payload": {mustJSON(t, slacktest.ViewSubmission("U7", v, values))}}
		resp := signedRequest(t, base+PathInteractive, "application/x-www-form-urlencoded", form.Encode(), slacktest.SigningSecret, time.Now(), nil)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		return body(resp)
	}
	var answer struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(submit("2", "2")), &answer); err != nil {
		t.Fatal(err)
	}
	if answer.ResponseAction != "errors" || !strings.Contains(answer.Errors[rankBlockPrefix+"2"], `You picked "No" for both your 1st choice and your 2nd choice.`) {
		t.Fatalf("answer to an option picked twice = %+v", answer)
	}
	if got := submit("2", "1"); got != "" {
		t.Fatalf("answer to good picks = %q, want none (the modal closes)", got)
	}
	bottest.WaitFor(t, "the ranking's command", func() bool { return len(tb.requests()) > 0 })
	reqs := tb.requests()
	if len(reqs) != 1 || reqs[0].Text != "/vote 1 2 1" || !reqs[0].Button || reqs[0].User.ID != "slack:U7" || reqs[0].Channel.ID != "C1" {
		t.Errorf("requests = %+v, want one /vote 1 2 1 from U7 in C1", reqs)
	}
}

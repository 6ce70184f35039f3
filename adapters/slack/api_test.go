package slack

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		kind retryKind
		wait time.Duration
	}{
		{&slack.RateLimitedError{RetryAfter: 7 * time.Second}, rateLimited, 7 * time.Second},
		{slack.StatusCodeError{Code: 429, Status: "429"}, rateLimited, 0},
		{slack.StatusCodeError{Code: 503, Status: "503"}, transient, 0},
		{slack.StatusCodeError{Code: 404, Status: "404"}, permanent, 0},
		{slack.SlackErrorResponse{Err: "ratelimited"}, rateLimited, 0},
		{slack.SlackErrorResponse{Err: "internal_error"}, transient, 0},
		{slack.SlackErrorResponse{Err: "channel_not_found"}, permanent, 0},
		{&url.Error{Op: "Post", URL: "https://hooks.slack.com/x", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}, transient, 0},
		{context.Canceled, permanent, 0},
		{errors.New("something else"), permanent, 0},
	}
	for _, c := range cases {
		kind, wait := classify(c.err)
		if kind != c.kind || wait != c.wait {
			t.Errorf("classify(%v) = %v %v, want %v %v", c.err, kind, wait, c.kind, c.wait)
		}
	}
}

func TestCallRetriesAsSlackAsks(t *testing.T) {
	a := idleAdapter(t, slacktest.NewServer(t), nil)
	var waits []time.Duration
	a.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	ctx := context.Background()

	errs := []error{
		&slack.RateLimitedError{RetryAfter: 7 * time.Second},
		slack.StatusCodeError{Code: 429},
		slack.StatusCodeError{Code: 502},
		slack.StatusCodeError{Code: 503},
		nil,
	}
	attempts := 0
	err := a.call(ctx, "chat.postMessage", func(context.Context) error { attempts++; return errs[attempts-1] })
	if err != nil || attempts != 5 {
		t.Fatalf("call: %v after %d attempts", err, attempts)
	}
	want := []time.Duration{7 * time.Second, defaultRateLimitWait, firstBackoff, 2 * firstBackoff}
	if len(waits) != len(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("wait %d = %s, want %s", i, waits[i], want[i])
		}
	}

	// Server errors are retried a bounded number of times.
	attempts, waits = 0, nil
	err = a.call(ctx, "chat.update", func(context.Context) error { attempts++; return slack.StatusCodeError{Code: 500} })
	if err == nil || attempts != maxServerErrorAttempts {
		t.Errorf("persistent 500: %v after %d attempts", err, attempts)
	}
	// A permanent error is not retried.
	attempts = 0
	err = a.call(ctx, "chat.update", func(context.Context) error { attempts++; return slack.SlackErrorResponse{Err: "invalid_blocks"} })
	if err == nil || attempts != 1 || slackError(err) != "invalid_blocks" {
		t.Errorf("permanent error: %v after %d attempts", err, attempts)
	}
	// The context bounds the waiting.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	a.sleep = a.wait
	err = a.call(cctx, "chat.postMessage", func(context.Context) error { return &slack.RateLimitedError{RetryAfter: time.Hour} })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
}

func TestResponseURLsAndLoggedErrors(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://hooks.slack.com/commands/T1/2/abc":    true,
		"https://hooks.slack-gov.com/actions/T1/2/abc": true,
		"http://hooks.slack.com/commands/T1/2/abc":     false,
		"https://hooks.slack.com.evil.example/x":       false,
		"https://evil.example/hooks":                   false,
		"http://127.0.0.1:8080/hooks/x":                true, // the configured API host
		"http://127.0.0.2:8080/hooks/x":                false,
		"::not a url":                                  false,
	} {
		if got := allowedResponseURL(u, "http://127.0.0.1:8080/api/"); got != ok {
			t.Errorf("allowedResponseURL(%q) = %v, want %v", u, got, ok)
		}
	}
	err := &url.Error{Op: "Post", URL: "https://hooks.slack.com/commands/T1/2/secret", Err: errors.New("timeout")}
	if s := safeErr(err).Error(); strings.Contains(s, "secret") || !strings.Contains(s, "timeout") {
		t.Errorf("safeErr = %q", s)
	}
}

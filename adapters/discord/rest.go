package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot/backoff"
)

// maxRateLimitRetries is how many times one request is retried after a
// 429 before the adapter gives up on it.
const maxRateLimitRetries = 5

// httpClient returns the client for REST requests: base (or a client of our
// own), with requests for https://discord.com sent to apiURL instead when
// it is set.
func httpClient(base *http.Client, apiURL string) (*http.Client, error) {
	if base == nil {
		base = &http.Client{Timeout: 30 * time.Second}
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			base.Transport = t.Clone()
		}
	}
	if apiURL == "" {
		return base, nil
	}
	target, err := url.Parse(strings.TrimSpace(apiURL))
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, fmt.Errorf("discord: API URL %q: want an absolute http(s) URL such as http://127.0.0.1:8080", apiURL)
	}
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := *base
	c.Transport = &rewriteTransport{next: next, target: target}
	return &c, nil
}

// rewriteTransport sends requests for https://discord.com to another base
// URL, keeping the path (after the base URL's own path) and query.
type rewriteTransport struct {
	next   http.RoundTripper
	target *url.URL
}

// RoundTrip rewrites the request's scheme and host, then sends it.
func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = t.target.Scheme
	r.URL.Host = t.target.Host
	r.URL.Path = strings.TrimSuffix(t.target.Path, "/") + req.URL.Path
	if req.URL.RawPath != "" {
		r.URL.RawPath = strings.TrimSuffix(t.target.EscapedPath(), "/") + req.URL.RawPath
	}
	r.Host = ""
	return t.next.RoundTrip(r)
}

// rest runs one REST call through discordgo, bounded by ctx, and retries it
// after a 429 once Discord's retry_after has passed (100 ms when it gives
// none), at most maxRateLimitRetries times. The wait is cancelled with
// ctx, unlike discordgo's own sleep.
func (a *Adapter) rest(ctx context.Context, call func(opts ...discordgo.RequestOption) error) error {
	retry := backoff.Policy{Initial: 100 * time.Millisecond, Factor: 1, Attempts: maxRateLimitRetries + 1}
	err := retry.Retry(ctx, a.clock, func(ctx context.Context) error {
		return restError(call(discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)))
	}, func(err error, wait time.Duration) {
		a.pacer.storm.Refused(rateLimitBucket(err), wait)
	})
	if _, limited := backoff.Asked(err); limited {
		if ctx.Err() != nil {
			return fmt.Errorf("rate limited (bucket %q) and gave up waiting: %w", rateLimitBucket(err), err)
		}
		return fmt.Errorf("rate limited %d times in a row (bucket %q)", maxRateLimitRetries+1, rateLimitBucket(err))
	}
	return err
}

// restError sorts the outcome of one REST call for backoff.Retry: a 429
// asks for Discord's retry_after, anything else is final (and redacted).
func restError(err error) error {
	if err == nil {
		return nil
	}
	if limited := rateLimited(err); limited != nil {
		return limited
	}
	return backoff.Stop(redact(err))
}

// rateLimited returns err marked with Discord's retry_after when it is a
// 429, and nil otherwise.
func rateLimited(err error) error {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return backoff.RetryAfter(err, rl.RetryAfter)
	}
	return nil
}

// rateLimitBucket names the rate-limit bucket err reports, if any.
func rateLimitBucket(err error) string {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil {
		return rl.Bucket
	}
	return ""
}

// redact removes the request URL from a transport error: an interaction's
// URL carries its token, which must never reach a log.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redactURL(ue.URL), ue.Err)
	}
	return err
}

// redactURL keeps a request URL's path up to any token.
func redactURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "(url)"
	}
	parts := strings.Split(parsed.Path, "/")
	for i := range parts {
		if i > 0 && (parts[i-1] == "webhooks" || parts[i-1] == "interactions") && i+1 < len(parts) {
			parts[i+1] = "<token>"
		}
	}
	return strings.Join(parts, "/")
}

// interactionRequest sends one request on an interaction's own endpoints
// (callback, original response, follow-ups). Those endpoints are not bound
// by the bot's global rate limit, so each interaction has a rate limiter
// of its own: nothing else the bot does can delay an acknowledgement, and
// the limiter is dropped with the interaction. It returns the response
// body.
func (a *Adapter) interactionRequest(ctx context.Context, lim *discordgo.RateLimiter, method, endpoint string, payload any, files []*discordgo.File) ([]byte, error) {
	var (
		body        []byte
		contentType = "application/json"
		err         error
	)
	if len(files) > 0 {
		contentType, body, err = discordgo.MultipartBodyWithJSON(payload, files)
	} else if payload != nil {
		body, err = json.Marshal(payload)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s request: %w", method, err)
	}
	bucket := strings.SplitN(endpoint, "?", 2)[0]
	var resp []byte
	err = a.rest(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		resp, err = a.session.RequestWithLockedBucket(method, endpoint, contentType, body, lim.LockBucket(bucket), 0, opts...)
		return err
	})
	return resp, err
}

package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/pace"
)

// webAPI is the part of the Slack Web API the adapter uses. *sdkClient
// implements it over slack-go; tests may substitute a fake where a fake
// server is impractical.
type webAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	GetUserGroupMembersContext(ctx context.Context, userGroup string, options ...slack.GetUserGroupMembersOption) ([]string, error)
	GetUserGroupsContext(ctx context.Context, options ...slack.GetUserGroupsOption) ([]slack.UserGroup, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	// PostResponse posts msg to an interaction's response_url.
	PostResponse(ctx context.Context, responseURL string, msg *slack.WebhookMessage) error
}

// sdkClient is webAPI over a slack-go client.
type sdkClient struct {
	*slack.Client
	http *http.Client
}

// PostResponse posts msg to responseURL with the client's HTTP client.
func (c sdkClient) PostResponse(ctx context.Context, responseURL string, msg *slack.WebhookMessage) error {
	return slack.PostWebhookCustomHTTPContext(ctx, responseURL, c.http, msg)
}

// Defaults for retrying Web API calls.
const (
	// defaultRateLimitWait is how long to wait after a 429 that carries no
	// Retry-After header (or a "ratelimited" error in a 200 response).
	defaultRateLimitWait = 2 * time.Second
	// firstBackoff is the first wait after a server error; it doubles on
	// every attempt up to maxBackoff.
	firstBackoff = 250 * time.Millisecond
	maxBackoff   = 30 * time.Second
	// maxServerErrorAttempts bounds retries of 5xx and network errors
	// (about 90 s of backoff in all, inside sendTimeout): long enough to
	// ride out a short outage, not so long that a reply comes hours late.
	maxServerErrorAttempts = 10
	// maxRateLimitAttempts bounds retries of 429s; each waits as long as
	// Slack asks.
	maxRateLimitAttempts = 20
)

// retryKind says whether and how a failed call may be retried.
type retryKind int

const (
	permanent retryKind = iota
	rateLimited
	transient
)

// classify sorts an API error into permanent, rate-limited (with the wait
// Slack asked for, zero when it did not say) and transient failures.
func classify(err error) (retryKind, time.Duration) {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return permanent, 0
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return rateLimited, rl.RetryAfter
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		switch {
		case sc.Code == http.StatusTooManyRequests:
			return rateLimited, 0
		case sc.Code >= 500:
			return transient, 0
		}
		return permanent, 0
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		switch se.Err {
		case "ratelimited", "rate_limited":
			return rateLimited, 0
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return transient, 0
		}
		return permanent, 0
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return transient, 0
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return transient, 0
	}
	return permanent, 0
}

// slackError returns the Slack error code of err ("channel_not_found"), or
// "" when err is not an error response from Slack.
func slackError(err error) string {
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return se.Err
	}
	return ""
}

// safeErr strips request URLs from err before it is logged: a
// response_url is a credential for as long as it lives.
func safeErr(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s request: %w", ue.Op, ue.Err)
	}
	return err
}

// call runs fn, a call of method that concerns no one channel (see
// callIn).
func (a *Adapter) call(ctx context.Context, method string, fn func(context.Context) error) error {
	return a.callIn(ctx, method, "", fn)
}

// callIn runs fn, a call of method in channel, within Slack's limits
// (the adapter's pacer), retrying rate limits (waiting as long as Slack
// asks, or rateLimitWait when it does not say) and server or network
// errors (with exponential backoff) until it succeeds, fails permanently,
// runs out of attempts or ctx ends.
func (a *Adapter) callIn(ctx context.Context, method, channel string, fn func(context.Context) error) error {
	rateLimits := backoff.Policy{Initial: a.rateLimitWait, Factor: 1}
	serverErrors := backoff.Policy{Initial: firstBackoff, Max: maxBackoff}
	var rateAttempts, errAttempts int
	for {
		if err := a.paceCall(ctx, method, channel); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		err := a.send(ctx, fn)
		if err == nil {
			return nil
		}
		kind, asked := classify(err)
		var wait time.Duration
		switch kind {
		case permanent:
			return fmt.Errorf("%s: %w", method, err)
		case rateLimited:
			rateAttempts++
			if rateAttempts >= maxRateLimitAttempts {
				return fmt.Errorf("%s: still rate limited after %d attempts: %w", method, rateAttempts, err)
			}
			wait = rateLimits.Wait(rateAttempts, asked)
			a.pacer.refused(method, channel, wait)
		case transient:
			errAttempts++
			if errAttempts >= maxServerErrorAttempts {
				return fmt.Errorf("%s: giving up after %d attempts: %w", method, errAttempts, err)
			}
			wait = serverErrors.Delay(errAttempts)
			a.log.Warn("slack call failed; retrying", "method", method, "wait", wait, "err", safeErr(err))
		}
		a.late(channel, wait, false)
		if serr := a.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%s: %w (while waiting to retry after: %v)", method, serr, safeErr(err))
		}
	}
}

// paceCall waits until a call of method (in channel) is within Slack's
// limits (the adapter's pacer), or until ctx ends. The wait holds no
// outbound slot, so a paced wait for a busy channel delays no other
// channel's post.
func (a *Adapter) paceCall(ctx context.Context, method, channel string) error {
	d := a.pacer.reserve(method, channel)
	a.late(channel, d, method == "chat.postMessage")
	if d <= 0 {
		return ctx.Err()
	}
	if err := backoff.Sleep(ctx, a.clock, d); err != nil {
		return fmt.Errorf("waiting %v for the rate limit of %s: %w", d, method, err)
	}
	return nil
}

// late tells the answers held in channel's lane (deliver) that the lane
// cannot go on for wait, so that those it would make late go privately at
// once. With reserved, wait is that of the lane's next post, which has
// taken its turn within the channel's limit already. Nothing is held
// outside a channel's lane.
func (a *Adapter) late(channel string, wait time.Duration, reserved bool) {
	if channel != "" {
		a.held.Late(channel, pace.Behind(a.pacer.posts, channel, wait, reserved))
	}
}

// send runs fn, one Web API request, in one of the adapter's maxSenders
// outbound slots, or returns ctx's error when no slot frees before ctx
// ends.
func (a *Adapter) send(ctx context.Context, fn func(context.Context) error) error {
	select {
	case a.senders <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.senders }()
	return fn(ctx)
}

// wait waits for d on the adapter's clock, or until ctx ends. It is what
// sleep does outside tests.
func (a *Adapter) wait(ctx context.Context, d time.Duration) error {
	return backoff.Sleep(ctx, a.clock, d)
}

// allowedResponseURL reports whether u may receive a response: an https
// URL on a Slack domain, or the configured API host (GovSlack, tests).
func allowedResponseURL(u string, apiURL string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return false
	}
	host := strings.ToLower(p.Hostname())
	if p.Scheme == "https" {
		for _, d := range []string{"slack.com", "slack-gov.com"} {
			if host == d || strings.HasSuffix(host, "."+d) {
				return true
			}
		}
	}
	if api, err := url.Parse(apiURL); err == nil && api.Host != "" {
		return p.Scheme == api.Scheme && strings.EqualFold(p.Host, api.Host)
	}
	return false
}

package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/unionhall/unionhall/bot"
)

// socketRestartWait is the pause before the Socket Mode client is started
// again after it stopped on an error that is not about the token.
const socketRestartWait = 5 * time.Second

// runSocket receives over Socket Mode until ctx ends. slack-go's client
// opens the connection (apps.connections.open, then the WebSocket),
// reconnects when Slack asks or the connection drops, and reports the
// envelopes; this loop acknowledges each at once and hands the work to the
// handler lanes, so it never waits on a handler.
func (a *Adapter) runSocket(ctx context.Context, d bot.Dispatcher) error {
	for {
		err := a.runSocketOnce(ctx, d)
		if ctx.Err() != nil {
			return nil
		}
		if fatalSocketError(err) {
			return fmt.Errorf("slack Socket Mode: %w (check the app-level token)", safeErr(err))
		}
		a.log.Warn("Socket Mode stopped; starting again", "err", safeErr(err), "wait", socketRestartWait)
		if a.sleep(ctx, socketRestartWait) != nil {
			return nil
		}
	}
}

// fatalSocketError reports whether err means the tokens are wrong, so
// retrying cannot help.
func fatalSocketError(err error) bool {
	if err == nil {
		return false
	}
	switch err.Error() {
	case "invalid_auth", "account_inactive", "not_authed", "token_revoked", "not_allowed_token_type":
		return true
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok && (sc.Code == http.StatusNotFound || sc.Code == http.StatusUnauthorized) {
		return true
	}
	return false
}

func (a *Adapter) runSocketOnce(ctx context.Context, d bot.Dispatcher) error {
	sm := socketmode.New(a.sdk, socketmode.OptionPingInterval(a.pingInterval))
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- sm.RunContext(rctx) }()
	for {
		select {
		case <-ctx.Done():
			select {
			case <-runErr:
			case <-time.After(5 * time.Second):
			}
			return nil
		case err := <-runErr:
			if err == nil {
				err = errors.New("Socket Mode client stopped")
			}
			return err
		case evt := <-sm.Events:
			a.onSocketEvent(ctx, sm, d, evt)
		}
	}
}

// onSocketEvent handles one event from the Socket Mode client.
func (a *Adapter) onSocketEvent(ctx context.Context, sm *socketmode.Client, d bot.Dispatcher, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.log.Debug("connecting to Slack (Socket Mode)")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			a.log.Warn("Slack connection failed; retrying", "attempt", e.Attempt, "wait", e.Backoff, "err", safeErr(e.ErrorObj))
		}
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("Slack refused the app-level token")
	case socketmode.EventTypeConnected:
		a.log.Info("connected to Slack (Socket Mode)")
	case socketmode.EventTypeHello:
		a.hellos.Add(1)
		a.markReady()
	case socketmode.EventTypeIncomingError:
		if e, ok := evt.Data.(*slack.IncomingEventError); ok {
			a.log.Warn("Socket Mode read failed; reconnecting", "err", safeErr(e.ErrorObj))
		}
	case socketmode.EventTypeErrorWriteFailed:
		if e, ok := evt.Data.(*socketmode.ErrorWriteFailed); ok {
			a.log.Warn("Socket Mode acknowledgement could not be written", "err", safeErr(e.Cause))
		}
	case socketmode.EventTypeErrorBadMessage:
		// Acknowledge what cannot be parsed (an event type this adapter
		// does not subscribe to, say), or Slack would send it again.
		if e, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
				Type       string `json:"type"`
			}
			if json.Unmarshal(e.Message, &env) == nil && env.EnvelopeID != "" {
				a.ack(ctx, sm, env.EnvelopeID)
			}
			a.log.Warn("unreadable Socket Mode message acknowledged and skipped", "type", env.Type, "err", e.Cause)
		}
	case socketmode.EventTypeEventsAPI:
		if !a.ackRequest(ctx, sm, evt.Request) {
			return
		}
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			a.onEvent(ctx, d, ev, evt.Request.RetryAttempt)
		}
	case socketmode.EventTypeSlashCommand:
		if !a.ackRequest(ctx, sm, evt.Request) {
			return
		}
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			a.onSlashCommand(ctx, d, cmd)
		}
	case socketmode.EventTypeInteractive:
		if !a.ackRequest(ctx, sm, evt.Request) {
			return
		}
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			a.onInteraction(ctx, d, cb)
		}
	}
}

// ackRequest acknowledges an envelope and reports whether it is the first
// delivery of that envelope.
func (a *Adapter) ackRequest(ctx context.Context, sm *socketmode.Client, req *socketmode.Request) bool {
	if req == nil {
		return false
	}
	a.ack(ctx, sm, req.EnvelopeID)
	return req.EnvelopeID == "" || a.seen.first("envelope:"+req.EnvelopeID)
}

// ack hands the acknowledgement of an envelope to the socket writer.
func (a *Adapter) ack(ctx context.Context, sm *socketmode.Client, envelopeID string) {
	actx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := sm.AckCtx(actx, envelopeID, nil); err != nil {
		a.log.Warn("could not acknowledge a Slack envelope", "envelope", envelopeID, "err", err)
	}
}

package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/lanes"
)

// Socket Mode timing.
const (
	// defaultReadTimeout is how long a connection may stay silent (no
	// message, no ping from Slack) before it is taken for dead and
	// replaced.
	defaultReadTimeout = 40 * time.Second
	// socketWriteTimeout bounds writing one acknowledgement.
	socketWriteTimeout = 10 * time.Second
	// maxReconnectWait caps the wait between failed connection attempts.
	maxReconnectWait = time.Minute
	// socketWriteBuffer keeps every acknowledgement in one frame: Slack does
	// not reassemble fragmented messages.
	socketWriteBuffer = 32 * 1024
	// maxSocketMessage bounds one incoming message.
	maxSocketMessage = 4 << 20
)

// envelope is a Socket Mode message from Slack. Only its header is decoded
// on the read loop; the payload is parsed later, after the acknowledgement
// has gone out.
type envelope struct {
	Type         string          `json:"type"`
	EnvelopeID   string          `json:"envelope_id"`
	RetryAttempt int             `json:"retry_attempt"`
	Reason       string          `json:"reason"`
	Payload      json.RawMessage `json:"payload"`
}

// errDisconnectRequested is returned when Slack asks the client to
// reconnect (it does every few hours, and before maintenance).
var errDisconnectRequested = errors.New("Slack asked to reconnect")

// runSocket receives over Socket Mode until ctx ends, over
// Options.SocketConnections connections at once (see keepSocket), so
// that while one reconnects the events flow through another. Slack sends
// each event to one of them; one it sends again on another is handled
// once (by envelope ID). Only a refused token ends it.
//
// The adapter speaks Socket Mode itself, over gorilla/websocket, instead
// of through slack-go's socketmode client (v0.35.0), because that client
// gets two things wrong:
//
//   - Backing off. On any disconnect message slack-go opens a new
//     connection at once, and does not pass the message on, so the
//     application cannot tell why or wait itself. Slack sends
//     too_many_websockets when the app has more connections open than it
//     allows, and link_disabled when Socket Mode is turned off: reconnecting
//     at once only spins. runSocket waits at least backOffWait.
//   - Acknowledging what it cannot parse. slack-go parses each payload
//     before the application sees it; one it cannot parse (an event type
//     it does not know) reaches the application only as an error without
//     its request, outside the path its Ack takes, so Slack delivers it
//     again. serveSocket acknowledges every envelope from its header
//     alone.
//
// Speed is not a reason: slack-go decodes an envelope in well under a
// millisecond of the 3 s Slack allows. Nor is deduplication: slack-go
// passes each redelivery on with its envelope ID, retry number and event
// ID, and an application could drop repeats as this adapter does (by
// envelope ID before parsing, by event ID and trigger ID after). The
// tests in socketmode_test.go run the same scenarios against both clients.
func (a *Adapter) runSocket(ctx context.Context, d bot.Dispatcher) error {
	parse := lanes.New(1)
	parse.OnPanic = a.in.OnPanic
	defer func() {
		// Envelopes already acknowledged are parsed and handed on before
		// Run shuts down.
		wctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		parse.Wait(wctx)
	}()
	// Every connection is kept open by a loop of its own; a refused token
	// ends them all.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := a.opts.SocketConnections
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- a.keepSocket(ctx, d, parse, i == 0) }()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// keepSocket keeps one Socket Mode connection open until ctx ends: it
// opens a connection (apps.connections.open with the app-level token,
// then the WebSocket) when its turn comes (sockets.turn), serves it, and
// opens a new one whenever it drops, Slack asks for a reconnect, or it
// falls silent. Only a refused token ends it with an error.
func (a *Adapter) keepSocket(ctx context.Context, d bot.Dispatcher, parse *lanes.Group, primary bool) error {
	wait := time.Duration(0)
	opened := false
	for {
		if wait > 0 {
			if a.sleep(ctx, wait) != nil {
				return nil
			}
		}
		if a.sockets.turn(ctx, primary) != nil {
			return nil
		}
		url, err := a.openSocket(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if fatalSocketError(err) {
				return fmt.Errorf("slack Socket Mode: %w (check SLACK_APP_TOKEN)", safeErr(err))
			}
			wait = nextReconnectWait(wait)
			a.log.Warn("cannot open a Socket Mode connection; trying again", "err", safeErr(err), "wait", wait)
			continue
		}
		greeted, err := a.serveSocket(ctx, url, d, parse, opened)
		if greeted {
			opened = true
		}
		if ctx.Err() != nil {
			return nil
		}
		wait = reconnectWait(wait, greeted, err)
		a.log.Info("Socket Mode connection closed; reconnecting", "reason", safeErr(err), "wait", wait, "still_connected", a.sockets.Live())
	}
}

// errBackOff marks a disconnect after which Slack wants the app to wait
// before reconnecting: too_many_websockets, or link_disabled (Socket Mode
// turned off in the app's settings).
var errBackOff = errors.New("Slack asked the app to back off")

// backOffWait is the least wait before reconnecting after errBackOff.
const backOffWait = 30 * time.Second

// reconnectWait is the wait before reconnecting after a connection that
// ended with err, given the previous wait and whether Slack had greeted it.
func reconnectWait(prev time.Duration, greeted bool, err error) time.Duration {
	switch {
	case errors.Is(err, errBackOff):
		// Slack said too many connections are open, or Socket Mode was
		// turned off for the app: reconnecting at once would only spin.
		return max(nextReconnectWait(prev), backOffWait)
	case greeted:
		return 0 // the connection worked: reconnect at once
	default:
		return nextReconnectWait(prev)
	}
}

// nextReconnectWait is the wait after a failed connection attempt, given
// the previous wait: 1 s, 2 s, 4 s … at most maxReconnectWait.
func nextReconnectWait(prev time.Duration) time.Duration {
	return backoff.Policy{Initial: time.Second, Max: maxReconnectWait}.After(prev)
}

// openSocket asks Slack for a Socket Mode WebSocket URL.
func (a *Adapter) openSocket(ctx context.Context) (string, error) {
	var url string
	err := a.call(ctx, "apps.connections.open", func(ctx context.Context) error {
		var err error
		_, url, err = a.sdk.StartSocketModeContext(ctx)
		return err
	})
	return url, err
}

// fatalSocketError reports whether err means the app-level token is
// wrong, so retrying cannot help.
func fatalSocketError(err error) bool {
	switch slackError(err) {
	case "invalid_auth", "account_inactive", "not_authed", "token_revoked", "not_allowed_token_type", "missing_scope":
		return true
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok && (sc.Code == http.StatusNotFound || sc.Code == http.StatusUnauthorized) {
		return true
	}
	return false
}

// serveSocket serves one connection until it fails or ctx ends. Each
// envelope is acknowledged as soon as its header is read, before its
// payload is parsed or handled; parsing happens in order on the parse
// lane. It reports whether Slack said hello on this connection; reopened
// says the connection replaces one of the same loop that Slack greeted.
func (a *Adapter) serveSocket(ctx context.Context, url string, d bot.Dispatcher, parse *lanes.Group, reopened bool) (greeted bool, err error) {
	dialer := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 30 * time.Second,
		WriteBufferSize:  socketWriteBuffer,
	}
	conn, resp, err := dialer.DialContext(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return false, fmt.Errorf("connecting the WebSocket: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	conn.SetReadLimit(maxSocketMessage)

	alive := func() { conn.SetReadDeadline(time.Now().Add(a.readTimeout)) }
	alive()
	conn.SetPingHandler(func(data string) error {
		alive()
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(socketWriteTimeout))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})

	// One writer: acknowledgements are queued here and written in order.
	acks := make(chan socketAck, 1024)
	writerDone := make(chan struct{})
	defer func() { close(acks); <-writerDone }()
	go func() {
		defer close(writerDone)
		for ack := range acks {
			b, _ := json.Marshal(ack)
			conn.SetWriteDeadline(time.Now().Add(socketWriteTimeout))
			if err := conn.WriteMessage(websocket.TextMessage, b); err != nil {
				a.log.Warn("could not acknowledge a Slack envelope; Slack will deliver it again", "envelope", ack.EnvelopeID, "err", err)
				conn.Close()
				for range acks {
				}
				return
			}
		}
	}()

	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return greeted, err
		}
		alive()
		var env envelope
		if err := json.Unmarshal(data, &env); err != nil {
			a.log.Warn("unreadable Socket Mode message skipped", "err", err)
			continue
		}
		switch env.Type {
		case "hello":
			a.hellos.Add(1)
			if !greeted {
				a.log.Info("connected to Slack (Socket Mode)")
				greeted = true
				a.sockets.up()
				defer a.sockets.down()
				if reopened {
					a.opts.Metrics.Reconnected(bot.PlatformSlack)
				}
			}
			a.markReady()
			continue
		case "disconnect":
			if env.Reason == "too_many_websockets" || env.Reason == "link_disabled" {
				return greeted, fmt.Errorf("%w: %w (%s)", errDisconnectRequested, errBackOff, env.Reason)
			}
			return greeted, fmt.Errorf("%w (%s)", errDisconnectRequested, env.Reason)
		}
		if env.EnvelopeID == "" {
			a.log.Debug("Socket Mode message without an envelope ignored", "type", env.Type)
			continue
		}
		first := a.seen.first("envelope:" + env.EnvelopeID)
		if env.Type == "interactive" && isRankSubmission(env.Payload) {
			// Slack reads the answer to a form from the acknowledgement.
			ack := socketAck{EnvelopeID: env.EnvelopeID}
			if first {
				ack.Payload = a.onRankSubmission(ctx, d, env.Payload)
			}
			acks <- ack
			continue
		}
		acks <- socketAck{EnvelopeID: env.EnvelopeID}
		if !first {
			continue
		}
		parse.Add("socket", func() { a.onEnvelope(ctx, d, env) })
	}
}

// socketAck acknowledges one envelope, with the answer Slack expects in
// it, if any.
type socketAck struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload,omitempty"`
}

// onEnvelope parses an acknowledged envelope's payload and handles it.
func (a *Adapter) onEnvelope(ctx context.Context, d bot.Dispatcher, env envelope) {
	switch env.Type {
	case "events_api":
		a.onEvent(ctx, d, env.Payload, env.RetryAttempt)
	case "slash_commands":
		var cmd slack.SlashCommand
		if err := json.Unmarshal(env.Payload, &cmd); err != nil {
			a.log.Warn("unreadable slash command skipped", "err", err)
			return
		}
		a.onSlashCommand(ctx, d, cmd)
	case "interactive":
		a.onInteraction(ctx, d, env.Payload)
	default:
		a.log.Debug("Socket Mode envelope ignored", "type", env.Type)
	}
}

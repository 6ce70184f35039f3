package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/unionhall/unionhall/bot"
)

// HTTP mode limits.
const (
	maxRequestBody = 1 << 20
	// maxClockSkew is how far a request's timestamp may be from now;
	// older (or future) requests are refused as possible replays.
	maxClockSkew = 5 * time.Minute
)

// HTTP mode paths. Each accepts events, slash commands and interactions
// alike (told apart by their content), so the app manifest may point all
// three at one URL; the manifest uses the three paths for clarity.
const (
	// PathEvents is the Events API request URL path.
	PathEvents = "/slack/events"
	// PathCommands is the slash commands request URL path.
	PathCommands = "/slack/commands"
	// PathInteractive is the interactivity request URL path.
	PathInteractive = "/slack/interactive"
	// PathHealth answers GET with 200 for load balancers and monitors.
	PathHealth = "/healthz"
)

// runHTTP serves Slack's requests on the listen address until ctx ends.
func (a *Adapter) runHTTP(ctx context.Context, d bot.Dispatcher) error {
	ln, err := net.Listen("tcp", a.opts.ListenAddr)
	if err != nil {
		return fmt.Errorf("slack HTTP mode: %w", err)
	}
	srv := &http.Server{
		Handler:           a.httpHandler(ctx, d),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.mu.Lock()
	a.listener = ln.Addr()
	a.mu.Unlock()
	a.markReady()
	a.connected.Store(true)
	defer a.connected.Store(false)
	a.log.Info("listening for Slack requests (HTTP mode)", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			a.log.Warn("HTTP server did not shut down cleanly", "err", err)
		}
		return nil
	case err := <-errc:
		return fmt.Errorf("slack HTTP mode: %w", err)
	}
}

// httpHandler returns the handler of the HTTP mode endpoints.
func (a *Adapter) httpHandler(ctx context.Context, d bot.Dispatcher) http.Handler {
	mux := http.NewServeMux()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.serveSlack(ctx, d, w, r) })
	mux.Handle("POST "+PathEvents, h)
	mux.Handle("POST "+PathCommands, h)
	mux.Handle("POST "+PathInteractive, h)
	mux.HandleFunc("GET "+PathHealth, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	if a.opts.Routes != nil {
		mux.Handle("/", a.opts.Routes)
	}
	return mux
}

// serveSlack verifies one request from Slack, acknowledges it at once and
// hands the work to the handler lanes.
func (a *Adapter) serveSlack(ctx context.Context, d bot.Dispatcher, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		a.log.Warn("rejected a Slack request whose body could not be read", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
		http.Error(w, "request body too large or unreadable", http.StatusBadRequest)
		return
	}
	if err := a.verify(r.Header, body); err != nil {
		a.log.Warn("rejected a request that is not verifiably from Slack", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err.Error())
		http.Error(w, "request signature verification failed", http.StatusUnauthorized)
		return
	}
	retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		a.serveEvent(ctx, d, w, body, retry)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return
	}
	switch {
	case isRankSubmission([]byte(form.Get("payload"))):
		// Slack reads the answer to a form from the response.
		if answer := a.onRankSubmission(ctx, d, []byte(form.Get("payload"))); answer != nil {
			w.Header().Set("Content-Type", "application/json")
			w.Write(answer)
			return
		}
		w.WriteHeader(http.StatusOK)
	case form.Get("payload") != "":
		w.WriteHeader(http.StatusOK)
		a.onInteraction(ctx, d, []byte(form.Get("payload")))
	case form.Get("command") != "":
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.PostForm, r.Form = nil, nil
		cmd, err := slack.SlashCommandParse(r)
		w.WriteHeader(http.StatusOK)
		if err != nil {
			a.log.Warn("unreadable slash command skipped", "err", err)
			return
		}
		a.onSlashCommand(ctx, d, cmd)
	default:
		// ssl_check and anything else Slack may send: acknowledge.
		w.WriteHeader(http.StatusOK)
	}
}

// serveEvent answers url_verification and acknowledges event callbacks
// before handling them.
func (a *Adapter) serveEvent(ctx context.Context, d bot.Dispatcher, w http.ResponseWriter, body []byte, retry int) {
	var outer struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		http.Error(w, "malformed JSON body", http.StatusBadRequest)
		return
	}
	if outer.Type == slackevents.URLVerification {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, outer.Challenge)
		return
	}
	w.WriteHeader(http.StatusOK)
	a.onEvent(ctx, d, body, retry)
}

// verify checks a request's v0 signature with the signing secret and
// refuses timestamps more than five minutes from now. The reasons it
// returns never include the secret.
func (a *Adapter) verify(h http.Header, body []byte) error {
	ts, err := strconv.ParseInt(h.Get("X-Slack-Request-Timestamp"), 10, 64)
	if err != nil {
		return errors.New("missing or malformed X-Slack-Request-Timestamp")
	}
	if skew := a.clock.Now().Sub(time.Unix(ts, 0)); skew > maxClockSkew || skew < -maxClockSkew {
		return fmt.Errorf("timestamp is %s off (more than %s): possible replay", skew.Round(time.Second), maxClockSkew)
	}
	sv, err := slack.NewSecretsVerifier(h, a.opts.SigningSecret)
	if err != nil {
		return fmt.Errorf("signature headers: %w", err)
	}
	if _, err := sv.Write(body); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	if err := sv.Ensure(); err != nil {
		return errors.New("signature does not match the signing secret")
	}
	return nil
}

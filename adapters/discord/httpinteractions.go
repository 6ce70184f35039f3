package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Limits of the HTTP interactions endpoint.
const (
	// maxInteractionBody bounds the body of one interaction request.
	maxInteractionBody = 1 << 20
	// interactionAnswerTimeout is how long the endpoint waits for an
	// interaction's first response: Discord's three seconds.
	interactionAnswerTimeout = 3 * time.Second
)

// ParsePublicKey reads the application's public key as the Developer
// Portal shows it (64 hexadecimal digits).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	key, err := hex.DecodeString(s)
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, errors.New("the public key must be the 64 hexadecimal digits the Developer Portal shows under General Information")
	}
	return ed25519.PublicKey(key), nil
}

// InteractionsHandler returns the handler of Discord's HTTP interactions
// endpoint (the application's Interactions Endpoint URL), which any
// process of an installation may serve behind a load balancer: each
// request's Ed25519 signature is checked against the application's
// public key (Options.PublicKey) and refused with 401 when it does not
// verify; PING is answered with PONG; slash commands, autocompletion and
// button clicks are handled as those from the gateway are, their first
// response sent as the answer to the request. It answers 503 until Run
// has started and after it has stopped, and 404 when no public key is
// set.
func (a *Adapter) InteractionsHandler() http.Handler {
	return http.HandlerFunc(a.serveInteraction)
}

// verified reports whether the request's signature is the application's
// over its timestamp and body.
func (a *Adapter) verified(r *http.Request, body []byte) bool {
	sig, err := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
	ts := r.Header.Get("X-Signature-Timestamp")
	if err != nil || len(sig) != ed25519.SignatureSize || ts == "" {
		return false
	}
	return ed25519.Verify(a.opts.PublicKey, append([]byte(ts), body...), sig)
}

// httpAnswer is an interaction's first response, encoded.
type httpAnswer struct {
	contentType string
	body        []byte
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if len(a.opts.PublicKey) == 0 {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "interactions are POSTed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		http.Error(w, "the request body could not be read", http.StatusBadRequest)
		return
	}
	if !a.verified(r, body) {
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "the interaction could not be read", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		writeAnswer(w, httpAnswer{contentType: "application/json", body: []byte(`{"type":1}`)})
		return
	}
	if a.dispatcher.Load() == nil || a.life.Err() != nil {
		http.Error(w, "Union Hall is not running", http.StatusServiceUnavailable)
		return
	}
	answers := make(chan httpAnswer)
	written := make(chan struct{})
	finished := make(chan struct{})
	respond := func(ctx context.Context, resp *discordgo.InteractionResponse, files []*discordgo.File) error {
		ct, b, err := encodeBody(resp, files)
		if err != nil {
			return fmt.Errorf("encode the interaction response: %w", err)
		}
		select {
		case answers <- httpAnswer{contentType: ct, body: b}:
		case <-ctx.Done():
			return ctx.Err()
		case <-r.Context().Done():
			return fmt.Errorf("Discord's request ended before the response: %w", r.Context().Err())
		}
		// Follow-ups wait until the response is out.
		<-written
		return nil
	}
	go func() {
		defer close(finished)
		a.handleInteraction(&i, respond)
	}()
	timeout, cancel := context.WithTimeout(r.Context(), interactionAnswerTimeout)
	defer cancel()
	select {
	case ans := <-answers:
		writeAnswer(w, ans)
		close(written)
	case <-finished:
		w.WriteHeader(http.StatusNoContent)
	case <-timeout.Done():
		a.log.Warn("an interaction received over HTTP was not answered in time", "err", timeout.Err())
		http.Error(w, "no answer in time", http.StatusServiceUnavailable)
	}
}

func writeAnswer(w http.ResponseWriter, ans httpAnswer) {
	w.Header().Set("Content-Type", ans.contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(ans.body)))
	w.Write(ans.body)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// serveInteractions serves the interactions endpoint on ln until ctx
// ends.
func (a *Adapter) serveInteractions(ctx context.Context, ln net.Listener) error {
	a.mu.Lock()
	a.interactionsAt = ln.Addr()
	a.mu.Unlock()
	srv := &http.Server{Handler: a.InteractionsHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), a.opts.ShutdownGrace)
		defer cancel()
		srv.Shutdown(shut)
	}()
	a.log.Info("serving Discord interactions over HTTP", "addr", ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("discord: serve interactions: %w", err)
	}
	return nil
}

// InteractionsAddr returns the address the interactions endpoint listens
// on, once Run has started it; nil before.
func (a *Adapter) InteractionsAddr() net.Addr {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.interactionsAt
}

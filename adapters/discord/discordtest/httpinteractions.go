package discordtest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// endpoint is where interactions are delivered over HTTP, when they are.
type endpoint struct {
	url string
	key ed25519.PrivateKey
}

// InteractionsOverHTTP makes the server deliver interactions as Discord
// does to an application with an Interactions Endpoint URL: each as an
// HTTP POST to url, signed with key (X-Signature-Ed25519 over
// X-Signature-Timestamp and the body), and the answer to the request taken
// as the interaction's first response, under the same rules as a
// response sent to the callback endpoint. Other events still go over the
// gateway. An interaction whose request fails or is not answered with 200
// is a violation.
func (s *Server) InteractionsOverHTTP(url string, key ed25519.PrivateKey) {
	s.with(func() {
		s.endpoint = &endpoint{url: url, key: key}
		s.answering = map[string]chan struct{}{}
	})
}

// answerWait bounds how long a follow-up waits for its interaction's
// answer to be applied.
const answerWait = 10 * time.Second

// awaitAnswer waits until the answer to the interaction with token, if
// it was delivered over HTTP, has been applied: Discord has an answer
// before the application, having sent it, can follow it up.
func (s *Server) awaitAnswer(token string) {
	applied := locked(s, func() chan struct{} { return s.answering[token] })
	if applied == nil {
		return
	}
	select {
	case <-applied:
	case <-time.After(answerWait):
	}
}

// Sign signs an interaction request's body as Discord does, setting its
// X-Signature-Ed25519 and X-Signature-Timestamp headers.
func Sign(h http.Header, body []byte, key ed25519.PrivateKey, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	h.Set("X-Signature-Timestamp", ts)
	h.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
}

// deliverOverHTTP posts the interactions among events to the
// application's endpoint, each on its own, and returns the other events.
func (s *Server) deliverOverHTTP(events []event) []event {
	out := locked(s, func() *endpoint { return s.endpoint })
	if out == nil {
		return events
	}
	var rest []event
	for _, e := range events {
		if e.in == nil {
			rest = append(rest, e)
			continue
		}
		applied := make(chan struct{})
		s.with(func() {
			e.in.SentAt = time.Now()
			s.answering[e.in.Token] = applied
		})
		go func() {
			defer close(applied)
			s.postInteraction(out, e)
		}()
	}
	return rest
}

// postInteraction delivers one interaction and applies its answer.
func (s *Server) postInteraction(out *endpoint, e event) {
	body, err := json.Marshal(e.data)
	if err != nil {
		s.violate("encode interaction %s: %v", e.in.ID, err)
		return
	}
	req, _ := http.NewRequest(http.MethodPost, out.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	Sign(req.Header, body, out.key, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.violate("interaction %s over HTTP: %v", e.in.ID, err)
		return
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		s.violate("interaction %s over HTTP answered %d %q (%v)", e.in.ID, resp.StatusCode, answer, err)
		return
	}
	// The answer is the interaction's response: apply it as one sent to
	// the callback endpoint.
	callback := s.rest.URL + apiPrefix + "/interactions/" + e.in.ID + "/" + e.in.Token + "/callback"
	cresp, err := http.Post(callback, resp.Header.Get("Content-Type"), bytes.NewReader(answer))
	if err != nil {
		s.violate("apply the answer to interaction %s: %v", e.in.ID, err)
		return
	}
	cresp.Body.Close()
}

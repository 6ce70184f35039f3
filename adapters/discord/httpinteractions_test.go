package discord

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
)

// overHTTP starts an adapter serving the interactions endpoint, and has
// the fake Discord deliver interactions there; it returns the endpoint's
// URL and the application's private key.
func overHTTP(t *testing.T) (*harness, string, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, func(o *Options, _ *harness) { o.PublicKey, o.InteractionsAddr = pub, "127.0.0.1:0" })
	url := "http://" + h.a.InteractionsAddr().String()
	h.f.InteractionsOverHTTP(url, priv)
	return h, url, priv
}

// TestInteractionsOverHTTP: with an Interactions Endpoint URL, slash
// commands and button clicks arrive as signed HTTP requests; they are
// answered as those from the gateway are, the first response as the
// answer to the request (the fake Discord applies it under the same
// rules as a callback), the rest as follow-ups.
func TestInteractionsOverHTTP(t *testing.T) {
	t.Parallel()
	h, _, _ := overHTTP(t)
	in := h.f.Slash(alice, general, "faq", o("question", "When is the deadline?"))
	if m := h.answer(in); m.Ephemeral() || !strings.Contains(m.Content, "Aug. 31") {
		t.Errorf("answer = %+v", m)
	}
	if ack := h.f.Interaction(in); ack.AckType != discordgo.InteractionResponseChannelMessageWithSource {
		t.Errorf("ack type %d, want a direct answer (type 4)", ack.AckType)
	}
	card := h.openPoll("Strike?", "Yes | No")
	click := h.f.Click(alice, card.ID, "/vote 1 1")
	h.waitCard(card.ID, "Yes: 1")
	conf := h.f.WaitReply(click, "the confirmation", func(discordtest.Message) bool { return true })
	if ack := h.f.Interaction(click); ack.AckType != discordgo.InteractionResponseDeferredMessageUpdate || !strings.Contains(conf.Content, "recorded") {
		t.Errorf("click acknowledged with type %d, confirmation %+v", ack.AckType, conf)
	}
}

// post sends body to the endpoint, signed with key when key is set.
func post(t *testing.T, url string, body string, key ed25519.PrivateKey, mutate func(http.Header)) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if key != nil {
		discordtest.Sign(req.Header, []byte(body), key, time.Now())
	}
	if mutate != nil {
		mutate(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(bytes.TrimSpace(b))
}

// TestInteractionsEndpointChecksSignatures: PING is answered with PONG;
// a request signed with another key, with a signature over another
// timestamp, or unsigned is refused with 401 and not handled.
func TestInteractionsEndpointChecksSignatures(t *testing.T) {
	t.Parallel()
	h, url, priv := overHTTP(t)
	ping := `{"id":"1","application_id":"` + discordtest.AppID + `","type":1,"token":"t","version":1}`
	if code, body := post(t, url, ping, priv, nil); code != http.StatusOK || body != `{"type":1}` {
		t.Errorf("PING answered %d %s, want 200 PONG", code, body)
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	slash := `{"id":"2","application_id":"` + discordtest.AppID + `","type":2,"token":"t2","version":1,"channel_id":"` + general + `",` +
		`"member":{"user":{"id":"700000000000000009","username":"mallory"}},"data":{"name":"faq","type":1}}`
	for name, c := range map[string]struct {
		key    ed25519.PrivateKey
		mutate func(http.Header)
	}{
		"another key": {key: other},
		"unsigned":    {},
		"another timestamp": {key: priv, mutate: func(h http.Header) {
			h.Set("X-Signature-Timestamp", "1")
		}},
		"malformed signature": {key: priv, mutate: func(h http.Header) {
			h.Set("X-Signature-Ed25519", hex.EncodeToString([]byte("short")))
		}},
	} {
		if code, _ := post(t, url, slash, c.key, c.mutate); code != http.StatusUnauthorized {
			t.Errorf("%s: answered %d, want 401", name, code)
		}
	}
	if code, _ := post(t, url, ping, priv, func(h http.Header) {}); code != http.StatusOK {
		t.Errorf("a signed PING after the refusals: %d", code)
	}
	if n := h.f.Count(discordtest.RouteFollowUp) + h.f.Count(discordtest.RouteCallback); n != 0 {
		t.Errorf("%d responses to refused requests", n)
	}
}

func TestParsePublicKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	if k, err := ParsePublicKey(hex.EncodeToString(pub)); err != nil || !bytes.Equal(k, pub) {
		t.Errorf("ParsePublicKey = %x, %v", k, err)
	}
	if _, err := ParsePublicKey("xyz"); err == nil {
		t.Error("a malformed key was accepted")
	}
}

package slacktest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// post calls method on s as the bot and returns the HTTP status and the
// Retry-After header.
func post(t *testing.T, s *Server, method string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.APIURL()+method, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+BotToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

func TestThrottledServerLimitsPostsPerChannel(t *testing.T) {
	s := NewServer(t)
	clock := bot.NewManualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	s.Throttle(Limits{ChannelPosts: DocumentedLimits().ChannelPosts, Clock: clock})
	in := func(ch string) url.Values { return url.Values{"channel": {ch}, "text": {"hi"}} }
	for i := range 3 {
		if code, _ := post(t, s, "chat.postMessage", in("C1")); code != http.StatusOK {
			t.Fatalf("post %d of a short burst answered %d", i+1, code)
		}
	}
	code, after := post(t, s, "chat.postMessage", in("C1"))
	if code != http.StatusTooManyRequests || after != "1" {
		t.Fatalf("fourth post at once: %d with Retry-After %q, want 429 with 1", code, after)
	}
	if code, _ := post(t, s, "chat.postMessage", in("C2")); code != http.StatusOK {
		t.Errorf("a post in another channel answered %d: the limit is per channel", code)
	}
	clock.Advance(time.Second)
	if code, _ := post(t, s, "chat.postMessage", in("C1")); code != http.StatusOK {
		t.Errorf("a post after the Retry-After answered %d", code)
	}
	if n := s.RateLimited(); n != 1 {
		t.Errorf("RateLimited = %d, want 1", n)
	}
}

func TestThrottledServerLimitsMethodsByTierAcrossChannels(t *testing.T) {
	s := NewServer(t)
	clock := bot.NewManualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	s.Throttle(Limits{Tiers: DocumentedLimits().Tiers, Clock: clock})
	for i := range 50 {
		form := url.Values{"channel": {"C" + string(rune('A'+i%20))}, "ts": {"1.2"}, "text": {"x"}}
		if code, _ := post(t, s, "chat.update", form); code != http.StatusOK {
			t.Fatalf("chat.update %d of Tier 3's 50 a minute answered %d", i+1, code)
		}
	}
	code, after := post(t, s, "chat.update", url.Values{"channel": {"CZ"}, "ts": {"1.2"}})
	if code != http.StatusTooManyRequests || after == "" {
		t.Fatalf("51st chat.update in a minute: %d with Retry-After %q, want 429 with a wait", code, after)
	}
	if code, _ := post(t, s, "chat.postEphemeral", url.Values{"channel": {"C1"}, "user": {"U1"}}); code != http.StatusOK {
		t.Errorf("chat.postEphemeral answered %d: each method has its own budget", code)
	}
	for range 200 {
		post(t, s, "chat.postMessage", url.Values{"channel": {"C1"}})
	}
	if n := s.RateLimited(); n != 1 {
		t.Errorf("with only the tiers enforced, %d calls were refused; want only the one chat.update", n)
	}
}

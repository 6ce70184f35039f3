package discordtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/pace"
)

// noPings is the allowed_mentions every message of the bot must carry.
const noPings = `"allowed_mentions":{"parse":[]}`

// call sends one REST request with the bot token (unless auth is false)
// and returns the response's status and body.
func call(t *testing.T, s *discordtest.Server, method, path, body string, auth bool) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+"/api/v9"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth {
		req.Header.Set("Authorization", "Bot "+s.Token())
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func TestRateLimitSpeaksDiscordsProtocol(t *testing.T) {
	s := discordtest.NewServer(t)
	s.RateLimit(discordtest.RouteCreateMessage, 1, 2*time.Second)
	post := `{"content":"hi",` + noPings + `}`
	status, header, body := call(t, s, "POST", "/channels/1/messages", post, true)
	var rl discordgo.TooManyRequests
	if err := json.Unmarshal(body, &rl); err != nil || status != http.StatusTooManyRequests || rl.RetryAfter != 2*time.Second {
		t.Fatalf("rate-limited post: %d %s (%v)", status, body, err)
	}
	if header.Get("X-RateLimit-Remaining") != "0" || header.Get("X-RateLimit-Reset-After") != "2.000" || header.Get("X-RateLimit-Bucket") == "" {
		t.Errorf("rate-limit headers %v", header)
	}
	// The bucket is the route in one channel: another channel is served,
	// and a retry before retry_after is refused as a violation.
	if status, _, _ := call(t, s, "POST", "/channels/2/messages", post, true); status != http.StatusOK {
		t.Errorf("post in another channel: %d", status)
	}
	if len(s.Violations()) != 0 {
		t.Fatalf("violations before the early retry: %v", s.Violations())
	}
	if status, _, _ := call(t, s, "POST", "/channels/1/messages", post, true); status != http.StatusTooManyRequests || len(s.Violations()) != 1 {
		t.Errorf("early retry: %d, violations %v", status, s.Violations())
	}
}

func TestRulesAreViolations(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		path   string // "{token}" stands for a new slash command's token
		body   string
		auth   bool
		want   string
	}{
		{"no bot token", "POST", "/channels/1/messages", `{"content":"x",` + noPings + `}`, false, "without the bot token"},
		{"pings", "POST", "/channels/1/messages", `{"content":"x"}`, true, "allowed_mentions missing"},
		{"ephemeral channel message", "POST", "/channels/1/messages", `{"content":"x","flags":64,` + noPings + `}`, true, "ephemeral flag"},
		{"over Discord's limit", "POST", "/channels/1/messages", `{"content":"` + strings.Repeat("é", 2001) + `",` + noPings + `}`, true, "content of 2001"},
		{"follow-up before the acknowledgement", "POST", "/webhooks/" + discordtest.AppID + "/{token}?wait=true", `{"content":"x",` + noPings + `}`, false, "unacknowledged interaction"},
		{"unknown endpoint", "DELETE", "/channels/1", "", true, "unexpected request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := discordtest.NewServer(t)
			in := s.Interaction(s.Slash(discordtest.Member{ID: "1", Name: "m"}, "1", "faq"))
			path := strings.ReplaceAll(tc.path, "{token}", in.Token)
			call(t, s, tc.method, path, tc.body, tc.auth)
			if v := s.Violations(); len(v) != 1 || !strings.Contains(v[0], tc.want) {
				t.Errorf("violations %q, want one about %q", v, tc.want)
			}
		})
	}
}

func TestDeferralIsFilledByTheFirstFollowUp(t *testing.T) {
	s := discordtest.NewServer(t)
	id := s.Slash(discordtest.Member{ID: "1", Name: "m"}, "1", "faq")
	in := s.Interaction(id)
	callback := "/interactions/" + in.ID + "/" + in.Token + "/callback"
	if status, _, _ := call(t, s, "POST", callback, `{"type":5,"data":{"flags":64}}`, false); status != http.StatusNoContent {
		t.Fatalf("deferral: %d", status)
	}
	followUp := "/webhooks/" + discordtest.AppID + "/" + in.Token + "?wait=true"
	for _, text := range []string{"first", "second"} {
		call(t, s, "POST", followUp, `{"content":"`+text+`",`+noPings+`}`, false)
	}
	ms := s.InteractionMessages(id)
	if len(ms) != 2 || ms[0].Content != "first" || !ms[0].Ephemeral() || ms[0].Deferred || ms[1].Content != "second" || ms[1].Ephemeral() {
		t.Errorf("messages answering the deferred command: %+v", ms)
	}
	// A second acknowledgement is refused.
	if status, _, _ := call(t, s, "POST", callback, `{"type":6}`, false); status != http.StatusBadRequest || len(s.Violations()) != 1 {
		t.Errorf("second acknowledgement: %d, violations %v", status, s.Violations())
	}
}

func TestThrottledServerLimitsMessagesPerChannelWithDiscordsHeaders(t *testing.T) {
	s := discordtest.NewServer(t)
	clock := bot.NewManualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	l := discordtest.DocumentedLimits()
	l.Clock = clock
	s.Throttle(l)
	post := `{"content":"hi",` + noPings + `}`
	for i := range 5 {
		status, header, _ := call(t, s, "POST", "/channels/1/messages", post, true)
		if status != http.StatusOK {
			t.Fatalf("message %d of 5 in 5 s: %d", i+1, status)
		}
		if got, want := header.Get("X-RateLimit-Remaining"), strconv.Itoa(4-i); got != want || header.Get("X-RateLimit-Limit") != "5" ||
			header.Get("X-RateLimit-Reset-After") != "5.000" || header.Get("X-RateLimit-Bucket") == "" {
			t.Fatalf("message %d: Remaining %s (want %s), headers %v", i+1, got, want, header)
		}
	}
	clock.Advance(1500 * time.Millisecond)
	status, header, body := call(t, s, "POST", "/channels/1/messages", post, true)
	var rl struct {
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	if err := json.Unmarshal(body, &rl); err != nil || status != http.StatusTooManyRequests || rl.RetryAfter != 3.5 || rl.Global {
		t.Fatalf("sixth message: %d %s (%v)", status, body, err)
	}
	if header.Get("X-RateLimit-Scope") != "user" || header.Get("Retry-After") != "4" {
		t.Errorf("429 headers %v", header)
	}
	if status, _, _ := call(t, s, "POST", "/channels/2/messages", post, true); status != http.StatusOK {
		t.Errorf("a message in another channel: %d", status)
	}
	clock.Advance(3500 * time.Millisecond)
	if status, _, _ := call(t, s, "POST", "/channels/1/messages", post, true); status != http.StatusOK {
		t.Errorf("a message once the window reset: %d", status)
	}
	if s.RateLimited() != 1 || len(s.Violations()) != 0 {
		t.Errorf("RateLimited = %d, violations %v; want 1 and none", s.RateLimited(), s.Violations())
	}
}

func TestThrottledServerHasAGlobalLimitAcrossChannels(t *testing.T) {
	s := discordtest.NewServer(t)
	clock := bot.NewManualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	s.Throttle(discordtest.Limits{Global: pace.Limit{Count: 3, Per: time.Second}, Clock: clock})
	post := `{"content":"hi",` + noPings + `}`
	for i := range 3 {
		if status, _, _ := call(t, s, "POST", "/channels/"+strconv.Itoa(i+1)+"/messages", post, true); status != http.StatusOK {
			t.Fatalf("request %d of 3: %d", i+1, status)
		}
	}
	status, header, body := call(t, s, "POST", "/channels/9/messages", post, true)
	var rl struct {
		Global bool `json:"global"`
	}
	if err := json.Unmarshal(body, &rl); err != nil || status != http.StatusTooManyRequests || !rl.Global ||
		header.Get("X-RateLimit-Scope") != "global" || header.Get("X-RateLimit-Global") != "true" {
		t.Fatalf("fourth request in a second: %d %s %v", status, body, header)
	}
}

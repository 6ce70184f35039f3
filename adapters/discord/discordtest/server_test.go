package discordtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
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

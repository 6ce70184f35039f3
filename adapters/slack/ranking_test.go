package slack

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// TestHTTPModeAnswersRankingSubmissions checks that in HTTP mode a
// ranking modal's submission is answered in the response: refused picks
// as the field error of the rank at fault, with nothing sent, and good
// picks by closing the modal and sending the whole order as one command.
func TestHTTPModeAnswersRankingSubmissions(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	_, base := startHTTP(t, srv, tb)
	modal, err := rankModal(rankForm{Ranking: bot.Ranking{Title: "Ratify?", Action: "vote", Value: "1", Options: []string{"Yes", "No"}}, Channel: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	var v slacktest.View
	if err := json.Unmarshal([]byte(mustJSON(t, modal)), &v.Body); err != nil {
		t.Fatal(err)
	}
	submit := func(picks ...string) string {
		t.Helper()
		values := map[string]map[string]string{}
		for i, p := range picks {
			values[rankBlockPrefix+strconv.Itoa(i+1)] = map[string]string{rankPickID: p}
		}
		form := url.Values{"payload": {mustJSON(t, slacktest.ViewSubmission("U7", v, values))}}
		resp := signedRequest(t, base+PathInteractive, "application/x-www-form-urlencoded", form.Encode(), slacktest.SigningSecret, time.Now(), nil)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		return body(resp)
	}
	var answer struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(submit("2", "2")), &answer); err != nil {
		t.Fatal(err)
	}
	if answer.ResponseAction != "errors" || !strings.Contains(answer.Errors[rankBlockPrefix+"2"], `You picked "No" for both your 1st choice and your 2nd choice.`) {
		t.Fatalf("answer to an option picked twice = %+v", answer)
	}
	if got := submit("2", "1"); got != "" {
		t.Fatalf("answer to good picks = %q, want none (the modal closes)", got)
	}
	bottest.WaitFor(t, "the ranking's command", func() bool { return len(tb.requests()) > 0 })
	reqs := tb.requests()
	if len(reqs) != 1 || reqs[0].Text != "/vote 1 2 1" || !reqs[0].Button || reqs[0].User.ID != "slack:U7" || reqs[0].Channel.ID != "C1" {
		t.Errorf("requests = %+v, want one /vote 1 2 1 from U7 in C1", reqs)
	}
}

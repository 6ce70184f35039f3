package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// rankPicks fills the menus of a ranking modal in order: the first input
// gets the option whose text ends in labels[0], and so on; the other
// ranks are left empty.
func rankPicks(t *testing.T, v slacktest.View, labels ...string) map[string]map[string]string {
	t.Helper()
	inputs := slacktest.BlocksOfType(v.Blocks(), "input")
	if len(inputs) < len(labels) {
		t.Fatalf("the modal has %d ranks, want at least %d", len(inputs), len(labels))
	}
	picks := map[string]map[string]string{}
	for i, label := range labels {
		el := inputs[i]["element"].(map[string]any)
		value := ""
		for _, o := range el["options"].([]any) {
			o := o.(map[string]any)
			if strings.HasSuffix(o["text"].(map[string]any)["text"].(string), ". "+label) {
				value = o["value"].(string)
			}
		}
		if value == "" {
			t.Fatalf("rank %d offers no option %q", i+1, label)
		}
		picks[inputs[i]["block_id"].(string)] = map[string]string{el["action_id"].(string): value}
	}
	return picks
}

// TestSlackRankedPollByTaps votes a secret ranked poll in Slack with the
// card's "Rank the options" button: each member's click opens a modal
// with one menu per rank, and the submitted modal casts the whole ranking
// at once. A ranking that names an option twice is refused in the modal,
// in plain words, and records nothing; the instant-runoff count is the one
// the typed rankings would give.
func TestSlackRankedPollByTaps(t *testing.T) {
	const (
		channel = "C1"
		steward = "USTEWARD"
	)
	s := slacktest.NewServer(t)
	startSlackRun(t, s, map[string]string{"UNIONHALL_STEWARDS": "slack:" + steward})

	s.SendSlashCommand("open", "/poll", `"Priority?" "Pay" "Pension" "Health" --ranked --anonymous`, steward, channel)
	var card slacktest.Call
	bottest.WaitFor(t, "the ranked poll card", func() bool {
		for _, c := range s.Posts() {
			if strings.Contains(c.Text(), "Priority?") {
				card = c
				return true
			}
		}
		return false
	})
	var rank slacktest.Button
	for _, b := range slacktest.Buttons(card.Blocks()) {
		if b.Label == "Rank the options" {
			rank = b
		}
	}
	if rank.ActionID == "" {
		t.Fatalf("no Rank the options button on the card: %+v", slacktest.Buttons(card.Blocks()))
	}

	// open clicks the button as user and returns the modal it opens.
	open := func(id, user string) slacktest.View {
		t.Helper()
		n := len(s.Views())
		s.SendClick(id, user, channel, card.TS, card.Blocks(), rank)
		bottest.WaitFor(t, "the ranking modal for "+user, func() bool { return len(s.Views()) > n })
		v := s.Views()[n]
		if v.TriggerID != "T-"+id {
			t.Errorf("modal opened with trigger %q, want the click's T-%s", v.TriggerID, id)
		}
		return v
	}
	// confirmed waits for the private answer to user containing want.
	confirmed := func(user, want string) {
		t.Helper()
		bottest.WaitFor(t, fmt.Sprintf("%q to %s", want, user), func() bool {
			for _, e := range s.Ephemerals() {
				if e.Form.Get("user") == user && e.Form.Get("channel") == channel && strings.Contains(e.Text(), want) {
					return true
				}
			}
			return false
		})
	}

	// A form Slack refuses to open (an expired trigger) is not met with
	// silence: the member is told privately how to rank by typing.
	s.FailNext("views.open", 1, slacktest.Failure{Error: "expired_trigger_id"})
	s.SendClick("click-expired", "U1", channel, card.TS, card.Blocks(), rank)
	bottest.WaitFor(t, "the note that the form did not open", func() bool {
		for _, p := range s.ResponsePosts("click-expired") {
			if strings.Contains(p.Text(), "The ranking form did not open") && strings.Contains(p.Text(), "/vote 1 1 2 3") {
				return true
			}
		}
		return false
	})

	v := open("click-u1", "U1")
	if text := v.Text(); !strings.Contains(text, "Priority?") || !strings.Contains(text, "1st choice") || !strings.Contains(text, "3rd choice") {
		t.Errorf("modal = %q", text)
	}
	// The same option twice: the modal says so at the second rank.
	answer := s.SendViewSubmission("submit-u1-twice", "U1", v, rankPicks(t, v, "Pension", "Pension"))
	errs, _ := answer["errors"].(map[string]any)
	inputs := slacktest.BlocksOfType(v.Blocks(), "input")
	if answer["response_action"] != "errors" || len(errs) != 1 || !strings.Contains(fmt.Sprint(errs[inputs[1]["block_id"].(string)]), `You picked "Pension" for both your 1st choice and your 2nd choice. Pick each option once.`) {
		t.Fatalf("answer to a ranking with an option twice = %v", answer)
	}
	// Corrected, the ranking is cast whole and the modal closes.
	if answer := s.SendViewSubmission("submit-u1", "U1", v, rankPicks(t, v, "Pension", "Health")); answer != nil {
		t.Fatalf("answer to a good ranking = %v, want none (the modal closes)", answer)
	}
	confirmed("U1", "Your ranking in poll 1 is recorded: 1st 2. Pension, 2nd 3. Health.")

	for _, m := range []struct {
		user   string
		labels []string
	}{{"U2", []string{"Health", "Pension"}}, {"U3", []string{"Pension"}}} {
		v := open("click-"+m.user, m.user)
		if answer := s.SendViewSubmission("submit-"+m.user, m.user, v, rankPicks(t, v, m.labels...)); answer != nil {
			t.Fatalf("answer to %s's ranking = %v", m.user, answer)
		}
		confirmed(m.user, "recorded")
	}
	// A secret ballot cannot be cast twice, by taps either.
	v = open("click-u1-again", "U1")
	s.SendViewSubmission("submit-u1-again", "U1", v, rankPicks(t, v, "Pay"))
	confirmed("U1", "already voted")

	s.SendSlashCommand("results", "/poll", "results 1", steward, channel)
	bottest.WaitFor(t, "the results", func() bool {
		for _, p := range s.ResponsePosts("results") {
			if strings.Contains(p.Text(), "Pension leads with 2 of 3 continuing ballots") {
				return true
			}
		}
		for _, c := range s.Posts() {
			if strings.Contains(c.Text(), "Pension leads with 2 of 3 continuing ballots") {
				return true
			}
		}
		return false
	})
}

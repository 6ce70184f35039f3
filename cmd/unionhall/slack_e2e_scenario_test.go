package main

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/reminders"
)

// TestSlackEndToEnd runs the whole bot ("unionhall run", the real
// features, a temporary database) against a local Slack and checks what
// Slack receives through a working session: a member's question answered
// in its thread, a straw poll refused to a member and opened by a steward,
// voted on with the card's buttons, and closed, and a one-time reminder
// announced once in the announcement channel.
//
// The reminder is due 2 s after it is added, on the real clock (run uses
// the system clock). It is added first, so that its wait overlaps the rest
// of the session instead of adding to it.
func TestSlackEndToEnd(t *testing.T) {
	const (
		channel  = "C1"
		announce = "C0ANNOUNCE"
		steward  = "USTEWARD"
	)
	s := slacktest.NewServer(t)
	r := startSlackRun(t, s, map[string]string{
		"UNIONHALL_STEWARDS":     "slack:" + steward,
		"SLACK_ANNOUNCE_CHANNEL": "#" + announce,
		// The example deadline stays in the console; a real local
		// configures its own.
		deadlinesFileVar: writeFile(t, t.TempDir(), "deadlines.yaml", string(reminders.DefaultDeadlines().Data)),
	})
	// Every envelope sent is named here, to check at the end that each was
	// acknowledged.
	var envelopes []string
	slash := func(id, command, text, user string) {
		t.Helper()
		envelopes = append(envelopes, id)
		s.SendSlashCommand(id, command, text, user, channel)
	}
	click := func(id, user, ts string, blocks []map[string]any, btn slacktest.Button) {
		t.Helper()
		envelopes = append(envelopes, id)
		s.SendClick(id, user, channel, ts, blocks, btn)
	}
	// posted waits for the first message posted in ch whose text contains
	// want.
	posted := func(what, ch, want string) slacktest.Call {
		t.Helper()
		var got slacktest.Call
		bottest.WaitFor(t, what, func() bool {
			for _, c := range s.Posts() {
				if c.Form.Get("channel") == ch && strings.Contains(c.Text(), want) {
					got = c
					return true
				}
			}
			return false
		})
		return got
	}
	// private waits for the first post to response_url hook and checks
	// that it is shown to the member alone.
	private := func(what, hook string) slacktest.ResponsePost {
		t.Helper()
		bottest.WaitFor(t, what, func() bool { return len(s.ResponsePosts(hook)) > 0 })
		p := s.ResponsePosts(hook)[0]
		if p.ResponseType() != "ephemeral" {
			t.Errorf("%s: response_type = %q, want ephemeral", what, p.ResponseType())
		}
		return p
	}

	// 0. The steward sets a reminder due in 2 s; it is confirmed in the
	// channel.
	added := time.Now()
	slash("rem-add", "/reminders", "add in 2s Vote today", steward)
	conf := posted("the /reminders add confirmation", channel, "Vote today")
	if !regexp.MustCompile(`Reminder R\d+ set for .*\n?Vote today`).MatchString(conf.Text()) {
		t.Errorf("reminder confirmation = %q", conf.Text())
	}

	// 1. A member's misspelt question is answered in a thread under it
	// with the retirement-age card: its source in the context block and
	// feedback buttons whose values are the typed commands.
	const questionTS = "1700000100.000100"
	envelopes = append(envelopes, "ask")
	s.SendEvent("ask", slacktest.Mention("U1", channel, "<@"+slacktest.BotUserID+"> is the retirment age going up", questionTS, ""))
	answer := posted("the answer to the question", channel, "retirement age")
	if got := answer.Form.Get("thread_ts"); got != questionTS {
		t.Errorf("the answer is in thread %q, want %q (under the question)", got, questionTS)
	}
	ab := answer.Blocks()
	if h := slacktest.BlocksOfType(ab, "header"); len(h) != 1 || !strings.Contains(slacktest.Text("", h), "Will the deal raise the retirement age?") {
		t.Errorf("answer header = %q", slacktest.Text("", h))
	}
	if ctx := slacktest.BlocksOfType(ab, "context"); len(ctx) != 1 || !strings.Contains(slacktest.Text("", ctx), "Source:") {
		t.Errorf("answer context = %q, want the source", slacktest.Text("", ctx))
	}
	wantFAQ := []slacktest.Button{
		{Label: "Helpful", Value: "/faq feedback retirement-age helpful"},
		{Label: "Not helpful", Value: "/faq feedback retirement-age not-helpful"},
	}
	if got := labelsAndValues(slacktest.Buttons(ab)); !slices.Equal(got, wantFAQ) {
		t.Errorf("answer buttons = %+v, want %+v", got, wantFAQ)
	}

	// 2. A member may not open a poll: the refusal is private. The
	// steward's poll is posted as a card with a button per option.
	const pollCmd = `"Ratify?" "Yes" "No"`
	slash("poll-member", "/poll", pollCmd, "U1")
	if p := private("the refusal of a member's /poll", "poll-member"); !strings.Contains(p.Text(), "Only stewards can open a poll") {
		t.Errorf("refusal = %q", p.Text())
	}
	slash("poll-steward", "/poll", pollCmd, steward)
	card := posted("the poll card", channel, "Ratify?")
	pollTS, pollBlocks := card.TS, card.Blocks()
	if h := slacktest.BlocksOfType(pollBlocks, "header"); !strings.Contains(slacktest.Text("", h), "Ratify?") {
		t.Errorf("poll header = %q", slacktest.Text("", h))
	}
	pollButtons := slacktest.Buttons(pollBlocks)
	wantPoll := []slacktest.Button{{Label: "Yes", Value: "/vote 1 1"}, {Label: "No", Value: "/vote 1 2"}}
	if got := labelsAndValues(pollButtons); !slices.Equal(got, wantPoll) {
		t.Fatalf("poll buttons = %+v, want %+v", got, wantPoll)
	}
	if !strings.Contains(card.Text(), "0 members voted") {
		t.Errorf("new poll card = %q, want 0 votes", card.Text())
	}

	// 3. Three members vote with the buttons; each is told privately, and
	// the card is updated in place to the exact tally. A repeated click
	// changes nothing.
	yes, no := pollButtons[0], pollButtons[1]
	for _, v := range []struct{ user, hook, want string }{
		{"U1", "vote-1", "Your vote in poll 1 is recorded: 1. Yes."},
		{"U2", "vote-2", "Your vote in poll 1 is recorded: 1. Yes."},
		{"U3", "vote-3", "Your vote in poll 1 is recorded: 2. No."},
	} {
		btn := yes
		if strings.Contains(v.want, "No.") {
			btn = no
		}
		click(v.hook, v.user, pollTS, pollBlocks, btn)
		if p := private("the confirmation of "+v.user+"'s vote", v.hook); !strings.Contains(p.Text(), v.want) {
			t.Errorf("%s's confirmation = %q, want %q", v.user, p.Text(), v.want)
		}
	}
	tally := regexp.MustCompile(`Yes\D*2 \(67%\)(.|\n)*No\D*1 \(33%\)(.|\n)*3 members voted`)
	var counted slacktest.Call
	bottest.WaitFor(t, "the card updated to 3 votes", func() bool {
		ups := updatesOf(s, channel, pollTS)
		if len(ups) == 0 {
			return false
		}
		counted = ups[len(ups)-1]
		return strings.Contains(counted.Text(), "3 members voted")
	})
	if !tally.MatchString(counted.Text()) {
		t.Errorf("card after 3 votes = %q, want Yes 2 (67%%), No 1 (33%%)", counted.Text())
	}
	if got := labelsAndValues(slacktest.Buttons(counted.Blocks())); !slices.Equal(got, wantPoll) {
		t.Errorf("open card's buttons after votes = %+v, want %+v", got, wantPoll)
	}
	click("vote-again", "U1", pollTS, pollBlocks, yes)
	if p := private("the answer to a repeated click", "vote-again"); !strings.Contains(p.Text(), "already counted") {
		t.Errorf("repeated click = %q, want already counted", p.Text())
	}

	// 4. The steward closes the poll: the result is posted, and the card
	// shows its closed state without buttons.
	slash("poll-close", "/poll", "close 1", steward)
	result := posted("the poll result", channel, "Poll 1 has closed")
	if !regexp.MustCompile(`Yes\D*2(.|\n)*No\D*1`).MatchString(result.Text()) {
		t.Errorf("posted result = %q, want Yes 2, No 1", result.Text())
	}
	if len(slacktest.Buttons(result.Blocks())) != 0 {
		t.Errorf("the result has buttons: %+v", slacktest.Buttons(result.Blocks()))
	}
	bottest.WaitFor(t, "the card updated to closed", func() bool {
		ups := updatesOf(s, channel, pollTS)
		return len(ups) > 0 && strings.Contains(ups[len(ups)-1].Text(), "Final result")
	})

	// 5. The reminder is announced in the announcement channel, not
	// before its time, and is then no longer listed.
	ann := posted("the reminder announcement", announce, "Reminder: Vote today")
	if after := ann.At.Sub(added); after < 1900*time.Millisecond {
		t.Errorf("the reminder due in 2s was announced after %s", after)
	}
	slash("rem-list", "/reminders", "list", steward)
	if p := private("/reminders list", "rem-list"); strings.Contains(p.Text(), "Vote today") || !strings.Contains(p.Text(), "Ratification deadline") {
		t.Errorf("/reminders list after the announcement = %q", p.Text())
	}

	// Stopping sends what is still queued; only then are the counts final.
	r.stop()
	for _, id := range envelopes {
		if !s.Acked(id) {
			t.Errorf("envelope %s was never acknowledged", id)
		}
	}
	var announced int
	for _, c := range s.Posts() {
		txt := c.Text()
		if strings.Contains(txt, "Reminder: Vote today") {
			announced++
		}
		for _, secret := range []string{"Only stewards", "Your vote", "already counted", "Upcoming reminders"} {
			if strings.Contains(txt, secret) {
				t.Errorf("a private answer was posted in channel %s: %q", c.Form.Get("channel"), txt)
			}
		}
	}
	if announced != 1 {
		t.Errorf("the reminder was posted %d times, want once", announced)
	}
	if n := len(s.Ephemerals()); n != 0 {
		t.Errorf("%d ephemeral posts; every private answer here has a response_url", n)
	}
	ups := updatesOf(s, channel, pollTS)
	last := ups[len(ups)-1]
	if len(slacktest.Buttons(last.Blocks())) != 0 || !strings.Contains(last.Text(), "closed") || !tally.MatchString(last.Text()) {
		t.Errorf("the card's last update = %q with buttons %+v, want closed with the final tally and no buttons", last.Text(), slacktest.Buttons(last.Blocks()))
	}
	prev := 0
	for _, u := range ups {
		m := regexp.MustCompile(`(\d+) members? voted`).FindStringSubmatch(u.Text())
		if m == nil {
			t.Errorf("card update without a count: %q", u.Text())
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n < prev {
			t.Errorf("card updates went back from %d to %d votes", prev, n)
		}
		prev = n
	}
	for _, c := range s.Updates() {
		if c.Form.Get("ts") != pollTS {
			t.Errorf("unexpected chat.update of %s/%s: %q", c.Form.Get("channel"), c.Form.Get("ts"), c.Text())
		}
	}
}

// updatesOf returns the chat.update calls of the message ch/ts, oldest
// first.
func updatesOf(s *slacktest.Server, ch, ts string) []slacktest.Call {
	var out []slacktest.Call
	for _, c := range s.Updates() {
		if c.Form.Get("channel") == ch && c.Form.Get("ts") == ts {
			out = append(out, c)
		}
	}
	return out
}

// labelsAndValues keeps only what a member sees and what a click sends.
func labelsAndValues(bs []slacktest.Button) []slacktest.Button {
	out := make([]slacktest.Button, len(bs))
	for i, b := range bs {
		out[i] = slacktest.Button{Label: b.Label, Value: b.Value}
	}
	return out
}

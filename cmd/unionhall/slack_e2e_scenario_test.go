package main

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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
	s := newLocalSlack(t)
	r := startSlackRun(t, s, map[string]string{
		"UNIONHALL_STEWARDS":     "slack:" + steward,
		"SLACK_ANNOUNCE_CHANNEL": "#" + announce,
	})
	var envelopes []string
	send := func(env map[string]any) {
		t.Helper()
		envelopes = append(envelopes, env["envelope_id"].(string))
		s.send(env)
	}
	// posted waits for the first message posted in ch whose text contains
	// want.
	posted := func(what, ch, want string) slackCall {
		t.Helper()
		var got slackCall
		waitUntil(t, what, func() bool {
			for _, c := range s.callsTo("chat.postMessage") {
				if c.Form.Get("channel") == ch && strings.Contains(c.text(), want) {
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
	private := func(what, hook string) hookPost {
		t.Helper()
		waitUntil(t, what, func() bool { return len(s.hookPosts(hook)) > 0 })
		p := s.hookPosts(hook)[0]
		if p.Msg.ResponseType != "ephemeral" {
			t.Errorf("%s: response_type = %q, want ephemeral", what, p.Msg.ResponseType)
		}
		return p
	}

	// 0. The steward sets a reminder due in 2 s; it is confirmed in the
	// channel.
	added := time.Now()
	send(e2eSlash("rem-add", "/reminders", "add in 2s Vote today", steward, channel, s.hook("rem-add")))
	conf := posted("the /reminders add confirmation", channel, "Vote today")
	if !regexp.MustCompile(`Reminder #\d+ set for .*\n?Vote today`).MatchString(conf.text()) {
		t.Errorf("reminder confirmation = %q", conf.text())
	}

	// 1. A member's misspelt question is answered in a thread under it
	// with the retirement-age card: its source in the context block and
	// feedback buttons whose values are the typed commands.
	const questionTS = "1700000100.000100"
	send(e2eMention("ask", "U1", channel, "<@"+e2eBotUser+"> is the retirment age going up", questionTS))
	answer := posted("the answer to the question", channel, "retirement age")
	if got := answer.Form.Get("thread_ts"); got != questionTS {
		t.Errorf("the answer is in thread %q, want %q (under the question)", got, questionTS)
	}
	ab := answer.blocks()
	if h := blocksOfType(ab, "header"); len(h) != 1 || !strings.Contains(blockText("", h), "Will the deal raise the retirement age?") {
		t.Errorf("answer header = %q", blockText("", h))
	}
	if ctx := blocksOfType(ab, "context"); len(ctx) != 1 || !strings.Contains(blockText("", ctx), "Source:") {
		t.Errorf("answer context = %q, want the source", blockText("", ctx))
	}
	wantFAQ := []slackButton{
		{Label: "Helpful", Value: "/faq feedback retirement-age helpful"},
		{Label: "Not helpful", Value: "/faq feedback retirement-age not-helpful"},
	}
	if got := labelsAndValues(buttons(ab)); !slices.Equal(got, wantFAQ) {
		t.Errorf("answer buttons = %+v, want %+v", got, wantFAQ)
	}

	// 2. A member may not open a poll: the refusal is private. The
	// steward's poll is posted as a card with a button per option.
	const pollCmd = `"Ratify?" "Yes" "No"`
	send(e2eSlash("poll-member", "/poll", pollCmd, "U1", channel, s.hook("poll-member")))
	if p := private("the refusal of a member's /poll", "poll-member"); !strings.Contains(p.text(), "Only stewards can open a poll") {
		t.Errorf("refusal = %q", p.text())
	}
	send(e2eSlash("poll-steward", "/poll", pollCmd, steward, channel, s.hook("poll-steward")))
	card := posted("the poll card", channel, "Ratify?")
	pollTS, pollBlocks := card.TS, card.blocks()
	if h := blocksOfType(pollBlocks, "header"); !strings.Contains(blockText("", h), "Ratify?") {
		t.Errorf("poll header = %q", blockText("", h))
	}
	pollButtons := buttons(pollBlocks)
	wantPoll := []slackButton{{Label: "Yes", Value: "/vote 1 1"}, {Label: "No", Value: "/vote 1 2"}}
	if got := labelsAndValues(pollButtons); !slices.Equal(got, wantPoll) {
		t.Fatalf("poll buttons = %+v, want %+v", got, wantPoll)
	}
	if !strings.Contains(card.text(), "0 members voted") {
		t.Errorf("new poll card = %q, want 0 votes", card.text())
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
		send(e2eClick(v.hook, v.user, channel, pollTS, pollBlocks, btn, s.hook(v.hook)))
		if p := private("the confirmation of "+v.user+"'s vote", v.hook); !strings.Contains(p.text(), v.want) {
			t.Errorf("%s's confirmation = %q, want %q", v.user, p.text(), v.want)
		}
	}
	tally := regexp.MustCompile(`Yes\D*2 \(67%\)(.|\n)*No\D*1 \(33%\)(.|\n)*3 members voted`)
	var counted slackCall
	waitUntil(t, "the card updated to 3 votes", func() bool {
		ups := updatesOf(s, channel, pollTS)
		if len(ups) == 0 {
			return false
		}
		counted = ups[len(ups)-1]
		return strings.Contains(counted.text(), "3 members voted")
	})
	if !tally.MatchString(counted.text()) {
		t.Errorf("card after 3 votes = %q, want Yes 2 (67%%), No 1 (33%%)", counted.text())
	}
	if got := labelsAndValues(buttons(counted.blocks())); !slices.Equal(got, wantPoll) {
		t.Errorf("open card's buttons after votes = %+v, want %+v", got, wantPoll)
	}
	send(e2eClick("vote-again", "U1", channel, pollTS, pollBlocks, yes, s.hook("vote-again")))
	if p := private("the answer to a repeated click", "vote-again"); !strings.Contains(p.text(), "already counted") {
		t.Errorf("repeated click = %q, want already counted", p.text())
	}

	// 4. The steward closes the poll: the result is posted, and the card
	// shows its closed state without buttons.
	send(e2eSlash("poll-close", "/poll", "close 1", steward, channel, s.hook("poll-close")))
	result := posted("the poll result", channel, "Poll 1 has closed")
	if !regexp.MustCompile(`Yes\D*2(.|\n)*No\D*1`).MatchString(result.text()) {
		t.Errorf("posted result = %q, want Yes 2, No 1", result.text())
	}
	if len(buttons(result.blocks())) != 0 {
		t.Errorf("the result has buttons: %+v", buttons(result.blocks()))
	}
	waitUntil(t, "the card updated to closed", func() bool {
		ups := updatesOf(s, channel, pollTS)
		return len(ups) > 0 && strings.Contains(ups[len(ups)-1].text(), "Final result")
	})

	// 5. The reminder is announced in the announcement channel, not
	// before its time, and is then no longer listed.
	ann := posted("the reminder announcement", announce, "Reminder: Vote today")
	if after := ann.At.Sub(added); after < 1900*time.Millisecond {
		t.Errorf("the reminder due in 2s was announced after %s", after)
	}
	send(e2eSlash("rem-list", "/reminders", "list", steward, channel, s.hook("rem-list")))
	if p := private("/reminders list", "rem-list"); strings.Contains(p.text(), "Vote today") || !strings.Contains(p.text(), "Ratification deadline") {
		t.Errorf("/reminders list after the announcement = %q", p.text())
	}

	// Stopping sends what is still queued; only then are the counts final.
	r.stop()
	for _, id := range envelopes {
		if !s.acked(id) {
			t.Errorf("envelope %s was never acknowledged", id)
		}
	}
	var announced int
	for _, c := range s.callsTo("chat.postMessage") {
		txt := c.text()
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
	if n := len(s.callsTo("chat.postEphemeral")); n != 0 {
		t.Errorf("%d ephemeral posts; every private answer here has a response_url", n)
	}
	ups := updatesOf(s, channel, pollTS)
	last := ups[len(ups)-1]
	if len(buttons(last.blocks())) != 0 || !strings.Contains(last.text(), "closed") || !tally.MatchString(last.text()) {
		t.Errorf("the card's last update = %q with buttons %+v, want closed with the final tally and no buttons", last.text(), buttons(last.blocks()))
	}
	prev := 0
	for _, u := range ups {
		m := regexp.MustCompile(`(\d+) members? voted`).FindStringSubmatch(u.text())
		if m == nil {
			t.Errorf("card update without a count: %q", u.text())
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n < prev {
			t.Errorf("card updates went back from %d to %d votes", prev, n)
		}
		prev = n
	}
	for _, c := range s.callsTo("chat.update") {
		if c.Form.Get("ts") != pollTS {
			t.Errorf("unexpected chat.update of %s/%s: %q", c.Form.Get("channel"), c.Form.Get("ts"), c.text())
		}
	}
	if strings.Contains(r.log.String(), s.hook("")) {
		t.Error("run's log contains a response_url")
	}
}

// updatesOf returns the chat.update calls of the message ch/ts, oldest
// first.
func updatesOf(s *localSlack, ch, ts string) []slackCall {
	var out []slackCall
	for _, c := range s.callsTo("chat.update") {
		if c.Form.Get("channel") == ch && c.Form.Get("ts") == ts {
			out = append(out, c)
		}
	}
	return out
}

// labelsAndValues keeps only what a member sees and what a click sends.
func labelsAndValues(bs []slackButton) []slackButton {
	out := make([]slackButton, len(bs))
	for i, b := range bs {
		out[i] = slackButton{Label: b.Label, Value: b.Value}
	}
	return out
}

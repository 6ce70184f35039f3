package main

import (
	"strings"
	"testing"
)

// TestRunWithSlack runs "unionhall run" against a local Slack: the bot
// connects over Socket Mode, and a member's @mention of /help is answered
// privately in the channel.
func TestRunWithSlack(t *testing.T) {
	s := newLocalSlack(t)
	startSlackRun(t, s, nil)
	s.send(e2eMention("env-1", "U1", "C1", "<@UBOT> /help", "1700000000.000100"))
	waitUntil(t, "the answer to /help", func() bool { return len(s.callsTo("chat.postEphemeral")) > 0 })
	got := s.callsTo("chat.postEphemeral")[0].Form
	if got.Get("channel") != "C1" || got.Get("user") != "U1" || !strings.Contains(got.Get("blocks"), "/help") {
		t.Errorf("answer = %v", got)
	}
	waitUntil(t, "the acknowledgement of the envelope", func() bool { return s.acked("env-1") })
}

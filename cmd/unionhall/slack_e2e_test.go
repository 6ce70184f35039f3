package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// slackRun is "unionhall run" running against a local Slack.
type slackRun struct {
	t     testing.TB
	slack *slacktest.Server
	log   *bottest.LogBuffer
	// proc is the run; it returns the exit code.
	proc    *bottest.Running[int]
	stopped bool
}

// startSlackRun runs "unionhall run" with the Slack tokens pointing at s
// and the extra settings in vars, and returns once the bot has connected
// over Socket Mode. The run is stopped at the end of the test, which then
// checks that it exited cleanly, called Slack with the right tokens and
// never logged a secret.
func startSlackRun(t testing.TB, s *slacktest.Server, vars map[string]string) *slackRun {
	t.Helper()
	env := map[string]string{
		"SLACK_BOT_TOKEN": slacktest.BotToken,
		"SLACK_APP_TOKEN": slacktest.AppToken,
		"SLACK_API_URL":   s.APIURL(),
	}
	for k, v := range vars {
		env[k] = v
	}
	r := &slackRun{t: t, slack: s, log: &bottest.LogBuffer{}}
	dir := t.TempDir()
	r.proc = bottest.Start(t, func(ctx context.Context) int {
		return run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, r.log, testEnv(dir, env))
	})
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			t.Logf("run's log:\n%s", r.log.String())
		}
	})
	bottest.WaitFor(t, "a Socket Mode connection", func() bool {
		select {
		case <-r.proc.Done():
			r.stopped = true
			t.Fatalf("run exited with %d before connecting:\n%s", r.proc.Stop(), r.log.String())
		default:
		}
		return s.Connected()
	})
	return r
}

// stop cancels the run, waits for it to exit, and checks that it exited
// with 0, that every call it made to Slack carried the right token, and
// that no secret is in its log. It is safe to call twice.
func (r *slackRun) stop() {
	r.t.Helper()
	if r.stopped {
		return
	}
	r.stopped = true
	if c := r.proc.Stop(); c != 0 {
		r.t.Errorf("run exited with %d", c)
	}
	for _, c := range r.slack.Calls() {
		if c.Err == "invalid_auth" {
			r.t.Errorf("%s called without the right token", c.Method)
		}
	}
	if leaked := slacktest.LeakedSecrets(r.log.String()); len(leaked) > 0 {
		r.t.Errorf("run's log contains a secret (%q)", leaked)
	}
}

// TestRunWithSlack runs "unionhall run" against a local Slack: the bot
// connects over Socket Mode, and a member's @mention of /help is answered
// privately in the channel.
func TestRunWithSlack(t *testing.T) {
	s := slacktest.NewServer(t)
	startSlackRun(t, s, nil)
	s.SendEvent("env-1", slacktest.Mention("U1", "C1", "<@"+slacktest.BotUserID+"> /help", "1700000000.000100", ""))
	bottest.WaitFor(t, "the answer to /help", func() bool { return len(s.Ephemerals()) > 0 })
	got := s.Ephemerals()[0].Form
	if got.Get("channel") != "C1" || got.Get("user") != "U1" || !strings.Contains(got.Get("blocks"), "/help") {
		t.Errorf("answer = %v", got)
	}
	s.WaitAcked("env-1")
}

package main

import (
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// TestSlackDeliveryHandledOnceAcrossProcesses runs two "unionhall run"s
// on one PostgreSQL database, each with its own Socket Mode connection.
// Slack delivers an event on one connection and retries it on the other
// (new envelope, same event ID): it is answered once. A new event on the
// second connection is answered, so that one is listening.
func TestSlackDeliveryHandledOnceAcrossProcesses(t *testing.T) {
	url := pgtest.Fresh(t)
	s := slacktest.NewServer(t)
	vars := map[string]string{"UNIONHALL_DB": url}
	startSlackRun(t, s, vars)
	startSlackRun(t, s, vars)
	bottest.WaitFor(t, "two Socket Mode connections", func() bool { return s.Sockets() == 2 })

	help := slacktest.Mention("U1", "C1", "<@"+slacktest.BotUserID+"> /help", "1700000000.000100", "")
	s.SendOn(1, slacktest.EventsAPIEnvelope("env-1", "Ev1", 0, help))
	s.WaitAcked("env-1")
	bottest.WaitFor(t, "the answer to /help", func() bool { return len(s.Ephemerals()) == 1 })
	s.SendOn(0, slacktest.EventsAPIEnvelope("env-2", "Ev1", 1, help))
	s.WaitAcked("env-2")
	// Answers to one member go out in order, so once the answer to a
	// later event is out, an answer to the retry would be too.
	later := slacktest.Mention("U1", "C1", "<@"+slacktest.BotUserID+"> /nosuchcommand", "1700000000.000300", "")
	s.SendOn(0, slacktest.EventsAPIEnvelope("env-3", "Ev3", 0, later))
	bottest.WaitFor(t, "the answer to a new event", func() bool {
		e := s.Ephemerals()
		return strings.Contains(e[len(e)-1].Text(), "nosuchcommand")
	})
	if n := len(s.Ephemerals()); n != 2 {
		t.Errorf("%d answers to one event, its retry and a new event, want 2", n)
	}
}

package polls_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot/bottest"
)

func TestScheduledPollOpensOnceWithAReminder(t *testing.T) {
	e := newEnv(t)
	rec := e.mustSay("steward", `/poll "Ratify?" "Yes" "No" --opens in 2h --closes in 1d --remind 1h`,
		"Poll 1 is scheduled: its card will be posted in this channel in 2 hours (Mon Jul 18, 2011 11:00 AM UTC), and votes taken from then on. It closes Tue Jul 19, 2011 9:00 AM UTC. A reminder goes out 1 hour before it closes.")
	if rs := rec.Replies(); len(rs) != 1 || rs[0].Card != nil || !rs[0].Private {
		t.Fatalf("scheduling replies %+v", rs)
	}
	e.mustSay("alice", "/vote 1 1", "Poll 1 opens Mon Jul 18, 2011 11:00 AM UTC")
	e.mustSay("alice", "/poll list", "There are no open polls in this channel.")
	e.mustSay("steward", "/poll list", "1. Ratify? (0 votes, scheduled: posted in 2 hours")
	e.closeDue()
	if n := len(e.hub.Posts()); n != 0 {
		t.Fatalf("%d posts before the opening", n)
	}
	e.clock.Advance(2 * time.Hour)
	e.closeDueConcurrently(8)
	posts := e.hub.Posts()
	if len(posts) != 1 || posts[0].Reply.Card == nil || posts[0].Reply.Card.Key != "poll:1" || len(posts[0].Reply.Card.Buttons) != 2 || posts[0].To.Channel != "console" {
		t.Fatalf("opening posts %+v", posts)
	}
	// Not again, after a restart either.
	e.restart()
	hub := e.hub
	e.closeDue()
	if n := len(hub.Posts()); n != 0 {
		t.Fatalf("the opening was posted again after a restart: %d", n)
	}
	e.mustSay("alice", "/vote 1 1", "recorded")
	e.clock.Advance(21 * time.Hour) // 10:00 the next day: 1 hour left
	e.closeDue()
	e.closeDue()
	posts = hub.Posts()
	if len(posts) != 1 || !strings.Contains(posts[0].Reply.Text, `Poll 1, "Ratify?", closes in 1 hour (Tue Jul 19, 2011 9:00 AM UTC).`) {
		t.Fatalf("reminder posts %+v", posts)
	}
	e.clock.Advance(time.Hour)
	e.closeDue()
	if posts = hub.Posts(); len(posts) != 2 || !strings.Contains(posts[1].Reply.Text, "Poll 1 has closed") {
		t.Fatalf("posts %+v", posts)
	}
}

func TestScheduledPollDeletedBeforeItOpens(t *testing.T) {
	e := newEnv(t)
	e.mustSay("steward", `/poll "Ratify?" "Yes" "No" --opens in 1h`, "scheduled")
	rec := e.mustSay("steward", "/poll delete 1", `Scheduled poll 1 ("Ratify?") is deleted and will not be posted.`)
	if len(rec.Updates()) != 0 {
		t.Fatalf("a card that was never posted was updated: %+v", rec.Updates())
	}
	e.mustSay("steward", "/poll audit 1", "open by steward (console:steward): scheduled to be posted Mon Jul 18, 2011 10:00 AM UTC")
	e.clock.Advance(time.Hour)
	e.closeDue()
	if n := len(e.hub.Posts()); n != 0 {
		t.Fatalf("a deleted scheduled poll was posted: %d", n)
	}
}

func TestScheduleRefusals(t *testing.T) {
	e := newEnv(t)
	for cmd, want := range map[string]string{
		`/poll "Q?" "Yes" "No" --remind 1h`:                              "it needs a close time",
		`/poll "Q?" "Yes" "No" --opens 2011-07-17 10:00`:                 "is in the past",
		`/poll "Q?" "Yes" "No" --opens in 2h --closes in 1h`:             "would close (Mon Jul 18, 2011 10:00 AM UTC) before it opens",
		`/poll "Q?" "Yes" "No" --opens in 2h --closes in 3h --remind 2h`: "A reminder 2 hours before the close would come at Mon Jul 18, 2011 10:00 AM UTC, before the poll is open",
		`/poll "Q?" "Yes" "No" --closes in 3h --remind soon`:             "--remind takes how long before the close",
	} {
		e.mustSay("steward", cmd, want)
	}
}

func TestReminderSkippedWhenClosedEarly(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 2h --remind 1h`)
	e.mustSay("steward", "/poll close 1", "")
	e.clock.Advance(90 * time.Minute)
	e.closeDue()
	if posts := e.hub.Posts(); len(posts) != 0 {
		t.Fatalf("a reminder for a closed poll: %+v", posts)
	}
}

func TestFailedOpeningIsRetried(t *testing.T) {
	e := newEnv(t)
	e.mustSay("steward", `/poll "Ratify?" "Yes" "No" --opens in 1h`, "scheduled")
	e.hub.FailPosts(1)
	e.clock.Advance(time.Hour)
	e.closeDue()
	if n := len(e.hub.Posts()); n != 0 {
		t.Fatalf("%d posts after a failure", n)
	}
	if !strings.Contains(e.logs.String(), "posting a poll opening failed; will retry") {
		t.Fatalf("logs:\n%s", e.logs.String())
	}
	e.clock.Advance(time.Minute)
	e.closeDue()
	if n := len(e.hub.Posts()); n != 1 {
		t.Fatalf("%d posts after the retry", n)
	}
}

func TestInterruptedOpeningIsNotPostedAgain(t *testing.T) {
	e := newEnv(t)
	e.mustSay("steward", `/poll "Ratify?" "Yes" "No" --opens in 1h`, "scheduled")
	e.clock.Advance(time.Hour)
	// A process claims the opening and stops before recording it.
	due, err := e.store.DueEvents(context.Background(), e.clock.Now())
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v %v", due, err)
	}
	if ok, err := e.store.ClaimEvent(context.Background(), due[0], e.clock.Now()); !ok || err != nil {
		t.Fatalf("claim %v %v", ok, err)
	}
	e.restart()
	e.runCloser()
	bottest.WaitFor(t, "the interrupted opening to be reported", func() bool {
		return strings.Contains(e.logs.String(), "Union Hall stopped while posting a poll opening")
	})
	e.closeDue()
	if n := len(e.hub.Posts()); n != 0 {
		t.Fatalf("an interrupted opening was posted again: %d", n)
	}
	if due, _ := e.store.DueEvents(context.Background(), e.clock.Now().Add(48*time.Hour)); len(due) != 0 {
		t.Fatalf("still due: %+v", due)
	}
}

package polls_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
)

func TestRetryDelayDoublesUpToThirtyMinutes(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 30 * time.Minute, 30 * time.Minute}
	for i, w := range want {
		if got := polls.RetryDelay(i + 1); got != w {
			t.Errorf("after %d failures: wait %v, want %v", i+1, got, w)
		}
	}
	if got := polls.RetryDelay(1000); got != 30*time.Minute {
		t.Errorf("after 1000 failures: wait %v", got)
	}
}

func TestFailedResultPostIsRetriedWithBackoff(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h --rule majority`)
	e.mustSay("alice", "/vote 1 1", "recorded")
	hub := e.hub
	hub.FailPosts(3)
	closed := e.clock.Advance(time.Hour)
	e.closeDue()
	rp := e.resultPost(1)
	if rp.State != polls.ResultRetry || rp.Attempts != 1 || !rp.NextTry.Equal(closed.Add(time.Minute)) || !rp.PostedAt.IsZero() || !strings.Contains(rp.Error, "unreachable") {
		t.Fatalf("after the first failure: %+v", rp)
	}
	if p, _ := e.store.Poll(context.Background(), 1); !p.Closed() {
		t.Fatal("poll not closed")
	}
	if !strings.Contains(e.logs.String(), "will retry") {
		t.Errorf("failure not logged:\n%s", e.logs)
	}
	// Not before the next try.
	e.clock.Advance(59 * time.Second)
	e.closeDue()
	if n := hub.Attempts(); n != 1 {
		t.Fatalf("%d attempts before the first retry was due", n)
	}
	// Retries 1, 2 and 4 minutes apart; the third retry succeeds.
	for i, wait := range []time.Duration{time.Minute, 3 * time.Minute, 7 * time.Minute} {
		e.clock.Set(closed.Add(wait))
		e.closeDue()
		if n := hub.Attempts(); n != i+2 {
			t.Fatalf("at close+%v: %d attempts, want %d", wait, n, i+2)
		}
		if i < 2 {
			rp := e.resultPost(1)
			next := []time.Duration{3 * time.Minute, 7 * time.Minute}[i]
			if rp.State != polls.ResultRetry || rp.Attempts != i+2 || !rp.NextTry.Equal(closed.Add(next)) {
				t.Fatalf("at close+%v: %+v, want next try at close+%v", wait, rp, next)
			}
		}
	}
	sent := hub.Posts()
	if len(sent) != 1 {
		t.Fatalf("posted %d times", len(sent))
	}
	if r := sent[0].Reply; r.Private || sent[0].To.Channel != "console" || r.Card == nil ||
		!strings.Contains(r.Text, "Poll 1 closed Mon Jul 18, 2011 10:00 AM UTC. Final result:") || !strings.Contains(r.Card.Body, "Majority rule: met") {
		t.Fatalf("posted %q %+v", r.Text, r.Card)
	}
	rp = e.resultPost(1)
	if rp.State != polls.ResultPosted || !rp.PostedAt.Equal(closed.Add(7*time.Minute)) || rp.Attempts != 3 || !rp.NextTry.IsZero() {
		t.Fatalf("after success: %+v", rp)
	}
	if cards := hub.Cards(); len(cards) == 0 || len(cards[len(cards)-1].Buttons) != 0 {
		t.Fatalf("final card not shown: %+v", cards)
	}
	// Recorded once: nothing more is ever posted.
	for range 3 {
		e.clock.Advance(time.Hour)
		e.closeDue()
	}
	if n := hub.Attempts(); n != 4 {
		t.Fatalf("%d attempts after success, want 4", n)
	}
	if rec := e.say("steward", "/poll results 1"); strings.Contains(rec.Text(), "For stewards") {
		t.Fatalf("a posted result is reported as unposted: %s", rec.Text())
	}
}

func TestResultPostGivesUpAfterTheWindow(t *testing.T) {
	e := newEnv(t)
	closed := e.closeUnposted(-1)
	hub := e.hub
	var tries []time.Time
	tries = append(tries, closed)
	for range 200 {
		rp := e.resultPost(1)
		if rp.State != polls.ResultRetry {
			break
		}
		e.clock.Set(rp.NextTry)
		tries = append(tries, rp.NextTry)
		e.closeDue()
	}
	rp := e.resultPost(1)
	if rp.State != polls.ResultFailed || rp.Attempts != len(tries) || hub.Attempts() != len(tries) {
		t.Fatalf("%+v after %d tries (%d sends)", rp, len(tries), hub.Attempts())
	}
	// Every gap follows the backoff, and the last try is at the end of the
	// window.
	for i := 1; i < len(tries)-1; i++ {
		if gap := tries[i].Sub(tries[i-1]); gap != polls.RetryDelay(i) {
			t.Fatalf("gap %d is %v, want %v", i, gap, polls.RetryDelay(i))
		}
	}
	if last := tries[len(tries)-1]; !last.Equal(closed.Add(polls.ResultRetryWindow)) {
		t.Fatalf("last try at %v, want %v", last, closed.Add(polls.ResultRetryWindow))
	}
	if !strings.Contains(e.logs.String(), "level=ERROR msg=\"gave up posting a poll result\"") {
		t.Errorf("giving up not logged as an error:\n%s", e.logs)
	}
	// Nothing more is tried.
	e.clock.Advance(48 * time.Hour)
	e.closeDue()
	if hub.Attempts() != len(tries) {
		t.Fatal("tried again after giving up")
	}
	// Stewards are told, in /poll results and /poll list; members are not
	// burdened with it.
	e.mustSay("steward", "/poll results 1", "the announcement of poll 1's result failed")
	e.mustSay("steward", "/poll list", "1. Ratify? (announcement FAILED, gave up; please share the result)")
	if rec := e.say("alice", "/poll results 1"); strings.Contains(rec.Text(), "For stewards") {
		t.Fatalf("member told: %s", rec.Text())
	}
	if rec := e.say("alice", "/poll list"); strings.Contains(rec.Text(), "FAILED") {
		t.Fatalf("member told: %s", rec.Text())
	}
}

func TestResultPostRetriedAfterRestart(t *testing.T) {
	e := newEnv(t)
	closed := e.closeUnposted(-1)
	if rp := e.resultPost(1); rp.State != polls.ResultRetry {
		t.Fatalf("%+v", rp)
	}
	e.mustSay("steward", "/poll list", "1. Ratify? (posting failed; next try in 1 minute)")
	e.restart()
	e.clock.Set(closed.Add(5 * time.Minute))
	hub := e.hub
	closer := e.runCloser()
	waitPosts(t, hub, 1)
	closer.Stop()
	if sent := hub.Posts(); len(sent) != 1 || !strings.Contains(sent[0].Reply.Text, "Poll 1 closed") {
		t.Fatalf("posted %+v", sent)
	}
	if rp := e.resultPost(1); rp.State != polls.ResultPosted || rp.Attempts != 1 {
		t.Fatalf("%+v", rp)
	}
}

func TestConcurrentRetriesPostOnce(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h`)
	e.open(`/poll "Strike?" "Yes" "No" --closes in 1h`)
	hub := e.hub
	hub.FailPosts(2)
	e.clock.Advance(time.Hour)
	e.closeDue()
	if a, b := e.resultPost(1), e.resultPost(2); a.State != polls.ResultRetry || b.State != polls.ResultRetry {
		t.Fatalf("%+v %+v", a, b)
	}
	e.clock.Advance(time.Minute)
	e.closeDueConcurrently(8)
	sent := hub.Posts()
	if len(sent) != 2 || hub.Attempts() != 4 {
		t.Fatalf("%d posts in %d attempts, want 2 in 4", len(sent), hub.Attempts())
	}
	if sent[0].Reply.Card.Title == sent[1].Reply.Card.Title {
		t.Fatalf("the same result posted twice: %q", sent[0].Reply.Card.Title)
	}
}

// flakyWriter is a ResponseWriter whose public posts fail, as when the
// platform cannot be reached; private replies get through.
type flakyWriter struct{ bottest.Recorder }

func (w *flakyWriter) Reply(ctx context.Context, r bot.Reply) error {
	if !r.Private {
		return bottest.ErrUnreachable
	}
	return w.Recorder.Reply(ctx, r)
}

func TestManualCloseTellsStewardTheResultWillBePostedAgain(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No"`)
	e.mustSay("alice", "/vote 1 1", "recorded")
	w := &flakyWriter{}
	e.router.Dispatch(context.Background(), w, bottest.Message("steward", "/poll close 1"))
	rs := w.Replies()
	if len(rs) != 1 || !rs[0].Private || !strings.Contains(rs[0].Text, "Poll 1 is closed, but I could not post its result in its channel. It will be posted again automatically: I try again in 1 minute") {
		t.Fatalf("steward told %+v", rs)
	}
	e.mustSay("steward", "/poll results 1", "For stewards: the result of poll 1 has not been posted in its channel yet (1 attempt failed). I will try again in 1 minute")
	hub := e.hub
	e.closeDue()
	if len(hub.Posts()) != 0 {
		t.Fatal("retried before it was due")
	}
	e.clock.Advance(time.Minute)
	e.closeDue()
	if sent := hub.Posts(); len(sent) != 1 || sent[0].To.Channel != "console" || sent[0].Reply.Card == nil {
		t.Fatalf("posted %+v", sent)
	}
	if rp := e.resultPost(1); rp.State != polls.ResultPosted {
		t.Fatalf("%+v", rp)
	}
}

func TestCardFailureRetriesTheCardOnly(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h`)
	hub := e.hub
	hub.FailCards(1)
	closed := e.clock.Advance(time.Hour)
	e.closeDue()
	rp := e.resultPost(1)
	if rp.State != polls.ResultRetry || !rp.PostedAt.Equal(closed) || len(hub.Posts()) != 1 {
		t.Fatalf("%+v, %d posts", rp, len(hub.Posts()))
	}
	// Stewards need not act: the result is posted.
	if rec := e.say("steward", "/poll results 1"); strings.Contains(rec.Text(), "For stewards") {
		t.Fatalf("%s", rec.Text())
	}
	e.clock.Advance(time.Minute)
	e.closeDue()
	if cards := hub.Cards(); len(hub.Posts()) != 1 || len(cards) != 1 || len(cards[0].Buttons) != 0 {
		t.Fatalf("%d posts, card updates %+v", len(hub.Posts()), cards)
	}
	if rp := e.resultPost(1); rp.State != polls.ResultPosted {
		t.Fatalf("%+v", rp)
	}
}

func TestPostInterruptedByAStopIsNotRepeated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h`)
	e.open(`/poll "Strike?" "Yes" "No" --closes in 1h`)
	closed := e.clock.Advance(time.Hour)
	// Two closers stopped mid-attempt: one before its post was recorded,
	// one after (with only the card left to show).
	for _, id := range []int64{1, 2} {
		if won, err := e.store.ClosePoll(ctx, id, polls.ClosedBySchedule, closed); err != nil || !won {
			t.Fatal(won, err)
		}
	}
	if err := e.store.RecordResultPost(ctx, polls.ResultPost{PollID: 2, State: polls.ResultSending, ClosedAt: closed, PostedAt: closed}); err != nil {
		t.Fatal(err)
	}
	e.restart()
	hub := e.hub
	closer := e.runCloser()
	// The closer is woken by nothing here: it shows poll 2's card as it
	// starts.
	bottest.WaitFor(t, "the closer to show the card of poll 2", func() bool { return e.resultPost(2).State == polls.ResultPosted })
	closer.Stop()
	e.clock.Advance(2 * time.Hour)
	e.closeDue()
	if n := hub.Attempts(); n != 0 {
		t.Fatalf("posted %d times after the stop", n)
	}
	if rp := e.resultPost(1); rp.State != polls.ResultUncertain {
		t.Fatalf("poll 1: %+v", rp)
	}
	if rp := e.resultPost(2); rp.State != polls.ResultPosted {
		t.Fatalf("poll 2: %+v", rp)
	}
	if !strings.Contains(e.logs.String(), "level=ERROR msg=\"Union Hall stopped while posting a poll result") {
		t.Errorf("not logged:\n%s", e.logs)
	}
	e.mustSay("steward", "/poll results 1", "Union Hall stopped while posting the result of poll 1")
	e.mustSay("steward", "/poll list", "1. Ratify? (may not have been posted")
}

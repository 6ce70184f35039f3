package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// closedPoll opens a poll on s and closes it at closed.
func closedPoll(t testing.TB, env *pollsEnv, closed time.Time) int64 {
	t.Helper()
	p := env.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"Yes", "No"}})
	if won, err := env.stores.Polls.ClosePoll(context.Background(), p.ID, "console:steward", closed); err != nil || !won {
		t.Fatal(won, err)
	}
	return p.ID
}

// closedPolls opens n polls on a fresh database and closes them a minute
// after the polls tests' start. It returns the polls store, the closing
// time and the polls' IDs.
func closedPolls(t *testing.T, e Engine, n int) (polls.Store, time.Time, []int64) {
	t.Helper()
	env := freshPolls(t, e)
	closed := PollsStart().Add(time.Minute)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = closedPoll(t, env, closed)
	}
	return env.stores.Polls, closed, ids
}

// testClaimResultPostOnce races claims of one due retry, from several
// processes: exactly one wins, and a post that is not under way cannot be
// recorded, so a result is retried at most once at a time.
func testClaimResultPostOnce(t *testing.T, e Engine) {
	ctx := context.Background()
	clock := bot.NewManualClock(PollsStart())
	handles := fresh(t, e, clock).openN(4)
	env := newPollsEnv(t, handles[0], clock)
	closed := PollsStart().Add(time.Minute)
	id := closedPoll(t, env, closed)
	next := closed.Add(time.Minute)
	must(t, env.stores.Polls.RecordResultPost(ctx, polls.ResultPost{PollID: id, State: polls.ResultRetry, ClosedAt: closed, Attempts: 1, NextTry: next, Error: "x"}))
	if _, ok, err := env.stores.Polls.ClaimResultPost(ctx, id, next.Add(-time.Second)); ok || err != nil {
		t.Fatalf("claimed before due: %v %v", ok, err)
	}
	won := make([]bool, 16)
	together(len(won), func(i int) {
		var err error
		if _, won[i], err = handles[i%len(handles)].Polls.ClaimResultPost(ctx, id, next); err != nil {
			t.Error(err)
		}
	})
	if n := trues(won); n != 1 {
		t.Fatalf("%d claims won", n)
	}
	rp, _ := env.stores.Polls.ResultPost(ctx, id)
	if rp.State != polls.ResultSending || rp.Attempts != 1 || !rp.NextTry.IsZero() {
		t.Fatalf("%+v", rp)
	}
	// A post that is not under way cannot be recorded.
	rp.State = polls.ResultPosted
	must(t, env.stores.Polls.RecordResultPost(ctx, rp))
	if err := handles[1].Polls.RecordResultPost(ctx, rp); err == nil {
		t.Fatal("recorded a post that was not under way")
	}
}

// testResultPostLifecycle: a failed attempt is recorded as a retry with
// its time, attempts and error; DueResultPosts and NextResultTry show it
// when due; a claim returns it in state sending; a posted result keeps
// its time and is no longer unposted; a state that cannot be recorded
// (none, uncertain, or a retry without a time) is refused and changes
// nothing.
func testResultPostLifecycle(t *testing.T, e Engine) {
	ctx := context.Background()
	s, closed, ids := closedPolls(t, e, 2)
	first, second := ids[0], ids[1]
	if _, ok, err := s.NextResultTry(ctx); ok || err != nil {
		t.Fatalf("next try with no retries: %v %v", ok, err)
	}
	for _, bad := range []polls.ResultPost{
		{PollID: first, State: polls.ResultNone},
		{PollID: first, State: polls.ResultUncertain},
		{PollID: first, State: polls.ResultRetry, Attempts: 1},
	} {
		if err := s.RecordResultPost(ctx, bad); err == nil {
			t.Errorf("recorded %+v", bad)
		}
	}
	if rp, err := s.ResultPost(ctx, first); err != nil || rp.State != polls.ResultSending || rp.Attempts != 0 {
		t.Fatalf("refused records changed the post: %+v %v", rp, err)
	}
	retryAt := func(id int64, at time.Time, attempts int) {
		t.Helper()
		must(t, s.RecordResultPost(ctx, polls.ResultPost{PollID: id, State: polls.ResultRetry, Attempts: attempts, NextTry: at, Error: fmt.Sprint("attempt ", attempts, " failed")}))
	}
	retryAt(first, closed.Add(2*time.Minute), 1)
	retryAt(second, closed.Add(time.Minute), 1)
	if next, ok, err := s.NextResultTry(ctx); err != nil || !ok || !next.Equal(closed.Add(time.Minute)) {
		t.Fatalf("next try %v %v %v", next, ok, err)
	}
	due, err := s.DueResultPosts(ctx, closed.Add(time.Minute))
	if err != nil || len(due) != 1 || due[0].PollID != second {
		t.Fatalf("due at the first retry: %+v %v", due, err)
	}
	due, err = s.DueResultPosts(ctx, closed.Add(time.Hour))
	if err != nil || len(due) != 2 || due[0].PollID != second || due[1].PollID != first {
		t.Fatalf("due later: %+v %v", due, err)
	}
	want := polls.ResultPost{PollID: first, State: polls.ResultRetry, ClosedAt: closed, Attempts: 1, NextTry: closed.Add(2 * time.Minute), Error: "attempt 1 failed"}
	if due[1] != want {
		t.Fatalf("due retry %+v, want %+v", due[1], want)
	}
	unposted, err := s.UnpostedResults(ctx, bot.PlatformConsole, "console")
	if err != nil || len(unposted) != 2 || unposted[0].PollID != first {
		t.Fatalf("unposted %+v %v", unposted, err)
	}

	rp, ok, err := s.ClaimResultPost(ctx, first, closed.Add(time.Hour))
	if err != nil || !ok || rp.State != polls.ResultSending || rp.Attempts != 1 || !rp.NextTry.IsZero() || rp.Error != "attempt 1 failed" {
		t.Fatalf("claimed %+v %v %v", rp, ok, err)
	}
	posted := closed.Add(time.Hour)
	rp.State, rp.PostedAt, rp.Error = polls.ResultPosted, posted, ""
	must(t, s.RecordResultPost(ctx, rp))
	if got, err := s.ResultPost(ctx, first); err != nil || got.State != polls.ResultPosted || !got.PostedAt.Equal(posted) || got.PostedAt.Location() != time.UTC {
		t.Fatalf("posted %+v %v", got, err)
	}
	if unposted, err := s.UnpostedResults(ctx, bot.PlatformConsole, "console"); err != nil || len(unposted) != 1 || unposted[0].PollID != second {
		t.Fatalf("unposted after posting %+v %v", unposted, err)
	}
	if unposted, err := s.UnpostedResults(ctx, "slack", "console"); err != nil || len(unposted) != 0 {
		t.Fatalf("unposted on another platform %+v %v", unposted, err)
	}
	if _, ok, err := s.ClaimResultPost(ctx, first, closed.Add(time.Hour)); ok || err != nil {
		t.Fatalf("claimed a posted result: %v %v", ok, err)
	}
}

// testResultsInterrupted: at start-up, a result post left in state
// sending with no posted time becomes uncertain (returned, with
// store.InterruptedNote, never posted again); one whose result was
// posted but whose final card was not shown goes back to retry, due at
// the start-up time. An uncertain post may still be recorded, by the
// attempt that was under way.
func testResultsInterrupted(t *testing.T, e Engine) {
	ctx := context.Background()
	s, closed, ids := closedPolls(t, e, 3)
	unsure, cardLeft, done := ids[0], ids[1], ids[2]
	posted := closed.Add(time.Second)
	must(t, s.RecordResultPost(ctx, polls.ResultPost{PollID: cardLeft, State: polls.ResultSending, PostedAt: posted}))
	must(t, s.RecordResultPost(ctx, polls.ResultPost{PollID: done, State: polls.ResultPosted, PostedAt: posted}))

	start := closed.Add(time.Hour)
	marked, err := s.MarkResultsInterrupted(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(marked) != 1 || marked[0].PollID != unsure || marked[0].State != polls.ResultUncertain || marked[0].Error != store.InterruptedNote {
		t.Fatalf("marked %+v", marked)
	}
	if rp, _ := s.ResultPost(ctx, cardLeft); rp.State != polls.ResultRetry || !rp.NextTry.Equal(start) || !rp.PostedAt.Equal(posted) {
		t.Fatalf("card left to show: %+v", rp)
	}
	if rp, _ := s.ResultPost(ctx, done); rp.State != polls.ResultPosted {
		t.Fatalf("posted result: %+v", rp)
	}
	if due, err := s.DueResultPosts(ctx, start); err != nil || len(due) != 1 || due[0].PollID != cardLeft {
		t.Fatalf("due after start-up: %+v %v", due, err)
	}
	if unposted, err := s.UnpostedResults(ctx, bot.PlatformConsole, "console"); err != nil || len(unposted) != 1 || unposted[0].PollID != unsure {
		t.Fatalf("unposted %+v %v", unposted, err)
	}
	if again, err := s.MarkResultsInterrupted(ctx, start); err != nil || len(again) != 0 {
		t.Fatalf("marked twice: %+v %v", again, err)
	}
	// The attempt that was under way finishes after all.
	must(t, s.RecordResultPost(ctx, polls.ResultPost{PollID: unsure, State: polls.ResultPosted, PostedAt: start}))
	if rp, _ := s.ResultPost(ctx, unsure); rp.State != polls.ResultPosted {
		t.Fatalf("corrected: %+v", rp)
	}
}

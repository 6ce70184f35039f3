package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// testAuditTrail: audit entries read back in the order recorded, with
// their times in UTC to the second, per poll; DeletePoll deletes a poll
// nobody voted in and records its entry in the same transaction; the
// trail outlives the poll; a poll with a vote is not deleted.
func testAuditTrail(t *testing.T, e Engine) {
	env := freshPolls(t, e)
	ctx := context.Background()
	s := env.stores.Polls
	p := env.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"}})
	other := env.openPoll(t, polls.OpenRequest{Question: "Other?", Options: []string{"A", "B"}})
	at := PollsStart().Add(90 * time.Minute)
	export := polls.AuditEntry{PollID: p.ID, At: at, Action: polls.AuditExport, By: "console:steward", ByName: "Steward", Detail: "poll-1-ballots.csv"}
	must(t, s.AddAudit(ctx, export))
	del := polls.AuditEntry{PollID: p.ID, At: at.Add(time.Minute), Action: polls.AuditDelete, By: "console:steward"}
	deleted, err := s.DeletePoll(ctx, p.ID, del)
	if err != nil || !deleted {
		t.Fatalf("delete: %v %v", deleted, err)
	}
	if _, err := s.Poll(ctx, p.ID); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("deleted poll reads back: %v", err)
	}
	if _, err := s.DeletePoll(ctx, p.ID, del); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("deleting again: %v", err)
	}
	got, err := s.Audit(ctx, p.ID)
	must(t, err)
	want := []polls.AuditEntry{
		{PollID: p.ID, At: PollsStart(), Action: polls.AuditOpen, By: "console:steward", ByName: "steward"},
		export, del,
	}
	if !slices.EqualFunc(got, want, sameEntry) {
		t.Fatalf("audit trail\n got %+v\nwant %+v", got, want)
	}
	if got, _ := s.Audit(ctx, other.ID); len(got) != 1 || got[0].Action != polls.AuditOpen {
		t.Fatalf("other poll's trail %+v", got)
	}
	// A vote and a delete race: either the poll is deleted and the vote
	// finds no poll, or the vote is counted and the poll stays.
	for i := range 10 {
		q := env.openPoll(t, polls.OpenRequest{Question: fmt.Sprintf("Race %d?", i), Options: []string{"A", "B"}})
		var voteErr error
		var deleted bool
		together(2, func(j int) {
			if j == 0 {
				_, voteErr = env.svc.Vote(ctx, polls.VoteRequest{PollID: q.ID, Voter: bot.User{ID: "console:alice"}, Choices: []int{1}})
				return
			}
			var err error
			deleted, err = s.DeletePoll(ctx, q.ID, polls.AuditEntry{PollID: q.ID, At: at, Action: polls.AuditDelete, By: "console:steward"})
			if err != nil {
				t.Error(err)
			}
		})
		switch {
		case deleted && bot.ErrorCode(voteErr) != bot.ENOTFOUND:
			t.Fatalf("race %d: poll deleted, vote: %v", i, voteErr)
		case !deleted && voteErr != nil:
			t.Fatalf("race %d: poll kept, vote: %v", i, voteErr)
		case !deleted:
			if voters, _ := consistent(t, env.stores, q.ID, false); voters != 1 {
				t.Fatalf("race %d: %d voters", i, voters)
			}
		}
	}
}

// sameEntry compares audit entries, their times as instants.
func sameEntry(a, b polls.AuditEntry) bool {
	a.At, b.At = a.At.UTC(), b.At.UTC()
	return a == b
}

package polls_test

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/polls"
)

func TestAuditTrailRecordsStewardActions(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 2h`)
	e.mustSay("alice", "/vote 1 1", "recorded")
	e.clock.Advance(10 * time.Minute)
	rec := e.mustSay("steward", "/poll export 1", "open ballot")
	rs := rec.Replies()
	if len(rs) != 2 || rs[1].File == nil || rs[1].File.Name != "poll-1-audit.csv" || !rs[1].Private {
		t.Fatalf("export replies %+v", rs)
	}
	rows, err := csv.NewReader(strings.NewReader(string(rs[1].File.Data))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"poll", "at", "action", "by", "by_name", "detail"},
		{"1", "2011-07-18T09:00:00Z", "open", "console:steward", "steward", ""},
		{"1", "2011-07-18T09:10:00Z", "export", "console:steward", "steward", "poll-1-ballots.csv"},
	}
	if len(rows) != len(want) || strings.Join(rows[1], ",") != strings.Join(want[1], ",") || strings.Join(rows[2], ",") != strings.Join(want[2], ",") {
		t.Fatalf("audit CSV %q", rows)
	}
	e.clock.Advance(2 * time.Hour)
	e.closeDue()
	e.mustSay("alice", "/poll audit 1", "Only stewards can see a poll's audit trail")
	rec = e.mustSay("steward", "/poll audit 1", `Audit trail of poll 1, "Ratify?" (times in UTC):
Mon Jul 18, 2011 9:00 AM UTC  open by steward (console:steward)
Mon Jul 18, 2011 9:10 AM UTC  export by steward (console:steward): poll-1-ballots.csv
Mon Jul 18, 2011 11:00 AM UTC  close by the deadline: at its deadline; closed by Union Hall at Mon Jul 18, 2011 11:10 AM UTC`)
	if strings.Contains(rec.Text(), "alice") {
		t.Fatalf("the audit trail names a voter:\n%s", rec.Text())
	}
	e.mustSay("steward", "/poll audit 9", "There is no poll 9")
}

func TestDeleteBeforeTheFirstVote(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No"`)
	e.open(`/poll "Strike?" "Yes" "No"`)
	e.mustSay("alice", "/vote 2 1", "recorded")
	e.mustSay("alice", "/poll delete 1", "Only stewards can delete a poll")
	e.mustSay("steward", "/poll delete 2", "Poll 2 has 1 vote, so it cannot be deleted")
	e.clock.Advance(time.Minute)
	rec := e.mustSay("steward", "/poll delete 1", `Poll 1 ("Ratify?") is deleted`)
	ups := rec.Updates()
	if len(ups) != 1 || ups[0].Key != "poll:1" || len(ups[0].Buttons) != 0 || !strings.Contains(ups[0].Body, "deleted by steward on Mon Jul 18, 2011 9:01 AM UTC") {
		t.Fatalf("card after delete: %+v", ups)
	}
	if _, err := e.store.Poll(context.Background(), 1); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("deleted poll still stored: %v", err)
	}
	e.mustSay("alice", "/vote 1 1", "There is no poll 1")
	e.mustSay("steward", "/poll delete 1", "There is no poll 1")
	// The trail outlives the poll, and says who deleted it.
	e.mustSay("steward", "/poll audit 1", `Audit trail of poll 1, since deleted (times in UTC):
Mon Jul 18, 2011 9:00 AM UTC  open by steward (console:steward)
Mon Jul 18, 2011 9:01 AM UTC  delete by steward (console:steward): "Ratify?", opened Mon Jul 18, 2011 9:00 AM UTC`)
	// After a restart too.
	e.restart()
	e.mustSay("steward", "/poll audit 1", "delete by steward")
	e.mustSay("steward", "/poll list", "2. Strike?")
}

// TestAuditTrailShowsTheRosterImportsThatCounted checks that a poll's
// trail shows the roster it started with (the last import before it
// opened) and the imports while it was open, and not older or later ones.
func TestAuditTrailShowsTheRosterImportsThatCounted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	importAt := func(detail string) {
		t.Helper()
		if err := e.store.AddAudit(ctx, polls.RosterImportEntry(e.clock.Now(), "cli:ops", detail)); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
	}
	importAt("first roster")
	importAt("second roster")
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h`)
	e.clock.Advance(time.Minute)
	importAt("roster while open")
	e.clock.Advance(2 * time.Hour)
	e.closeDue()
	importAt("roster after the close")
	rec := e.mustSay("steward", "/poll audit 1", "roster import by cli:ops: second roster")
	text := rec.Text()
	for _, want := range []string{"open by steward", "roster import by cli:ops: roster while open", "close by the deadline"} {
		if !strings.Contains(text, want) {
			t.Errorf("trail lacks %q:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"first roster", "after the close"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("trail shows %q, which did not decide who could vote:\n%s", unwanted, text)
		}
	}
	if strings.Index(text, "second roster") > strings.Index(text, "open by steward") {
		t.Errorf("trail is not in time order:\n%s", text)
	}
}

package polls_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// fakeCharter draws a "chart" naming the counts it was given, or fails.
type fakeCharter struct{ fail bool }

func (f fakeCharter) Chart(r *polls.Results) (*bot.File, error) {
	if f.fail {
		return nil, errors.New("no fonts")
	}
	return &bot.File{Name: "chart.png", ContentType: "image/png", Data: []byte(polls.ChartText(r))}, nil
}

func TestResultIsPostedWithAChart(t *testing.T) {
	e := newEnv(t)
	e.charter = fakeCharter{}
	e.restart()
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h --rule majority`)
	e.mustSay("alice", "/vote 1 1", "recorded")
	// While open and shown, a chart on request, privately.
	rec := e.mustSay("bob", "/poll results 1 --chart", "Results so far")
	rs := rec.Replies()
	if len(rs) != 2 || rs[1].File == nil || rs[1].File.ContentType != "image/png" || !rs[1].Private ||
		!strings.Contains(rs[1].Text, `Chart of poll 1, "Ratify?": votes per option: Yes 1 (100%), No 0 (0%). Majority rule: met so far.`) {
		t.Fatalf("results with a chart: %+v", rs)
	}
	e.clock.Advance(time.Hour)
	e.closeDue()
	posts := e.hub.Posts()
	if len(posts) != 2 || !strings.Contains(posts[0].Reply.Text, "Poll 1 has closed") || posts[1].Reply.File == nil ||
		!strings.Contains(posts[1].Reply.Text, "Majority rule: met. 1 in favour, 0 against.") || posts[1].Reply.Private {
		t.Fatalf("result posts: %+v", posts)
	}
	// Hidden results get no chart before the close.
	e.open(`/poll "Hidden?" "Yes" "No" --hidden`)
	rec = e.say("bob", "/poll results 2 --chart")
	for _, r := range rec.Replies() {
		if r.File != nil {
			t.Fatalf("a hidden poll's chart was shown: %+v", r)
		}
	}
}

func TestChartFailureLeavesTheResult(t *testing.T) {
	e := newEnv(t)
	e.charter = fakeCharter{fail: true}
	e.restart()
	e.open(`/poll "Ratify?" "Yes" "No"`)
	e.mustSay("steward", "/poll results 1 --chart", "No chart of poll 1 is available here")
	rec := e.say("steward", "/poll close 1")
	if !strings.Contains(rec.Text(), "Poll 1 has closed") {
		t.Fatalf("close: %s", rec.Text())
	}
	if rp := e.resultPost(1); rp.State != polls.ResultPosted {
		t.Fatalf("result post %+v", rp)
	}
}

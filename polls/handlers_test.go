package polls_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
)

func TestOpenPostsCard(t *testing.T) {
	e := newEnv(t)
	c := e.open(`/poll "Would you vote yes on the clarified agreement?" "Yes" "No" "Undecided" --rule coalition --closes in 2h`)
	if c.Key != "poll:1" || c.Title != "Would you vote yes on the clarified agreement?" {
		t.Fatalf("card key %q title %q", c.Key, c.Title)
	}
	for _, want := range []string{
		"1. Yes", "2. No", "3. Undecided", "0 members voted",
		"Rule: coalition", `at least 3 of the 4 units each have more "Yes" than "No" votes`, "at least 80% of the membership",
		"Other options count toward turnout only",
		"Who may vote: everyone in this channel", "/unit",
		"Open ballot", "Closes Mon Jul 18, 2011 11:00 AM UTC (in 2 hours)",
		"informal straw poll, not a ratification vote",
	} {
		if !strings.Contains(c.Body, want) {
			t.Errorf("card body lacks %q:\n%s", want, c.Body)
		}
	}
	if len(c.Buttons) != 3 {
		t.Fatalf("%d buttons, want one per option", len(c.Buttons))
	}
	for i, b := range c.Buttons {
		if b.Action != "vote" || b.Value != fmt.Sprintf("1 %d", i+1) || b.Command() != fmt.Sprintf("/vote 1 %d", i+1) {
			t.Errorf("button %d = %+v", i, b)
		}
	}
	if c.Poll == nil || c.Poll.ID != "1" || c.Poll.Closed || c.Poll.Total == nil || *c.Poll.Total != 0 || len(c.Poll.Options) != 3 || c.Poll.Options[0].Votes == nil {
		t.Fatalf("poll view %+v", c.Poll)
	}
}

func TestOpenRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	many := `/poll "Pick?"`
	for i := 1; i <= 26; i++ {
		many += fmt.Sprintf(` "Option %d"`, i)
	}
	long := strings.Repeat("x", 76)
	cases := []struct{ user, cmd, want string }{
		{"steward", `/poll`, "Say what to do"},
		{"steward", `/poll "Ratify?"`, "at least two options"},
		{"steward", `/poll "Ratify?" "Yes"`, "only one option"},
		{"steward", `/poll "Ratify?" "Yes" "yes"`, "are the same"},
		{"steward", many, "at most 25 buttons"},
		{"steward", `/poll "Ratify?" "Yes" "` + long + `"`, "a button holds at most 75"},
		{"steward", `/poll "Ratify?" "Yes" "No" --closes 2011-07-17 10:00`, "in the past"},
		{"steward", `/poll "Ratify?" "Yes" "No" --closes whenever`, "can't read"},
		{"steward", `/poll "Ratify?" "Yes" "No" --closes in 400 days`, "more than a year"},
		{"steward", `/poll "Ratify?" "Yes" "No" --rule plurality`, "Unknown rule"},
		{"steward", `/poll "Ratify?" "Yes" "No" --multi --max 2`, "either --multi"},
		{"steward", `/poll "Ratify?" "Yes" "No" --max 5`, "more than the 2 options"},
		{"steward", `/poll "Ratify?" "Yes" "No" --max two`, "whole number"},
		{"steward", `/poll "Ratify?" "Yes" "No" --rule majority --multi`, "single-choice poll"},
		{"steward", `/poll "Ratify?" "Yes" "No" --bogus`, "Unknown option --bogus"},
		{"steward", `/poll Should we ratify Yes No`, "in quotes"},
		{"steward", `/poll "Ratify?" "Yes" "No`, "not closed"},
		{"steward", `/poll "` + strings.Repeat("q", 151) + `" "Yes" "No"`, "the limit is 150"},
		{"member", `/poll "Ratify?" "Yes" "No"`, "Only stewards can open a poll"},
	}
	for _, c := range cases {
		rec := e.mustSay(c.user, c.cmd, c.want)
		for _, r := range rec.Replies() {
			if !r.Private || r.Card != nil {
				t.Errorf("%s: refusal should be a private text reply, got %+v", c.cmd, r)
			}
		}
	}
	if _, err := e.store.Poll(context.Background(), 1); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("a refused /poll stored a poll: %v", err)
	}
	// A single-word question needs no quotes.
	c := e.open(`/poll Ratify? Yes No`)
	if c.Title != "Ratify?" || len(c.Buttons) != 2 {
		t.Fatalf("unquoted poll: %+v", c)
	}
	// The implicit form's word, written out as Discord sends it, opens the
	// poll; the same word starting an unquoted question is the question's.
	if c := e.open(`/poll open "Ratify now?" "Yes" "No"`); c.Title != "Ratify now?" {
		t.Fatalf("/poll open with its word: %+v", c)
	}
	if c := e.open(`/poll open shifts on Sunday? Yes No`); c.Title != "open shifts on Sunday?" || len(c.Buttons) != 2 {
		t.Fatalf("unquoted question starting with open: %+v", c)
	}
	// 25 options and 75-character labels fit.
	many25 := `/poll "Pick?"`
	for i := 1; i <= 24; i++ {
		many25 += fmt.Sprintf(` "Option %d"`, i)
	}
	c = e.open(many25 + ` "` + strings.Repeat("y", 75) + `"`)
	if len(c.Buttons) != 25 {
		t.Fatalf("%d buttons", len(c.Buttons))
	}
}

func TestVoteChangeRepeatAndRefusals(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h`)
	rec := e.mustSay("alice", "/vote 1 1", "Your vote in poll 1 is recorded: 1. Yes.")
	rs := rec.Replies()
	if len(rs) != 1 || !rs[0].Private {
		t.Fatalf("confirmation must be private: %+v", rs)
	}
	ups := rec.Updates()
	if len(ups) != 1 || ups[0].Key != "poll:1" || *ups[0].Poll.Options[0].Votes != 1 || *ups[0].Poll.Total != 1 {
		t.Fatalf("card update after vote: %+v", ups)
	}
	if !strings.Contains(ups[0].Body, "1. Yes  ██████████ 1 (100%)") {
		t.Fatalf("tally bar missing:\n%s", ups[0].Body)
	}

	// The button for the same option again: nothing changes.
	rec = e.mustSay("alice", "/vote 1 1", "Your vote is already counted: 1. Yes. Nothing changed.")
	if len(rec.Updates()) != 0 {
		t.Fatal("a repeated click updated the card")
	}
	// Change by label.
	rec = e.mustSay("alice", "/vote 1 no", "changed from 1. Yes to 2. No")
	if got := e.counts(1); !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("after change: %v", got)
	}
	if len(rec.Updates()) != 1 {
		t.Fatal("a changed vote did not update the card")
	}
	e.mustSay("bob", `/vote 1 "Yes"`, "recorded: 1. Yes")
	// Naming a unit and voting the same again moves the ballot to it.
	e.mustSay("bob", "/unit P-2", "vote again to move yours")
	e.mustSay("bob", "/vote 1 1", "Your vote in poll 1 stays 1. Yes. It counts for P-2.")
	e.mustSay("bob", "/vote 1 1", "Your vote is already counted")
	if res, _ := e.svc.Results(context.Background(), 1); res.Units[0].Counts[0] != 1 || res.NoUnit[0] != 0 {
		t.Fatalf("ballot not moved to P-2: %+v %v", res.Units[0], res.NoUnit)
	}

	refusals := []struct{ cmd, want string }{
		{"/vote", "Say which poll"},
		{"/vote 1", "Say which option"},
		{"/vote abc 1", "not a poll number"},
		{"/vote 9 1", "There is no poll 9"},
		{"/vote 1 3", "Poll 1 has no option 3"},
		{"/vote 1 Maybe", `"Maybe" is not an option of poll 1`},
		{"/vote 1 1 2", "takes one choice"},
		{"/vote 1 1 --sure", "Unknown option"},
	}
	for _, r := range refusals {
		e.mustSay("carol", r.cmd, r.want)
	}
	// Another channel.
	m := bottest.Message("carol", "/vote 1 1")
	m.Channel = bot.Channel{ID: "elsewhere"}
	rec = &bottest.Recorder{}
	e.router.Dispatch(context.Background(), rec, m)
	if !strings.Contains(rec.Text(), "in another channel") {
		t.Fatalf("vote from another channel: %s", rec.Text())
	}
	// Results stay in the poll's channel for members; stewards may look
	// from anywhere.
	for who, want := range map[string]string{"carol": "Ask for its results there", "steward": "Poll 1:"} {
		m = bottest.Message(who, "/poll results 1")
		m.Channel = bot.Channel{ID: "elsewhere"}
		rec = &bottest.Recorder{}
		e.router.Dispatch(context.Background(), rec, m)
		if !strings.Contains(rec.Text(), want) {
			t.Fatalf("%s asking for results from another channel: %s", who, rec.Text())
		}
	}
	// Another platform does not see the poll.
	m = bottest.Message("carol", "/vote 1 1")
	m.Platform = bot.PlatformSlack
	rec = &bottest.Recorder{}
	e.router.Dispatch(context.Background(), rec, m)
	if !strings.Contains(rec.Text(), "There is no poll 1") {
		t.Fatalf("vote from another platform: %s", rec.Text())
	}
	if got := e.counts(1); !slices.Equal(got, []int{1, 1}) {
		t.Fatalf("refused votes changed the tally: %v", got)
	}

	// At the deadline, votes are refused even before the closer runs.
	e.clock.Advance(time.Hour)
	e.mustSay("carol", "/vote 1 1", "closed")
	if got := e.counts(1); !slices.Equal(got, []int{1, 1}) {
		t.Fatalf("late vote counted: %v", got)
	}
}

func TestMultiChoice(t *testing.T) {
	e := newEnv(t)
	c := e.open(`/poll "What matters most?" "Pension" "Health care" "Wages" "Job security" --max 2`)
	if !strings.Contains(c.Body, "Choose up to 2 options") {
		t.Fatalf("card: %s", c.Body)
	}
	e.mustSay("alice", "/vote 1 1", "recorded: 1. Pension")
	e.mustSay("alice", "/vote 1 3", "changed from 1. Pension to 1. Pension, 3. Wages")
	e.mustSay("alice", "/vote 1 3", "Your vote is already counted: 1. Pension, 3. Wages. Nothing changed.")
	e.mustSay("alice", "/vote 1 2", "already chosen the most poll 1 allows (2)")
	e.mustSay("alice", "/vote 1 2 4", "changed from 1. Pension, 3. Wages to 2. Health care, 4. Job security")
	e.mustSay("alice", "/vote 1 4 --only", "changed from 2. Health care, 4. Job security to 4. Job security")
	e.mustSay("alice", "/vote 1 1 2 3", "takes up to 2 choices")
	e.mustSay("bob", `/vote 1 "Health care" Wages`, "recorded: 2. Health care, 3. Wages")
	if got := e.counts(1); !slices.Equal(got, []int{0, 1, 1, 1}) {
		t.Fatalf("tally %v", got)
	}
	res, _ := e.svc.Results(context.Background(), 1)
	if res.Voters != 2 {
		t.Fatalf("voters %d", res.Voters)
	}
}

func TestSecretMultiChoiceCardHasNoButtons(t *testing.T) {
	e := newEnv(t)
	c := e.open(`/poll "Priorities?" "Pay" "Pension" "Health" --anonymous --max 2`)
	if len(c.Buttons) != 0 || !strings.Contains(c.Footer, "give all your choices in one command, e.g. /vote 1 1 2") {
		t.Fatalf("secret multi-choice card: buttons %v, footer %q", c.Buttons, c.Footer)
	}
	e.mustSay("alice", "/vote 1 1 3", "recorded")
	// An open-ballot multi-choice poll keeps its buttons.
	if c := e.open(`/poll "Priorities?" "Pay" "Pension" "Health" --max 2`); len(c.Buttons) != 3 {
		t.Fatalf("open multi-choice card has %d buttons", len(c.Buttons))
	}
}

func TestSecretBallot(t *testing.T) {
	e := newEnv(t)
	c := e.open(`/poll "Ratify?" "Yes" "No" --anonymous --rule majority`)
	if !strings.Contains(c.Body, "Secret ballot") {
		t.Fatalf("card: %s", c.Body)
	}
	e.mustSay("alice", "/unit p4", "You are in P-4")
	e.mustSay("alice", "/vote 1 yes", "Your secret ballot in poll 1 is recorded: 1. Yes. Nothing links it to you, so it cannot be changed. It counts for P-4.")
	for _, again := range []string{"/vote 1 yes", "/vote 1 no"} {
		rec := e.mustSay("alice", again, "your vote is already counted. It is a secret ballot, so it cannot be changed.")
		if len(rec.Updates()) != 0 {
			t.Fatal("a second secret vote updated the card")
		}
	}
	e.mustSay("bob", "/vote 1 2", "recorded: 2. No")
	if got := e.counts(1); !slices.Equal(got, []int{1, 1}) {
		t.Fatalf("tally %v", got)
	}
	// The open ballots table holds nothing for a secret poll.
	bs, err := e.store.Ballots(context.Background(), 1)
	if err != nil || len(bs) != 0 {
		t.Fatalf("ballots of a secret poll: %v %v", bs, err)
	}
	// Export has counts by unit and no voter identities.
	rec := e.mustSay("steward", "/poll export 1", "no voter identities")
	f := rec.Replies()[0].File
	if f == nil || strings.Contains(string(f.Data), "alice") || strings.Contains(string(f.Data), "bob") {
		t.Fatalf("secret export: %+v", f)
	}
	rows, err := csv.NewReader(strings.NewReader(string(f.Data))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// P-4 and "no unit" each have one voter: their splits would give
	// those ballots away, so only the overall rows are exported.
	want := [][]string{
		{"poll", "question", "option_number", "option", "unit", "votes"},
		{"1", "Ratify?", "1", "Yes", "(all)", "1"},
		{"1", "Ratify?", "2", "No", "(all)", "1"},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Fatalf("secret export rows %v", rows)
	}
	e.mustSay("steward", "/poll results 1", "P-4 (2,600 members): fewer than 5 votes; split withheld")
	// With five votes, P-4's split can be shown without exposing anyone.
	for _, m := range []string{"m1", "m2", "m3", "m4"} {
		e.mustSay(m, "/unit p4", "You are in P-4")
		e.mustSay(m, "/vote 1 1", "recorded")
	}
	e.mustSay("steward", "/poll results 1", "P-4 (2,600 members): Yes 5, No 0")
	rec = e.mustSay("steward", "/poll export 1", "no voter identities")
	if !strings.Contains(string(rec.Replies()[0].File.Data), "1,Ratify?,1,Yes,P-4,5") {
		t.Fatalf("P-4's split missing from the export:\n%s", rec.Replies()[0].File.Data)
	}
	// Nothing in the logs names who voted, let alone how.
	if logs := e.logs.String(); strings.Contains(logs, "alice") || strings.Contains(logs, "bob") {
		t.Fatalf("logs name a voter:\n%s", logs)
	}

	// A multi-choice secret ballot takes all choices at once.
	e.open(`/poll "Which?" "A" "B" "C" --anonymous --multi`)
	e.mustSay("carol", "/vote 2 1", "Nothing recorded yet")
	if got := e.counts(2); !slices.Equal(got, []int{0, 0, 0}) {
		t.Fatalf("tally %v", got)
	}
	e.mustSay("carol", "/vote 2 1 3", "recorded: 1. A, 3. C")
	e.mustSay("dave", "/vote 2 2 --only", "recorded: 2. B")
	e.mustSay("carol", "/vote 2 2", "already counted")
	if got := e.counts(2); !slices.Equal(got, []int{1, 1, 1}) {
		t.Fatalf("tally %v", got)
	}
}

func TestHiddenResults(t *testing.T) {
	e := newEnv(t)
	c := e.open(`/poll "Ratify?" "Yes" "No" --hidden`)
	if strings.Contains(c.Body, "0 members") || !strings.Contains(c.Body, "hidden from everyone, stewards included") {
		t.Fatalf("hidden card: %s", c.Body)
	}
	if c.Poll.Total != nil || c.Poll.Options[0].Votes != nil || !c.Poll.Hidden {
		t.Fatalf("hidden poll view shows counts: %+v", c.Poll)
	}
	rec := e.mustSay("alice", "/vote 1 1", "Results stay hidden until the poll closes")
	if len(rec.Updates()) != 0 {
		t.Fatal("a vote on a hidden poll updated the card")
	}
	e.mustSay("bob", "/vote 1 2", "recorded")
	e.mustSay("steward", "/poll results 1", "hidden from everyone, stewards included")
	e.mustSay("alice", "/poll results 1", "hidden from everyone, stewards included")
	e.mustSay("steward", "/poll export 1", "hides its results")
	rec = e.mustSay("steward", "/poll list", "results hidden")
	if strings.Contains(rec.Text(), "2 votes") {
		t.Fatalf("list shows a hidden count: %s", rec.Text())
	}

	rec = e.mustSay("steward", "/poll close 1", "Final result")
	ups := rec.Updates()
	if len(ups) != 1 || ups[0].Poll == nil || !ups[0].Poll.Closed || ups[0].Poll.Total == nil || *ups[0].Poll.Total != 2 || len(ups[0].Buttons) != 0 {
		t.Fatalf("closed hidden card: %+v", ups)
	}
	if !strings.Contains(ups[0].Body, "1. Yes  █████░░░░░ 1 (50%)") {
		t.Fatalf("final tally missing:\n%s", ups[0].Body)
	}
	e.mustSay("alice", "/poll results 1", "Final result")
}

func TestCloseAndExportAreForStewards(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "=cmd|' /C calc'!A0" "@SUM(1+1)" "-2+3" "+1" "Plain"`)
	e.mustSay("alice", "/vote 1 1", "recorded")
	m := bottest.Message("bob", "/vote 1 2")
	m.User.Name = "=HYPERLINK(\"http://x\")"
	e.router.Dispatch(context.Background(), &bottest.Recorder{}, m)

	e.mustSay("alice", "/poll close 1", "Only stewards can close a poll")
	e.mustSay("alice", "/poll export 1", "Only stewards can export a poll")
	e.mustSay("steward", "/poll close", "Say which poll")
	e.mustSay("steward", "/poll close 7", "There is no poll 7")

	rec := e.mustSay("steward", "/poll export 1", "open ballot")
	r := rec.Replies()[0]
	if !r.Private || r.File == nil || r.File.Name != "poll-1-ballots.csv" || r.File.ContentType != "text/csv" {
		t.Fatalf("export reply %+v", r)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.File.Data))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows %v", rows)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q could run as a formula", cell)
			}
		}
	}
	if rows[1][2] != "console:alice" || rows[1][6] != "'=cmd|' /C calc'!A0" || rows[2][3] != `'=HYPERLINK("http://x")` || rows[2][6] != "'@SUM(1+1)" {
		t.Fatalf("rows %q", rows)
	}

	rec = e.mustSay("steward", "/poll close 1", "Poll 1 has closed")
	if rs := rec.Replies(); len(rs) != 1 || rs[0].Private || rs[0].Card == nil || !rs[0].Card.Poll.Closed {
		t.Fatalf("close announcement %+v", rs)
	}
	e.mustSay("steward", "/poll close 1", "already closed")
	e.mustSay("alice", "/vote 1 2", "closed")
	e.mustSay("alice", "/poll list", "no open polls")
}

func TestListAndResultsByUnit(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --rule coalition --closes in 3 days`)
	e.open(`/poll "Lunch?" "Pizza" "Salad"`)
	votes := map[string]struct{ unit, choice string }{
		"a1": {"P-2", "1"}, "a2": {"P-2", "1"}, "a3": {"P-2", "2"},
		"b1": {"P-4", "1"}, "b2": {"P-4", "2"},
		"c1": {"AFSCME Local 2663", "1"},
		"d1": {"csea", "1"},
		"n1": {"", "2"},
	}
	for user, v := range votes {
		if v.unit != "" {
			e.mustSay(user, "/unit "+v.unit, "You are in")
		}
		e.mustSay(user, "/vote 1 "+v.choice, "recorded")
	}
	rec := e.mustSay("member", "/poll list", "Open polls in this channel")
	for _, want := range []string{"1. Ratify? (8 votes, closes in 3 days)", "2. Lunch? (0 votes)"} {
		if !strings.Contains(rec.Text(), want) {
			t.Fatalf("list lacks %q: %s", want, rec.Text())
		}
	}
	rec = e.mustSay("member", "/poll results 1", "Results so far")
	for _, want := range []string{
		"1. Yes  ██████░░░░ 5 (63%)", "2. No  ████░░░░░░ 3 (38%)", "8 members voted",
		"P-2 (4,000 members): Yes 2, No 1 (in favour)",
		"P-4 (2,600 members): Yes 1, No 1 (not in favour)",
		"CSEA/SEIU Local 2001 (3,000 members): Yes 1, No 0 (in favour)",
		"No unit given: Yes 0, No 1",
		"Overall, 5 in favour and 3 against (63% in favour)",
		"AFSCME Local 2663 (400 members): Yes 1, No 0 (in favour)",
		"Coalition rule: not met so far. 3 of 4 units in favour. The units in favour represent 74% of the membership (7,400 of 10,000); 80% needed.",
	} {
		if !strings.Contains(rec.Text(), want) {
			t.Errorf("results lack %q:\n%s", want, rec.Text())
		}
	}
	if r := rec.Replies()[0]; !r.Private || r.Card.Poll == nil || *r.Card.Poll.Total != 8 {
		t.Fatalf("results reply %+v", r)
	}
}

func TestUnitCommand(t *testing.T) {
	e := newEnv(t)
	e.mustSay("alice", "/unit", "You have not said which unit you are in")
	e.mustSay("alice", "/unit", "P-4 (2,600 members)")
	e.mustSay("alice", "/unit Engineering, Scientific", "You are in P-4")
	e.mustSay("alice", "/unit", "You are in P-4.")
	e.mustSay("alice", "/unit Local 99", `I don't know the unit "Local 99"`)
	e.mustSay("alice", "/unit p", `could be P-2 or P-4`)
	e.mustSay("alice", "/unit", "You are in P-4.")
}

func TestCloseDueClosesOnceAndPostsResult(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h --rule majority`)
	e.open(`/poll "Later?" "Yes" "No" --closes in 5h`)
	e.mustSay("alice", "/vote 1 1", "recorded")
	hub := e.hub
	if err := e.svc.CloseDue(ctx); err != nil || len(hub.Posts()) != 0 {
		t.Fatalf("closed before the deadline: %v %v", err, hub.Posts())
	}
	e.clock.Advance(61 * time.Minute)
	e.closeDueConcurrently(8)
	// A steward racing the schedule finds it closed.
	e.mustSay("steward", "/poll close 1", "already closed")
	sent := hub.Posts()
	if len(sent) != 1 {
		t.Fatalf("result posted %d times", len(sent))
	}
	s := sent[0]
	if s.Platform != bot.PlatformConsole || s.To.Channel != "console" || s.Reply.Private || s.Reply.Card == nil || !s.Reply.Card.Poll.Closed {
		t.Fatalf("posted %+v", s)
	}
	if !strings.Contains(s.Reply.Card.Body, "Majority rule: met. 1 in favour, 0 against.") {
		t.Fatalf("result:\n%s", s.Reply.Card.Body)
	}
	if cards := hub.Cards(); len(cards) != 1 || cards[0].Key != "poll:1" || len(cards[0].Buttons) != 0 {
		t.Fatalf("card updates %+v", cards)
	}
	p, _ := e.store.Poll(ctx, 1)
	// It closed at its deadline, though the close job ran a minute later.
	if p.ClosedBy != polls.ClosedBySchedule || !p.ClosedAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("closed by %q at %v", p.ClosedBy, p.ClosedAt)
	}
	if p2, _ := e.store.Poll(ctx, 2); p2.Closed() {
		t.Fatal("poll 2 closed early")
	}
}

func TestCloserRunsAtStartupAndWakes(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Missed while down?" "Yes" "No" --closes in 1h`)
	e.clock.Advance(2 * time.Hour) // the process was down past the deadline
	hub := e.hub
	closer := e.runCloser()
	waitPosts(t, hub, 1)
	if got := hub.Posts()[0].Reply.Card.Title; got != "Poll 1: Missed while down?" {
		t.Fatalf("posted %q", got)
	}
	// A poll opened while the closer waits wakes it; once its deadline has
	// passed, opening another poll wakes the closer again and it closes.
	e.open(`/poll "Second?" "Yes" "No" --closes in 1h`)
	e.clock.Advance(90 * time.Minute)
	e.open(`/poll "Third?" "Yes" "No" --closes in 1h`)
	waitPosts(t, hub, 2)
	if got := hub.Posts()[1].Reply.Card.Title; got != "Poll 2: Second?" {
		t.Fatalf("posted %q", got)
	}
	if err := closer.Stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("closer stopped with %v", err)
	}
	if len(hub.Posts()) != 2 {
		t.Fatalf("posted %d results", len(hub.Posts()))
	}
}

// waitPosts waits until the closer, which runs in its own goroutine and is
// woken by events rather than by time passing, has made n posts in all.
func waitPosts(t *testing.T, hub *bottest.Hub, n int) {
	t.Helper()
	bottest.WaitFor(t, fmt.Sprintf("the closer to make %d posts", n), func() bool { return len(hub.Posts()) >= n })
}

func TestOverduePollClosesOnFirstTouch(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h`)
	e.mustSay("alice", "/vote 1 1", "recorded")
	e.clock.Advance(2 * time.Hour)
	// No closer is running: the first request in the poll's channel closes
	// it and posts the result there, once.
	rec := e.mustSay("bob", "/vote 1 2", "closed")
	if !strings.Contains(rec.Text(), "Poll 1 closed at its deadline, Mon Jul 18, 2011 10:00 AM UTC. Its result is announced late, now (Mon Jul 18, 2011 11:00 AM UTC)") {
		t.Fatalf("result not posted: %s", rec.Text())
	}
	rec = e.mustSay("bob", "/poll results 1", "Final result")
	if strings.Contains(rec.Text(), "has closed") || strings.Contains(rec.Text(), "announced late") {
		t.Fatal("result posted twice")
	}
	hub := e.hub
	if err := e.svc.CloseDue(context.Background()); err != nil || len(hub.Posts()) != 0 {
		t.Fatalf("closer posted again: %v %v", err, hub.Posts())
	}
}

func TestScheduledCloseOfHiddenPollShowsFinalTallyOnCard(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" "Abstain" --hidden --closes in 1h`)
	e.mustSay("alice", "/vote 1 1", "recorded")
	e.mustSay("bob", "/vote 1 1", "recorded")
	e.mustSay("carol", "/vote 1 2", "recorded")
	e.clock.Advance(time.Hour)
	hub := e.hub
	if err := e.svc.CloseDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The card everyone voted on is re-rendered through the hub (which
	// reaches it after a restart too): closed, counts shown, no buttons.
	if len(hub.Cards()) != 1 {
		t.Fatalf("%d card updates, want 1", len(hub.Cards()))
	}
	c := hub.Cards()[0]
	if c.Key != "poll:1" || len(c.Buttons) != 0 || c.Poll == nil || !c.Poll.Closed || c.Poll.Hidden || c.Poll.Total == nil || *c.Poll.Total != 3 {
		t.Fatalf("final card %+v", c)
	}
	for _, want := range []string{"Final result", "1. Yes  ███████░░░ 2 (67%)", "2. No  ███░░░░░░░ 1 (33%)", "3. Abstain  ░░░░░░░░░░ 0 (0%)", "3 members voted"} {
		if !strings.Contains(c.Body, want) {
			t.Errorf("final card lacks %q:\n%s", want, c.Body)
		}
	}
	if strings.Contains(c.Body, "hidden") || strings.Contains(c.Footer, "vote with the buttons") {
		t.Errorf("final card still reads as open:\n%s\n%s", c.Body, c.Footer)
	}
}

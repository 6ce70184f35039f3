package polls_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/polls"
)

// emails is an EmailResolver over a fixed address book.
type emails map[string]string

func (m emails) MemberByEmail(_ context.Context, email string) (string, error) {
	if email == "down@example.org" {
		return "", errors.New("platform unreachable")
	}
	return m[email], nil
}

func TestParseRosterReportsUnusableLinesByNumber(t *testing.T) {
	csv := "Unit,member,email\n" +
		"P-4,slack:U1,\n" + // 2
		"p4,discord:81234567890123456,\n" + // 3: an alias spelling
		"P-9,slack:U2,\n" + // 4: unknown unit
		",slack:U3,\n" + // 5: no unit
		"P-2,slack:U1,\n" + // 6: already on line 2
		"P-2,U4,\n" + // 7: not qualified
		"P-2,,ann@example.org\n" + // 8: resolved
		"P-2,,nobody@example.org\n" + // 9: unknown email
		"P-2,,\n" // 10: nobody
	entries, problems, err := polls.ParseRoster(context.Background(), strings.NewReader(csv), testUnits(), emails{"ann@example.org": "slack:UANN"})
	if err != nil {
		t.Fatal(err)
	}
	want := []polls.RosterEntry{
		{Member: "slack:U1", Unit: "P-4", Person: 2},
		{Member: "discord:81234567890123456", Unit: "P-4", Person: 3},
		{Member: "slack:UANN", Unit: "P-2", Person: 8},
	}
	if !slices.Equal(entries, want) {
		t.Errorf("entries = %+v\nwant %+v", entries, want)
	}
	var lines []int
	for _, p := range problems {
		lines = append(lines, p.Line)
	}
	if !slices.Equal(lines, []int{4, 5, 6, 7, 9, 10}) {
		t.Errorf("problem lines = %v, want 4 5 6 7 9 10: %v", lines, problems)
	}
	if got := problems[0].String(); !strings.Contains(got, `unit "P-9" is not in the units file`) || !strings.HasPrefix(got, "line 4: ") {
		t.Errorf("unknown unit problem = %q", got)
	}
	if got := problems[2].String(); !strings.Contains(got, "already on line 2") {
		t.Errorf("duplicate problem = %q", got)
	}
}

func TestParseRosterPlatformColumnsJoinOnePerson(t *testing.T) {
	csv := "slack_user_id,discord_user_id,unit\nU1,81234567890123456,P-2\n"
	entries, problems, err := polls.ParseRoster(context.Background(), strings.NewReader(csv), testUnits(), nil)
	if err != nil || len(problems) != 0 {
		t.Fatal(err, problems)
	}
	want := []polls.RosterEntry{{Member: "slack:U1", Unit: "P-2", Person: 2}, {Member: "discord:81234567890123456", Unit: "P-2", Person: 2}}
	if !slices.Equal(entries, want) {
		t.Errorf("entries = %+v, want %+v", entries, want)
	}
}

func TestParseRosterRefusesFilesItCannotRead(t *testing.T) {
	for name, csv := range map[string]string{
		"empty":     "",
		"no unit":   "member\nslack:U1\n",
		"no member": "unit,name\nP-2,Ann\n",
	} {
		if _, _, err := polls.ParseRoster(context.Background(), strings.NewReader(csv), testUnits(), nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, problems, err := polls.ParseRoster(context.Background(), strings.NewReader("unit,email\nP-2,ann@example.org\n"), testUnits(), nil)
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0].Reason, "cannot be looked up") {
		t.Errorf("email without a resolver: %v %v", err, problems)
	}
	if _, _, err := polls.ParseRoster(context.Background(), strings.NewReader("unit,email\nP-2,down@example.org\n"), testUnits(), emails{}); err == nil {
		t.Error("a failed look-up did not stop the import")
	}
}

// importRoster replaces the roster with one member per (member, unit).
func (e *env) importRoster(pairs ...string) {
	e.t.Helper()
	var entries []polls.RosterEntry
	for i := 0; i+1 < len(pairs); i += 2 {
		entries = append(entries, polls.RosterEntry{Member: "console:" + pairs[i], Unit: pairs[i+1], Person: i})
	}
	if err := e.store.ReplaceRoster(context.Background(), entries); err != nil {
		e.t.Fatal(err)
	}
}

func TestRosterDecidesTheUnitAVoteCountsFor(t *testing.T) {
	e := newEnv(t)
	e.mustSay("ann", "/unit P-2", "You are in P-2")
	e.importRoster("ann", "P-4")
	e.mustSay("ann", "/unit P-2", "roster has you in P-4")
	e.mustSay("bob", "/unit", "not on the union's roster")
	e.open(`/poll "Ratify?" "Yes" "No" --rule coalition`)
	e.mustSay("ann", "/vote 1 yes", "It counts for P-4.")
	e.mustSay("bob", "/vote 1 yes", "for no unit")
	res, err := e.svc.Results(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Units {
		if want := map[string]int{"P-4": 1}[u.Unit.Name]; u.Votes() != want {
			t.Errorf("%s has %d votes, want %d", u.Unit.Name, u.Votes(), want)
		}
	}
}

func TestIneligibleMemberIsToldWhyAndNothingIsRecorded(t *testing.T) {
	e := newEnv(t)
	e.importRoster("ann", "P-4", "bob", "P-2")
	card := e.open(`/poll "Ratify?" "Yes" "No" --units P-4,p2 --anonymous`)
	if !strings.Contains(card.Body, "Who may vote: members of P-4 and P-2, one ballot each.") {
		t.Errorf("card does not say who may vote:\n%s", card.Body)
	}
	e.mustSay("ann", "/vote 1 yes", "is recorded")
	rec := e.mustSay("carl", "/vote 1 yes", "Poll 1 is limited to members of P-4 and P-2, and you are not listed in any of them.")
	if rs := rec.Replies(); len(rs) != 1 || !rs[0].Private {
		t.Errorf("the refusal is not one private reply: %+v", rs)
	}
	e.importRoster("ann", "P-4", "carl", "AFSCME Local 2663")
	e.mustSay("carl", "/vote 1 yes", "the roster has you in AFSCME Local 2663")
	if got := e.counts(1); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("counts = %v, want only ann's vote", got)
	}

	e.open(`/poll "Strike?" "Yes" "No" --roster`)
	e.mustSay("dan", "/vote 2 yes", "you are not on it")
	e.mustSay("ann", "/vote 2 yes", "is recorded")
	if got := e.counts(2); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("counts = %v, want only ann's vote", got)
	}
}

func TestOpenRefusesUnknownEligibleUnits(t *testing.T) {
	e := newEnv(t)
	e.mustSay("steward", `/poll "Ratify?" "Yes" "No" --units P-2,P-9`, `I don't know the unit "P-9"`)
}

func TestRosterPollWithoutRosterRefusesVotes(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --roster`)
	e.mustSay("ann", "/vote 1 yes", "no roster has been imported")
}

func TestUnitsFileCanTurnOffSelfDeclaredUnits(t *testing.T) {
	file := polls.ExampleUnits()
	file.Data = append([]byte("self_declared: false\n"), file.Data...)
	c, err := polls.ParseUnits(file)
	if err != nil {
		t.Fatal(err)
	}
	if !c.FixedMembership {
		t.Error("self_declared: false did not fix membership")
	}
	c, err = polls.ParseUnits(polls.ExampleUnits())
	if err != nil || c.FixedMembership {
		t.Errorf("a file without self_declared fixes membership: %v", err)
	}
}

// importRosterWith adds one member, by qualified ID, to the roster.
func (e *env) importRosterWith(member, unit string) {
	e.t.Helper()
	current, err := e.store.RosterMembers(context.Background(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	var entries []polls.RosterEntry
	for i, m := range current {
		u, _, err := e.store.RosterUnit(context.Background(), m)
		if err != nil {
			e.t.Fatal(err)
		}
		entries = append(entries, polls.RosterEntry{Member: m, Unit: u, Person: i})
	}
	entries = append(entries, polls.RosterEntry{Member: member, Unit: unit, Person: len(entries)})
	if err := e.store.ReplaceRoster(context.Background(), entries); err != nil {
		e.t.Fatal(err)
	}
}

func TestRankedPollRefusesIneligibleMembers(t *testing.T) {
	e := newEnv(t)
	e.importRoster("ann", "P-4")
	e.open(`/poll "Which first?" "Pay" "Pension" "Hours" --ranked --roster`)
	e.mustSay("bob", "/vote 1 3 1 2", "you are not on it")
	e.mustSay("ann", "/vote 1 3 1 2", "recorded")
	if got := e.counts(1); got[2] != 1 || got[0]+got[1] != 0 {
		t.Errorf("first preferences %v, want only ann's", got)
	}
}

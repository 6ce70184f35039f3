package polls_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestTurnoutAgainstTheUnitsFileMembership(t *testing.T) {
	e := newEnv(t)
	e.mustSay("ann", "/unit AFSCME", "You are in AFSCME Local 2663")
	card := e.open(`/poll "Ratify?" "Yes" "No" --units "AFSCME Local 2663"`)
	if !strings.Contains(card.Body, "Turnout: 0 of 400 members voted, 0% (membership from the units file).") {
		t.Errorf("card turnout:\n%s", card.Body)
	}
	e.mustSay("ann", "/vote 1 yes", "It counts for AFSCME Local 2663.")
	rec := e.say("steward", "/poll results 1")
	for _, want := range []string{"AFSCME Local 2663: 1 of 400 voted, 0%", "1 of the votes counted for a unit that the voter named with /unit"} {
		if !strings.Contains(rec.Text(), want) {
			t.Errorf("results lack %q:\n%s", want, rec.Text())
		}
	}
}

func TestTurnoutFromTheRosterKeepsSmallSecretUnitsVague(t *testing.T) {
	e := newEnv(t)
	var pairs []string
	for i := range 8 {
		pairs = append(pairs, fmt.Sprintf("p2m%d", i), "P-2")
	}
	pairs = append(pairs, "ann", "P-4", "bob", "P-4")
	e.importRoster(pairs...)
	card := e.open(`/poll "Ratify?" "Yes" "No" --units P-2,P-4 --anonymous --rule coalition`)
	if !strings.Contains(card.Body, "Votes count for the unit the union's roster has you in.") || strings.Contains(card.Body, "/unit <name>") {
		t.Errorf("card tells members to name their unit although the roster decides:\n%s", card.Body)
	}
	for i := range 6 {
		e.mustSay(fmt.Sprintf("p2m%d", i), "/vote 1 yes", "is recorded")
	}
	e.mustSay("ann", "/vote 1 no", "is recorded")
	res, err := e.svc.Results(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if tu := res.Turnout; tu == nil || !tu.FromRoster || tu.Members != 10 || tu.Voted != 7 || tu.SelfDeclared != 0 {
		t.Fatalf("turnout %+v", res.Turnout)
	}
	rec := e.say("steward", "/poll results 1")
	for _, want := range []string{"Turnout: 7 of 10 members voted, 70% (membership from the roster).", "P-2: 6 of 8 voted, 75%", "P-4: fewer than 5 of 2 voted"} {
		if !strings.Contains(rec.Text(), want) {
			t.Errorf("results lack %q:\n%s", want, rec.Text())
		}
	}
	if strings.Contains(rec.Text(), "P-4: 1 of") || strings.Contains(rec.Text(), "named with /unit") {
		t.Errorf("results give a small unit's exact turnout on a secret ballot, or speak of /unit:\n%s", rec.Text())
	}
}

package polls_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/polls"
)

// fifteen is a 15-unit coalition of 3,000 members each, 14 needed, 80%.
func fifteen() *polls.Coalition {
	c := &polls.Coalition{Name: "SEBAC", UnitsNeeded: 14, PercentNeeded: 80}
	for i := 1; i <= 15; i++ {
		c.Units = append(c.Units, polls.Unit{Name: fmt.Sprintf("U%d", i), Members: 3000})
	}
	return c
}

func yesNo(rule polls.Rule, c *polls.Coalition) *polls.Poll {
	return &polls.Poll{ID: 1, Question: "Ratify?", Options: []string{"Yes", "No"}, MaxChoices: 1, Rule: rule, Favour: 1, Against: 2, Coalition: c}
}

// unitVotes builds counts: for each unit name, yes and no votes.
func unitVotes(byUnit map[string][2]int) []polls.Count {
	var out []polls.Count
	for u, v := range byUnit {
		out = append(out, polls.Count{Option: 1, Unit: u, Votes: v[0]}, polls.Count{Option: 2, Unit: u, Votes: v[1]})
	}
	return out
}

func TestCoalitionRuleLikeTheSeeds(t *testing.T) {
	// 57 percent voted yes, but only 11 of 15 unions were in favour.
	votes := map[string][2]int{}
	for i := 1; i <= 15; i++ {
		if i <= 11 {
			votes[fmt.Sprintf("U%d", i)] = [2]int{70, 30}
		} else {
			votes[fmt.Sprintf("U%d", i)] = [2]int{20, 80}
		}
	}
	p := yesNo(polls.RuleCoalition, fifteen())
	p.Voters = 1500
	r := polls.Compute(&polls.Tally{Poll: p, Counts: unitVotes(votes)}, nil, start)
	v := r.Verdict
	if v.Met || v.UnitsInFavour != 11 || v.Favour != 850 || v.Against != 650 {
		t.Fatalf("verdict %+v", v)
	}
	want := "Coalition rule: not met so far. 11 of 15 units in favour; 14 needed. The units in favour represent 73.3% of the membership (33,000 of 45,000); 80% needed."
	if got := v.Summary(false); got != want {
		t.Fatalf("summary\n got %q\nwant %q", got, want)
	}
	// 14 units in favour with 14/15 of the membership passes.
	for i := 12; i <= 14; i++ {
		votes[fmt.Sprintf("U%d", i)] = [2]int{51, 49}
	}
	r = polls.Compute(&polls.Tally{Poll: p, Counts: unitVotes(votes)}, nil, start)
	if !r.Verdict.Met || r.Verdict.Summary(true) != "Coalition rule: met. 14 of 15 units in favour. The units in favour represent 93.3% of the membership (42,000 of 45,000)." {
		t.Fatalf("verdict %s", r.Verdict.Summary(true))
	}
	// Enough units, too little membership: the big unit is against.
	c := fifteen()
	c.Units[14].Members = 20000
	p = yesNo(polls.RuleCoalition, c)
	r = polls.Compute(&polls.Tally{Poll: p, Counts: unitVotes(votes)}, nil, start)
	if r.Verdict.Met || !strings.Contains(r.Verdict.Summary(true), "14 of 15 units in favour. The units in favour represent 67.7% of the membership (42,000 of 62,000); 80% needed.") {
		t.Fatalf("verdict %s", r.Verdict.Summary(true))
	}
	// A tie in a unit is not a majority in favour.
	votes["U1"] = [2]int{10, 10}
	r = polls.Compute(&polls.Tally{Poll: yesNo(polls.RuleCoalition, fifteen()), Counts: unitVotes(votes)}, nil, start)
	if r.Units[0].InFavour || r.Verdict.UnitsInFavour != 13 {
		t.Fatalf("tied unit counted in favour: %+v", r.Verdict)
	}
}

func TestMajorityAndTwoThirds(t *testing.T) {
	cases := []struct {
		rule    polls.Rule
		yes, no int
		undec   int
		met     bool
		reason  string
	}{
		{polls.RuleMajority, 5, 4, 0, true, "5 in favour, 4 against."},
		{polls.RuleMajority, 4, 4, 3, false, "4 in favour, 4 against; more in favour than against needed."},
		{polls.RuleMajority, 0, 0, 0, false, "0 in favour, 0 against; more in favour than against needed."},
		{polls.RuleTwoThirds, 2, 1, 0, true, "2 of 3 for or against are in favour (66.7%)."},
		{polls.RuleTwoThirds, 65, 35, 10, false, "65 of 100 for or against are in favour (65%); two thirds (66.7%) needed."},
		{polls.RuleTwoThirds, 0, 0, 5, false, "No votes in favour or against yet"},
	}
	for _, c := range cases {
		p := &polls.Poll{ID: 1, Options: []string{"Yes", "No", "Undecided"}, MaxChoices: 1, Rule: c.rule, Favour: 1, Against: 2, Voters: c.yes + c.no + c.undec}
		counts := []polls.Count{{Option: 1, Votes: c.yes}, {Option: 2, Votes: c.no}, {Option: 3, Votes: c.undec}}
		r := polls.Compute(&polls.Tally{Poll: p, Counts: counts}, nil, start)
		if r.Verdict.Met != c.met || !strings.Contains(r.Verdict.Summary(true), c.reason) {
			t.Errorf("%s %d/%d: met %v, %q", c.rule, c.yes, c.no, r.Verdict.Met, r.Verdict.Summary(true))
		}
	}
}

func TestSidesFromLabels(t *testing.T) {
	cases := []struct {
		labels      []string
		favour, agn int
	}{
		{[]string{"Yes", "No"}, 1, 2},
		{[]string{"No", "Yes"}, 2, 1},
		{[]string{"Not sure", "Against it", "In favour of ratifying"}, 3, 2},
		{[]string{"Vote it down", "Yes, ratify"}, 1, 2}, // no "no" option: by position
		{[]string{"Pension", "Health", "Wages"}, 1, 2},
		{[]string{"Yes", "Yes please", "No"}, 1, 2}, // two yes options: by position
	}
	for _, c := range cases {
		f, a := polls.Sides(c.labels)
		if f != c.favour || a != c.agn {
			t.Errorf("Sides(%q) = %d, %d; want %d, %d", c.labels, f, a, c.favour, c.agn)
		}
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"plain": "plain", "": "", "a=b": "a=b",
	} {
		if got := polls.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCoalitionValidate(t *testing.T) {
	bad := map[string]func(c *polls.Coalition){
		"the list is empty":             func(c *polls.Coalition) { c.Units = nil },
		`units[1] ("P-4").members`:      func(c *polls.Coalition) { c.Units[1].Members = 0 },
		"units[2].name: is empty":       func(c *polls.Coalition) { c.Units[2].Name = " " },
		`is also a name of unit "P-2"`:  func(c *polls.Coalition) { c.Units[1].Aliases = []string{"p 2"} },
		"coalition.units_needed":        func(c *polls.Coalition) { c.UnitsNeeded = 5 },
		"coalition.membership_percent":  func(c *polls.Coalition) { c.PercentNeeded = 0 },
		"coalition.membership_percent:": func(c *polls.Coalition) { c.PercentNeeded = 101 },
	}
	for want, mutate := range bad {
		c := testUnits()
		mutate(c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want error containing %q, got %v", want, err)
		}
	}
	if err := testUnits().Validate(); err != nil {
		t.Fatal(err)
	}
}

package polls

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Results is a poll's tally worked out: the overall split, the split by
// unit, and the verdict under the poll's rule.
type Results struct {
	// Poll is the poll counted.
	Poll *Poll
	// Final reports whether voting has ended (closed, or its deadline
	// passed), so the counts can no longer change.
	Final bool
	// Voters is the number of members who voted.
	Voters int
	// Options are the votes per option; Options[0] is option 1.
	Options []int
	// Units are the per-unit splits: every unit of the poll's unit list in
	// order (including those without votes), then any unit that voters
	// named but the list no longer has.
	Units []UnitResult
	// NoUnit are the votes per option of members who had not named a unit.
	NoUnit []int
	// NoUnitWithheld reports that the NoUnit split must not be shown (see
	// UnitResult.Withheld).
	NoUnitWithheld bool
	// Verdict is the rule's outcome, or nil when the poll has no rule.
	Verdict *Verdict
	// Runoff is the instant-runoff count of a ranked poll, or nil. On a
	// ranked poll Options are the first preferences.
	Runoff *Runoff
}

// UnitResult is one unit's split.
type UnitResult struct {
	// Unit is the unit; Members is 0 for a unit not in the list.
	Unit Unit
	// Listed reports whether the unit is in the poll's unit list.
	Listed bool
	// Counts are the votes per option.
	Counts []int
	// InFavour reports whether the unit has more votes in favour than
	// against (only meaningful when the poll has a rule).
	InFavour bool
	// Withheld reports that this unit's split must not be shown: on a
	// secret ballot, a unit with fewer than MinSecretSplit votes would let
	// anyone who knows who voted there work out how they voted. Its votes
	// still count in the overall split and the rule's verdict.
	Withheld bool
}

// MinSecretSplit is the fewest votes a unit (or the members without a
// unit) must have on a secret ballot before its split by option is shown.
const MinSecretSplit = 5

// Votes returns the unit's votes over all options.
func (u UnitResult) Votes() int { return sum(u.Counts) }

// Verdict is whether a poll's result meets its rule, and why.
type Verdict struct {
	// Rule is the rule applied.
	Rule Rule
	// Met reports whether the rule is met.
	Met bool
	// Favour and Against are the overall votes in favour and against.
	Favour, Against int
	// UnitsInFavour is the number of listed units with a majority in
	// favour (coalition rule).
	UnitsInFavour int
	// UnitsTotal is the number of listed units (coalition rule).
	UnitsTotal int
	// MembersInFavour is the membership of the units in favour.
	MembersInFavour int
	// MembersTotal is the membership of all listed units.
	MembersTotal int
	// Reasons explain the outcome in sentences, e.g. "11 of 15 units in
	// favour; 14 needed."
	Reasons []string
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// Compute works out the results of a tally. units is the unit list to use
// when the poll has no snapshot of its own (it may be nil); now decides
// whether the counts are final.
func Compute(t *Tally, units *Coalition, now time.Time) *Results {
	p := t.Poll
	if p.Coalition != nil {
		units = p.Coalition
	}
	n := len(p.Options)
	r := &Results{Poll: p, Final: !p.OpenAt(now), Voters: p.Voters, Options: make([]int, n), NoUnit: make([]int, n)}
	byUnit := map[string][]int{}
	var extra []string
	for _, c := range t.Counts {
		if c.Option < 1 || c.Option > n {
			continue
		}
		r.Options[c.Option-1] += c.Votes
		if c.Unit == "" {
			r.NoUnit[c.Option-1] += c.Votes
			continue
		}
		if byUnit[c.Unit] == nil {
			byUnit[c.Unit] = make([]int, n)
			if units == nil {
				extra = append(extra, c.Unit)
			} else if _, ok := units.Unit(c.Unit); !ok {
				extra = append(extra, c.Unit)
			}
		}
		byUnit[c.Unit][c.Option-1] += c.Votes
	}
	if units != nil {
		for _, u := range units.Units {
			counts := byUnit[u.Name]
			if counts == nil {
				counts = make([]int, n)
			}
			r.Units = append(r.Units, UnitResult{Unit: u, Listed: true, Counts: counts})
		}
	}
	for _, name := range extra {
		r.Units = append(r.Units, UnitResult{Unit: Unit{Name: name}, Counts: byUnit[name]})
	}
	if p.Secret {
		for i := range r.Units {
			v := r.Units[i].Votes()
			r.Units[i].Withheld = v > 0 && v < MinSecretSplit
		}
		r.NoUnitWithheld = sum(r.NoUnit) > 0 && sum(r.NoUnit) < MinSecretSplit
	}
	if p.Rule != RuleNone && p.Favour >= 1 && p.Favour <= n && p.Against >= 1 && p.Against <= n {
		for i := range r.Units {
			u := &r.Units[i]
			u.InFavour = u.Counts[p.Favour-1] > u.Counts[p.Against-1]
		}
		r.Verdict = judge(p, r, units)
	}
	return r
}

// judge applies the poll's rule.
func judge(p *Poll, r *Results, units *Coalition) *Verdict {
	v := &Verdict{Rule: p.Rule, Favour: r.Options[p.Favour-1], Against: r.Options[p.Against-1]}
	decided := v.Favour + v.Against
	switch p.Rule {
	case RuleMajority:
		v.Met = v.Favour > v.Against
		s := fmt.Sprintf("%d in favour, %d against", v.Favour, v.Against)
		if !v.Met {
			s += "; more in favour than against needed"
		}
		v.Reasons = append(v.Reasons, s+".")
	case RuleTwoThirds:
		v.Met = decided > 0 && 3*v.Favour >= 2*decided
		if decided == 0 {
			v.Reasons = append(v.Reasons, "No votes in favour or against yet; two thirds in favour needed.")
		} else {
			s := fmt.Sprintf("%d of %d for or against are in favour (%s%%)", v.Favour, decided, pct(v.Favour, decided))
			if !v.Met {
				s += "; two thirds (66.7%) needed"
			}
			v.Reasons = append(v.Reasons, s+".")
		}
	case RuleCoalition:
		if units == nil {
			v.Reasons = append(v.Reasons, "No unit list is configured, so the coalition rule cannot be met.")
			return v
		}
		for _, u := range r.Units {
			if !u.Listed {
				continue
			}
			v.UnitsTotal++
			v.MembersTotal += u.Unit.Members
			if u.InFavour {
				v.UnitsInFavour++
				v.MembersInFavour += u.Unit.Members
			}
		}
		unitsOK := v.UnitsInFavour >= units.UnitsNeeded
		membersOK := v.MembersTotal > 0 && float64(v.MembersInFavour)*100 >= units.PercentNeeded*float64(v.MembersTotal)
		v.Met = unitsOK && membersOK
		s := fmt.Sprintf("%d of %d units in favour", v.UnitsInFavour, v.UnitsTotal)
		if !unitsOK {
			s += fmt.Sprintf("; %d needed", units.UnitsNeeded)
		}
		v.Reasons = append(v.Reasons, s+".")
		s = fmt.Sprintf("The units in favour represent %s%% of the membership (%s of %s)", pct(v.MembersInFavour, v.MembersTotal), thousands(v.MembersInFavour), thousands(v.MembersTotal))
		if !membersOK {
			s += fmt.Sprintf("; %s%% needed", trimFloat(units.PercentNeeded))
		}
		v.Reasons = append(v.Reasons, s+".")
	}
	return v
}

// RuleName returns the rule's name for people.
func RuleName(r Rule) string {
	switch r {
	case RuleMajority:
		return "Majority rule"
	case RuleTwoThirds:
		return "Two-thirds rule"
	case RuleCoalition:
		return "Coalition rule"
	}
	return "No rule"
}

// Summary returns the verdict in one line, e.g. "Coalition rule: not met
// so far. 11 of 15 units in favour; 14 needed. ..."
func (v *Verdict) Summary(final bool) string {
	state := "not met"
	if v.Met {
		state = "met"
	}
	if !final {
		state += " so far"
	}
	return RuleName(v.Rule) + ": " + state + ". " + strings.Join(v.Reasons, " ")
}

// pct formats part/whole as a percentage with at most one decimal.
func pct(part, whole int) string {
	if whole == 0 {
		return "0"
	}
	return trimFloat(float64(part) * 100 / float64(whole))
}

func trimFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// thousands formats n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

package polls

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Turnout is how many members voted against how many could have, by unit.
// It never says who voted.
type Turnout struct {
	// Units are the units counted: the poll's eligible units, or every
	// unit of its list.
	Units []UnitTurnout
	// ByUnit reports whether the votes of each unit are known: on a
	// multi-choice poll a unit's counters add up choices, not voters.
	ByUnit bool
	// Voted is the number of members who voted; Members the membership of
	// Units.
	Voted, Members int
	// FromRoster reports that the membership comes from the roster rather
	// than the units file.
	FromRoster bool
	// FromGroups reports that, without a roster, the membership of some
	// units comes from their platform groups' member lists.
	FromGroups bool
	// SelfDeclared is the number of votes counted for a unit the voter
	// named themselves (/unit): the votes of units that name no platform
	// role, when there is no roster.
	SelfDeclared int
	// Conflicts is the number of members in the groups of two units or
	// more, who count for none of them: when there is no roster, from the
	// platform's group lists. Public text gives the number, never who.
	Conflicts int
}

// UnitTurnout is one unit's turnout.
type UnitTurnout struct {
	// Name is the unit.
	Name string
	// Voted is how many of its members voted; Members its membership.
	Voted, Members int
	// Withheld reports a unit whose split is withheld on a secret ballot
	// (see UnitResult.Withheld): its exact number of votes is withheld too.
	Withheld bool
}

// turnout works out the poll's turnout: membership from the roster when
// the installation has one, otherwise from the poll's units file.
func (s *Service) turnout(ctx context.Context, r *Results) (*Turnout, error) {
	p := r.Poll
	if p.Coalition == nil {
		return nil, nil
	}
	t := &Turnout{ByUnit: !p.Multi(), Voted: r.Voters}
	var sizes map[string]int
	if s.roster != nil {
		kept, err := s.roster.HasRoster(ctx)
		if err != nil {
			return nil, fmt.Errorf("read roster: %w", err)
		}
		if kept {
			if sizes, err = s.roster.RosterSizes(ctx); err != nil {
				return nil, fmt.Errorf("read roster sizes: %w", err)
			}
			t.FromRoster = true
		}
	}
	// Without a roster, the votes of a unit that names no platform role
	// can only come from members who named the unit themselves.
	selfDeclared := !t.FromRoster && !p.Coalition.FixedMembership
	var groups unitGroups
	if !t.FromRoster {
		groups = s.readUnitGroups(p.Platform)
		t.Conflicts = len(groups.conflicts())
	}
	for _, u := range r.Units {
		if !u.Listed || p.Eligible.Limited() && len(p.Eligible.Units) > 0 && !slices.Contains(p.Eligible.Units, u.Unit.Name) {
			continue
		}
		members := u.Unit.Members
		if t.FromRoster {
			members = sizes[u.Unit.Name]
		} else if ids, ok := groups.listed[u.Unit.Name]; ok {
			members, t.FromGroups = len(ids), true
		}
		t.Units = append(t.Units, UnitTurnout{Name: u.Unit.Name, Voted: u.Votes(), Members: members, Withheld: u.Withheld})
		t.Members += members
		if selfDeclared && u.Unit.DiscordRole == "" && u.Unit.SlackGroup == "" {
			t.SelfDeclared += u.Votes()
		}
	}
	if !t.ByUnit {
		t.SelfDeclared = 0
	}
	return t, nil
}

// line is one unit's turnout: "P-4: 312 of 2,600 voted, 12%".
func (u UnitTurnout) line() string {
	voted := thousands(u.Voted)
	if u.Withheld {
		voted = fmt.Sprintf("fewer than %d", MinSecretSplit)
	}
	if u.Members == 0 {
		return fmt.Sprintf("%s: %s voted (membership unknown)", u.Name, voted)
	}
	if u.Withheld {
		return fmt.Sprintf("%s: %s of %s voted", u.Name, voted, thousands(u.Members))
	}
	return fmt.Sprintf("%s: %s of %s voted, %d%%", u.Name, voted, thousands(u.Members), percent(u.Voted, u.Members))
}

// overall is the whole poll's turnout in one sentence.
func (t *Turnout) overall() string {
	source := "the units file"
	switch {
	case t.FromRoster:
		source = "the roster"
	case t.FromGroups:
		source = "the platform's groups where a unit names one, else the units file"
	}
	if t.Members == 0 {
		return fmt.Sprintf("Turnout: %s voted; the membership is not known (%s).", thousands(t.Voted), source)
	}
	return fmt.Sprintf("Turnout: %s of %s members voted, %d%% (membership from %s).", thousands(t.Voted), thousands(t.Members), percent(t.Voted, t.Members), source)
}

// conflictLine says how many members are in two units' groups, or "" when
// none is: counts only, since it is shown to everyone.
func (t *Turnout) conflictLine() string {
	switch t.Conflicts {
	case 0:
		return ""
	case 1:
		return "1 member is in two units' groups and counts for neither; a steward can see who with /poll units.\n"
	}
	return fmt.Sprintf("%s members are in two units' groups and count for neither; a steward can see who with /poll units.\n", thousands(t.Conflicts))
}

// cardLines writes the turnout for a poll card: the overall figure, and
// each unit's when the poll is limited to a few units.
func (t *Turnout) cardLines(b *strings.Builder, limited bool) {
	b.WriteString(t.overall() + "\n")
	if limited && t.ByUnit && len(t.Units) <= maxCardTurnoutUnits {
		parts := make([]string, len(t.Units))
		for i, u := range t.Units {
			parts[i] = u.line()
		}
		b.WriteString(strings.Join(parts, "; ") + ".\n")
	}
	b.WriteString(t.conflictLine())
}

// maxCardTurnoutUnits is the most units whose turnout a card lists; the
// full list is in /poll results.
const maxCardTurnoutUnits = 4

// reportLines writes the turnout of every unit, for /poll results.
func (t *Turnout) reportLines(b *strings.Builder) {
	b.WriteString(t.overall() + "\n")
	if t.ByUnit {
		for _, u := range t.Units {
			b.WriteString("  " + u.line() + "\n")
		}
	}
	if t.SelfDeclared > 0 {
		fmt.Fprintf(b, "%s of the votes counted for a unit that the voter named with /unit, which no one checks.\n", thousands(t.SelfDeclared))
	}
	b.WriteString(t.conflictLine())
}

package polls

import (
	"maps"
	"slices"
)

// unitGroups is what a platform's groups say of the units, from the
// adapter's last member lists: each unit's members, where its group names
// one and the list could be read, and which units' groups each member is
// in.
type unitGroups struct {
	// listed gives the members of each unit whose group was listed.
	listed map[string][]string
	// byMember gives the units whose groups list each member.
	byMember map[string][]string
}

// readUnitGroups gathers the units' groups on platform, from the group
// directory of its adapter.
func (s *Service) readUnitGroups(platform string) unitGroups {
	g := unitGroups{listed: map[string][]string{}, byMember: map[string][]string{}}
	if s.units == nil {
		return g
	}
	for _, u := range s.units.Units {
		ids, ok := s.groupMembers(platform, u)
		if !ok {
			continue
		}
		g.listed[u.Name] = ids
		for _, id := range ids {
			g.byMember[id] = append(g.byMember[id], u.Name)
		}
	}
	return g
}

// conflicts returns the members in the groups of two units or more, whose
// votes count for no unit, sorted.
func (g unitGroups) conflicts() []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(g.byMember)) {
		if len(g.byMember[id]) > 1 {
			out = append(out, id)
		}
	}
	return out
}

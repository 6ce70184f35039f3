package polls

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/unionhall/unionhall/bot"
)

// maxConflictsShown bounds the members listed as being in two units'
// groups; the count is always given.
const maxConflictsShown = 20

// serveUnitsCheck answers /poll units (stewards): it reads the platform's
// groups again, says where members' units come from, and lists the members
// whose groups put them in two units at once (their votes count for no
// unit until that is fixed).
func (s *Service) serveUnitsCheck(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	if s.units == nil {
		return bot.Errorf(bot.EINVALID, "No list of units is configured.")
	}
	var b strings.Builder
	if dir, ok := s.directory(r.Platform); ok {
		if err := dir.RefreshGroups(ctx); err != nil {
			s.log.WarnContext(ctx, "refreshing the platform's groups", "platform", r.Platform, "err", err)
			b.WriteString("I could not read every group's members again just now; the lists below are the last ones read.\n")
		} else {
			b.WriteString("I read the groups' members again just now.\n")
		}
	}
	if s.roster != nil {
		kept, err := s.roster.HasRoster(ctx)
		if err != nil {
			return fmt.Errorf("read roster: %w", err)
		}
		if kept {
			sizes, err := s.roster.RosterSizes(ctx)
			if err != nil {
				return fmt.Errorf("read roster sizes: %w", err)
			}
			parts := make([]string, 0, len(sizes))
			for _, u := range slices.Sorted(maps.Keys(sizes)) {
				parts = append(parts, fmt.Sprintf("%s %s", u, thousands(sizes[u])))
			}
			fmt.Fprintf(&b, "Units come from the union's roster: %s. Platform groups and /unit are not used while there is a roster.", strings.Join(parts, ", "))
			return w.Reply(ctx, bot.Reply{Text: b.String(), Private: true, Thread: r.Thread})
		}
	}
	groups := s.readUnitGroups(r.Platform)
	for _, u := range s.units.Units {
		g := u.group(r.Platform)
		if g == "" {
			continue
		}
		if ids, ok := groups.listed[u.Name]; ok {
			fmt.Fprintf(&b, "%s: group %s, %s.\n", u.Name, g, members(len(ids)))
		} else {
			fmt.Fprintf(&b, "%s: group %s (its members are checked on each vote).\n", u.Name, g)
		}
	}
	if b.Len() == 0 || !strings.Contains(b.String(), "group") {
		b.WriteString("No unit names a group on this platform.\n")
	}
	if s.selfDeclared() {
		b.WriteString("Members in no unit's group may name their unit with /unit; nothing checks it.\n")
	} else {
		b.WriteString("Members may not name their own unit (self_declared: false).\n")
	}
	var conflicts []string
	for _, id := range groups.conflicts() {
		conflicts = append(conflicts, fmt.Sprintf("%s (%s)", id, joinAnd(groups.byMember[id])))
	}
	if len(conflicts) > 0 {
		fmt.Fprintf(&b, "%s in the groups of two units or more, so their votes count for no unit until their groups are fixed: ", members(len(conflicts)))
		if len(conflicts) > maxConflictsShown {
			conflicts = append(conflicts[:maxConflictsShown], fmt.Sprintf("and %d more", len(conflicts)-maxConflictsShown))
		}
		b.WriteString(strings.Join(conflicts, "; ") + ".")
	}
	return w.Reply(ctx, bot.Reply{Text: strings.TrimSpace(b.String()), Private: true, Thread: r.Thread})
}

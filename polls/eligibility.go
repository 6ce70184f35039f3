package polls

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/unionhall/unionhall/bot"
)

// Eligibility is who may vote in a poll. The zero value lets every member
// in the channel vote, as polls always have.
type Eligibility struct {
	// Units limits the vote to members of these units (--units), by the
	// names the units file gives them.
	Units []string `json:"units,omitempty"`
	// Roster limits the vote to members on the roster (--roster).
	Roster bool `json:"roster,omitempty"`
}

// Limited reports whether the poll is limited to some members.
func (e Eligibility) Limited() bool { return e.Roster || len(e.Units) > 0 }

// Describe says who may vote, for the card: "members of P-2 and P-4", or
// "everyone in this channel".
func (e Eligibility) Describe() string {
	switch {
	case len(e.Units) > 0 && e.Roster:
		return "members of " + joinAnd(e.Units) + " on the union's roster"
	case len(e.Units) > 0:
		return "members of " + joinAnd(e.Units)
	case e.Roster:
		return "members on the union's roster"
	}
	return "everyone in this channel"
}

// joinAnd joins names as "A", "A and B", "A, B and C".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Membership is what the service knows of one member's unit when they
// vote.
type Membership struct {
	// Unit is the unit the member's vote counts for, or "".
	Unit string
	// OnRoster reports that the unit comes from the roster.
	OnRoster bool
	// FromPlatform reports that the unit comes from the member's platform
	// role (a unit's discord_role).
	FromPlatform bool
	// Conflict names the units whose platform roles the member has, when
	// there is more than one: the vote then counts for none of them.
	Conflict []string
}

// NamesDiscordRoles reports whether a unit gives its Discord role by name
// rather than by ID, so the adapter must report members' roles by name.
func (c *Coalition) NamesDiscordRoles() bool {
	if c == nil {
		return false
	}
	return slices.ContainsFunc(c.Units, func(u Unit) bool {
		return u.DiscordRole != "" && strings.Trim(u.DiscordRole, "0123456789") != ""
	})
}

// groupPoster is a Poster that can also reach the platforms' group
// directories (*bot.Hub).
type groupPoster interface {
	Groups(platform string) (bot.GroupDirectory, bool)
}

// directory returns the group directory of platform, when its adapter
// keeps one.
func (s *Service) directory(platform string) (bot.GroupDirectory, bool) {
	gp, ok := s.poster.(groupPoster)
	if !ok {
		return nil, false
	}
	return gp.Groups(platform)
}

// groupMembers returns the members of unit u's group on platform, from
// the adapter's last list, when there is one.
func (s *Service) groupMembers(platform string, u Unit) ([]string, bool) {
	g := u.group(platform)
	if g == "" {
		return nil, false
	}
	dir, ok := s.directory(platform)
	if !ok {
		return nil, false
	}
	return dir.GroupMembers(g)
}

// SlackGroups returns the Slack user groups the units name, for the
// adapter to watch (slack.Options.MemberGroups).
func (c *Coalition) SlackGroups() []string {
	var out []string
	if c != nil {
		for _, u := range c.Units {
			if u.SlackGroup != "" {
				out = append(out, u.SlackGroup)
			}
		}
	}
	return out
}

// group returns the platform group whose members are in the unit on the
// given platform, or "".
func (u Unit) group(platform string) string {
	switch platform {
	case bot.PlatformDiscord:
		return u.DiscordRole
	case bot.PlatformSlack:
		return u.SlackGroup
	}
	return ""
}

// groupKey folds a group's name for matching: letter case and a leading
// "@" (a Slack handle) do not matter.
func groupKey(g string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(g), "@")) }

// platformUnits returns the units whose platform group is among the
// member's groups (bot.User.Groups: Discord role IDs and names, Slack user
// group IDs and handles).
func (c *Coalition) platformUnits(u bot.User) []string {
	platform, _, _ := bot.SplitID(u.ID)
	if c == nil || len(u.Groups) == 0 {
		return nil
	}
	var out []string
	for _, unit := range c.Units {
		want := groupKey(unit.group(platform))
		if want != "" && slices.ContainsFunc(u.Groups, func(g string) bool { return groupKey(g) == want }) {
			out = append(out, unit.Name)
		}
	}
	return out
}

// refusal says why a member may not vote in a poll limited by e, or ""
// when they may. rosterKept reports whether the installation has a roster.
func (e Eligibility) refusal(pollID int64, m Membership, rosterKept bool) string {
	if !e.Limited() {
		return ""
	}
	switch {
	case e.Roster && !rosterKept:
		return fmt.Sprintf("Poll %d is limited to members on the union's roster, and no roster has been imported yet, so no vote can be recorded. Please tell a steward.", pollID)
	case e.Roster && !m.OnRoster:
		return fmt.Sprintf("Poll %d is limited to members on the union's roster, and you are not on it. If you should be, please ask a steward to add you.", pollID)
	case len(e.Units) > 0 && !slices.Contains(e.Units, m.Unit):
		who := "you are not listed in any of them"
		switch {
		case m.Unit != "" && m.OnRoster:
			who = "the roster has you in " + m.Unit
		case m.Unit != "" && m.FromPlatform:
			who = "your role puts you in " + m.Unit
		case len(m.Conflict) > 0:
			who = "your roles put you in " + joinAnd(m.Conflict) + " at once; please ask a steward to fix your roles"
		case m.Unit != "":
			who = "you are in " + m.Unit
		case !rosterKept:
			who = "you have not said which unit you are in (/unit <name>)"
		}
		return fmt.Sprintf("Poll %d is limited to members of %s, and %s.", pollID, joinAnd(e.Units), who)
	}
	return ""
}

// parseEligibleUnits reads a --units value ("P-2,P-4"): every name must
// be a unit of the units file, by name or alias.
func parseEligibleUnits(value string, units *Coalition) ([]string, error) {
	if units == nil {
		return nil, bot.Errorf(bot.EINVALID, "No list of units is configured, so a poll cannot be limited to units.")
	}
	var out []string
	for _, name := range strings.Split(value, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		u, ok := units.Exact(name)
		if !ok {
			return nil, bot.Errorf(bot.EINVALID, "--units: I don't know the unit %q. Units: %s.", bot.Truncate(name, 60), units.names())
		}
		if !slices.Contains(out, u.Name) {
			out = append(out, u.Name)
		}
	}
	if len(out) == 0 {
		return nil, bot.Errorf(bot.EINVALID, "--units needs unit names separated by commas, e.g. --units P-2,P-4.")
	}
	return out, nil
}

// membership returns the unit a member's vote counts for: from the roster
// when the installation has one (a member not on it counts for no unit),
// otherwise from the member's platform role when a unit names one (a
// member with the roles of two units counts for neither), otherwise the
// unit they declared with /unit, when the units file allows that.
func (s *Service) membership(ctx context.Context, user bot.User) (Membership, bool, error) {
	member := user.ID
	if s.roster != nil {
		kept, err := s.roster.HasRoster(ctx)
		if err != nil {
			return Membership{}, false, fmt.Errorf("read roster: %w", err)
		}
		if kept {
			unit, ok, err := s.roster.RosterUnit(ctx, member)
			if err != nil {
				return Membership{}, true, fmt.Errorf("read roster: %w", err)
			}
			return Membership{Unit: unit, OnRoster: ok}, true, nil
		}
	}
	units := s.units.platformUnits(user)
	if len(user.Groups) == 0 {
		// A member's groups are not always given (Discord sends no roles
		// with a direct message, where nudges arrive): the platform's
		// group lists, when it keeps them, say the same.
		units = s.listedUnits(user.ID)
	}
	switch {
	case len(units) == 1:
		return Membership{Unit: units[0], FromPlatform: true}, false, nil
	case len(units) > 1:
		s.log.WarnContext(ctx, "a member has the platform roles of several units, so their votes count for none", "units", units)
		return Membership{Conflict: units}, false, nil
	}
	if !s.selfDeclared() {
		return Membership{}, false, nil
	}
	unit, err := s.store.Unit(ctx, member)
	if err != nil {
		return Membership{}, false, fmt.Errorf("read unit: %w", err)
	}
	return Membership{Unit: unit}, false, nil
}

// listedUnits returns the units whose platform groups list member, from
// the group lists the member's platform keeps.
func (s *Service) listedUnits(member string) []string {
	platform, _, _ := bot.SplitID(member)
	return s.readUnitGroups(platform).byMember[member]
}

// selfDeclared reports whether members may name their own unit with /unit.
func (s *Service) selfDeclared() bool { return s.units != nil && !s.units.FixedMembership }

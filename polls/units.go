package polls

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/unionhall/unionhall/bot"
)

// Unit is a union or bargaining unit whose members vote in polls.
type Unit struct {
	// Name is how the unit is shown, e.g. "P-4".
	Name string `json:"name"`
	// Members is the unit's membership size, used by the coalition rule.
	Members int `json:"members"`
	// Aliases are other names members may type for the unit.
	Aliases []string `json:"aliases,omitempty"`
}

// Coalition is the list of units and the coalition rule's thresholds. It
// is configuration data (a file), not code.
type Coalition struct {
	// Name names the coalition, e.g. "SEBAC".
	Name string `json:"name,omitempty"`
	// Example marks an example list that an operator should replace; it is
	// said wherever the list is shown.
	Example bool `json:"example,omitempty"`
	// Units are the member units.
	Units []Unit `json:"units"`
	// UnitsNeeded is how many units must each have a majority in favour.
	UnitsNeeded int `json:"units_needed"`
	// PercentNeeded is the share of the total membership, in percent, that
	// the units in favour must represent.
	PercentNeeded float64 `json:"membership_percent"`
}

// Validate checks the coalition, naming the field at fault.
func (c *Coalition) Validate() error {
	if len(c.Units) == 0 {
		return fmt.Errorf("units: the list is empty; name at least one unit")
	}
	seen := map[string]string{}
	for i, u := range c.Units {
		where := fmt.Sprintf("units[%d]", i)
		if strings.TrimSpace(u.Name) == "" {
			return fmt.Errorf("%s.name: is empty", where)
		}
		where = fmt.Sprintf("units[%d] (%q)", i, u.Name)
		if u.Members <= 0 {
			return fmt.Errorf("%s.members: must be a positive number of members, got %d", where, u.Members)
		}
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			k := normalize(n)
			if k == "" {
				return fmt.Errorf("%s: name or alias %q has no letters or digits", where, n)
			}
			if other, dup := seen[k]; dup && other != u.Name {
				return fmt.Errorf("%s: %q is also a name of unit %q", where, n, other)
			}
			seen[k] = u.Name
		}
	}
	if c.UnitsNeeded < 1 || c.UnitsNeeded > len(c.Units) {
		return fmt.Errorf("coalition.units_needed: must be between 1 and the number of units (%d), got %d", len(c.Units), c.UnitsNeeded)
	}
	if !(c.PercentNeeded > 0 && c.PercentNeeded <= 100) {
		return fmt.Errorf("coalition.membership_percent: must be more than 0 and at most 100, got %g", c.PercentNeeded)
	}
	return nil
}

// TotalMembers returns the membership of all units together.
func (c *Coalition) TotalMembers() int {
	n := 0
	for _, u := range c.Units {
		n += u.Members
	}
	return n
}

// Unit returns the unit with exactly this name.
func (c *Coalition) Unit(name string) (Unit, bool) {
	for _, u := range c.Units {
		if u.Name == name {
			return u, true
		}
	}
	return Unit{}, false
}

// normalize folds a unit name for matching: lower case, letters and digits
// only, so "p4", "P-4" and "p 4" are the same.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Find returns the unit a member meant by name: an exact match of a name or
// alias (ignoring case, spaces and punctuation), or else the one unit whose
// name or alias starts with it. It returns an EINVALID error listing the
// units when there is no match or more than one.
func (c *Coalition) Find(name string) (Unit, error) {
	k := normalize(name)
	if k == "" && strings.TrimSpace(name) != "" {
		return Unit{}, bot.Errorf(bot.EINVALID, "%q is not one of the units. Units: %s. Type /unit <name> with one of them.", bot.Truncate(name, 60), c.names())
	}
	if k == "" {
		return Unit{}, bot.Errorf(bot.EINVALID, "Say which unit you are in: /unit <name>. Units: %s.", c.names())
	}
	var prefix []Unit
	for _, u := range c.Units {
		matched := false
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			nk := normalize(n)
			if nk == k {
				return u, nil
			}
			if strings.HasPrefix(nk, k) {
				matched = true
			}
		}
		if matched {
			prefix = append(prefix, u)
		}
	}
	switch len(prefix) {
	case 1:
		return prefix[0], nil
	case 0:
		return Unit{}, bot.Errorf(bot.EINVALID, "I don't know the unit %q. Units: %s.", bot.Truncate(name, 60), c.names())
	}
	names := make([]string, len(prefix))
	for i, u := range prefix {
		names[i] = u.Name
	}
	return Unit{}, bot.Errorf(bot.EINVALID, "%q could be %s. Type more of the name.", bot.Truncate(name, 60), strings.Join(names, " or "))
}

func (c *Coalition) names() string {
	names := make([]string, len(c.Units))
	for i, u := range c.Units {
		names[i] = u.Name
	}
	return strings.Join(names, ", ")
}

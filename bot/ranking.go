package bot

import (
	"fmt"
	"strconv"
	"strings"
)

// Ranking is a card element that lets a member put options in order with
// taps (a first choice, a second, and so on) where typing numbers is hard,
// as on a phone. The member's picks are submitted together as one command,
// Command(order), so nothing is recorded until the whole order is given.
// Adapters render it as they can (a form, a private message of menus) and
// check the picks with Problem before sending anything.
type Ranking struct {
	// Label is the text of the button that opens the ranking form.
	Label string
	// Title heads the form, e.g. the question.
	Title string
	// Action is the command name without the slash, e.g. "vote".
	Action string
	// Value is the rest of the command line before the order, e.g. "12".
	Value string
	// Options are the choices; option n (1-based) is Options[n-1].
	Options []string
	// Required is how many ranks must be filled; fewer than 1 means 1.
	Required int
}

// Command returns the typed command that submits order (option numbers,
// most preferred first), e.g. "/vote 12 3 1 2".
func (r Ranking) Command(order []int) string {
	parts := []string{"/" + r.Action}
	if r.Value != "" {
		parts = append(parts, r.Value)
	}
	for _, o := range order {
		parts = append(parts, strconv.Itoa(o))
	}
	return strings.Join(parts, " ")
}

// RankLabel names rank n (1-based) for a form, e.g. "1st choice".
func RankLabel(n int) string { return Ordinal(n) + " choice" }

// Problem checks picks, the option chosen for each rank in turn (0 for a
// rank left empty), and returns the order they give. When the picks cannot
// be submitted it returns the rank (1-based) to point at and a plain
// sentence saying why: an option picked for two ranks, a rank filled after
// an empty one, or fewer ranks than required.
func (r Ranking) Problem(picks []int) (order []int, rank int, msg string) {
	at := map[int]int{}
	gap := 0
	for i, o := range picks {
		n := i + 1
		switch {
		case o == 0:
			if gap == 0 {
				gap = n
			}
			continue
		case o < 1 || o > len(r.Options):
			return nil, n, fmt.Sprintf("There is no option %d.", o)
		case gap != 0:
			return nil, n, fmt.Sprintf("Choose your %s before your %s, or leave this one empty.", RankLabel(gap), RankLabel(n))
		}
		if first, ok := at[o]; ok {
			return nil, n, fmt.Sprintf("You picked %q for both your %s and your %s. Pick each option once.", r.Options[o-1], RankLabel(first), RankLabel(n))
		}
		at[o] = n
		order = append(order, o)
	}
	switch need := max(r.Required, 1); {
	case len(order) >= need:
	case need == 1:
		return nil, 1, "Choose your " + RankLabel(1) + "."
	default:
		return nil, len(order) + 1, fmt.Sprintf("Rank at least %s.", Plural(need, "option"))
	}
	return order, 0, ""
}

// Ordinal writes 1 as "1st", 2 as "2nd", and so on.
func Ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

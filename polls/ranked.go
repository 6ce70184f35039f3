package polls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/unionhall/unionhall/bot"
)

// Ranking is a number of identical ranked ballots: the options in order
// of preference, and how many members ranked them so. A secret ranked
// ballot is kept only as such a count, so nothing links a ranking to a
// member or to when it came in.
type Ranking struct {
	// Order are option numbers (1-based), most preferred first. It need
	// not rank every option.
	Order []int
	// Votes is how many ballots ranked the options so.
	Votes int
}

// Round is one count of an instant-runoff.
type Round struct {
	// Counts are the votes per option (Counts[0] is option 1) of the
	// ballots whose highest-ranked continuing option it is; 0 for an
	// eliminated option.
	Counts []int
	// Continuing are the ballots that still rank a continuing option.
	Continuing int
	// Exhausted are the ballots that rank no continuing option.
	Exhausted int
	// Eliminated is the option eliminated after this round, or 0 when the
	// round decided the result.
	Eliminated int
	// TieBroken reports that several options had the fewest votes and
	// TieRule chose which one went.
	TieBroken bool
}

// Runoff is the instant-runoff count of a ranked poll.
type Runoff struct {
	// Rounds are the counts, first to last.
	Rounds []Round
	// Winner is the option with more than half of the continuing ballots
	// in the last round, or the last one left; 0 when nobody voted.
	Winner int
}

// TieRule says how instant-runoff breaks a tie for the fewest votes; it
// is shown with every ranked result that needed it.
const TieRule = "Of the options tied for the fewest votes, the one with the fewest first preferences is eliminated; if still tied, the one listed last on the ballot."

// InstantRunoff counts ranked ballots: each ballot counts for its
// highest-ranked option still in the count. An option with more than half
// of the ballots that still count wins; otherwise the option with the
// fewest votes is eliminated (ties broken by TieRule) and the ballots are
// counted again, until one wins or one is left.
func InstantRunoff(options int, rankings []Ranking) Runoff {
	out := Runoff{}
	if options == 0 {
		return out
	}
	eliminated := make([]bool, options+1)
	left := options
	var first []int
	for {
		r := Round{Counts: make([]int, options)}
		for _, rk := range rankings {
			top := 0
			for _, o := range rk.Order {
				if o >= 1 && o <= options && !eliminated[o] {
					top = o
					break
				}
			}
			if top == 0 {
				r.Exhausted += rk.Votes
				continue
			}
			r.Counts[top-1] += rk.Votes
			r.Continuing += rk.Votes
		}
		if first == nil {
			first = r.Counts
		}
		if r.Continuing == 0 {
			out.Rounds = append(out.Rounds, r)
			return out
		}
		lead := 0
		for o := 1; o <= options; o++ {
			if !eliminated[o] && (lead == 0 || r.Counts[o-1] > r.Counts[lead-1]) {
				lead = o
			}
		}
		if 2*r.Counts[lead-1] > r.Continuing || left == 1 {
			out.Rounds = append(out.Rounds, r)
			out.Winner = lead
			return out
		}
		r.Eliminated, r.TieBroken = lowest(r.Counts, first, eliminated)
		eliminated[r.Eliminated] = true
		left--
		out.Rounds = append(out.Rounds, r)
	}
}

// lowest returns the continuing option with the fewest votes in counts,
// with ties broken by TieRule, and whether there was a tie.
func lowest(counts, first []int, eliminated []bool) (option int, tie bool) {
	var tied []int
	for o := 1; o < len(eliminated); o++ {
		switch {
		case eliminated[o]:
		case len(tied) == 0 || counts[o-1] < counts[tied[0]-1]:
			tied = []int{o}
		case counts[o-1] == counts[tied[0]-1]:
			tied = append(tied, o)
		}
	}
	option = tied[0]
	for _, o := range tied[1:] {
		if first[o-1] <= first[option-1] {
			option = o
		}
	}
	return option, len(tied) > 1
}

// checkRanking refuses a ranking that names an option twice or one the
// poll does not have.
func checkRanking(p *Poll, order []int) error {
	seen := map[int]bool{}
	for _, c := range order {
		if c < 1 || c > len(p.Options) {
			return bot.Errorf(bot.EINVALID, "Poll %d has no option %d. Its options are %s.", p.ID, c, p.Labels(seq(len(p.Options))))
		}
		if seen[c] {
			return bot.Errorf(bot.EINVALID, "You ranked %s twice. Give each option once, most preferred first, e.g. /vote %d %s.", p.Label(c), p.ID, joinInts(seq(len(p.Options))))
		}
		seen[c] = true
	}
	return nil
}

// decideRanked records, changes or confirms a ranked ballot: the options
// in the order named.
func (v *vote) decideRanked(p *Poll, prior Prior) ([]int, error) {
	if err := checkRanking(p, v.ranking); err != nil {
		return nil, err
	}
	if p.Secret && prior.Voted {
		v.res.Outcome = AlreadyVoted
		return nil, nil
	}
	v.res.Before = prior.Choices
	if prior.Voted && slices.Equal(prior.Choices, v.ranking) && prior.Unit == v.res.Unit {
		v.res.Outcome, v.res.After = Unchanged, prior.Choices
		return nil, nil
	}
	v.res.Outcome, v.res.After = Recorded, v.ranking
	if prior.Voted {
		v.res.Outcome = Changed
	}
	return v.ranking, nil
}

// rankingText writes a ranking as "1st 3. C, 2nd 1. A".
func rankingText(p *Poll, order []int) string {
	parts := make([]string, len(order))
	for i, o := range order {
		parts[i] = bot.Ordinal(i+1) + " " + p.Label(o)
	}
	return strings.Join(parts, ", ")
}

// runoffLines writes the rounds of a ranked poll's count.
func (r *Results) runoffLines(b *strings.Builder) {
	ro := r.Runoff
	if ro == nil || len(ro.Rounds) == 0 || r.Voters == 0 {
		return
	}
	p := r.Poll
	b.WriteString("\nInstant-runoff count:\n")
	tie := false
	for i, rd := range ro.Rounds {
		var parts []string
		for o, n := range rd.Counts {
			if n > 0 || rd.Eliminated == o+1 {
				parts = append(parts, fmt.Sprintf("%s %d", p.Options[o], n))
			}
		}
		fmt.Fprintf(b, "Round %d: %s", i+1, strings.Join(parts, ", "))
		if rd.Exhausted > 0 {
			fmt.Fprintf(b, " (%d ballots rank no option left)", rd.Exhausted)
		}
		if rd.Eliminated > 0 {
			fmt.Fprintf(b, ". %s is eliminated", p.Options[rd.Eliminated-1])
			if rd.TieBroken {
				b.WriteString(" (tie broken)")
				tie = true
			}
		}
		b.WriteString(".\n")
	}
	if ro.Winner > 0 {
		last := ro.Rounds[len(ro.Rounds)-1]
		verb := "wins"
		if !r.Final {
			verb = "leads"
		}
		fmt.Fprintf(b, "%s %s with %d of %d continuing ballots (%d%%).\n", p.Options[ro.Winner-1], verb, last.Counts[ro.Winner-1], last.Continuing, percent(last.Counts[ro.Winner-1], last.Continuing))
	}
	if tie {
		b.WriteString("Tie rule: " + TieRule + "\n")
	}
}

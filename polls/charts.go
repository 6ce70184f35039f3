package polls

import (
	"context"
	"fmt"
	"strings"

	"github.com/unionhall/unionhall/bot"
)

// Charter draws a poll's results as a picture (polls/chart draws a PNG
// bar chart). It is optional: without one, results are posted as text
// only, which they always are as well.
type Charter interface {
	// Chart returns the picture of r as a file to post.
	Chart(r *Results) (*bot.File, error)
}

// ChartText describes in words what the chart of r shows, the numbers
// included, so members who use a screen reader get all of it.
func ChartText(r *Results) string {
	p := r.Poll
	var b strings.Builder
	fmt.Fprintf(&b, "Chart of poll %d, %q: ", p.ID, bot.Truncate(p.Question, 80))
	if v := r.Verdict; v != nil && v.Rule == RuleCoalition {
		var parts []string
		for _, u := range r.Units {
			if !u.Listed {
				continue
			}
			f, a := u.Counts[p.Favour-1], u.Counts[p.Against-1]
			if u.Withheld {
				parts = append(parts, u.Unit.Name+" withheld (too few votes to stay secret)")
				continue
			}
			parts = append(parts, fmt.Sprintf("%s %d%% in favour (%d for, %d against)", u.Unit.Name, percent(f, f+a), f, a))
		}
		b.WriteString("per unit, the share in favour against the 50% each unit needs: " + strings.Join(parts, "; ") + ". ")
	} else {
		what := "votes per option"
		if p.Ranked {
			what = "first preferences per option"
		}
		parts := make([]string, len(p.Options))
		for i, o := range p.Options {
			parts[i] = fmt.Sprintf("%s %d (%d%%)", o, r.Options[i], percent(r.Options[i], r.Voters))
		}
		b.WriteString(what + ": " + strings.Join(parts, ", ") + ". ")
	}
	b.WriteString(ChartTitle(r))
	return b.String()
}

// ChartTitle is the chart's title: the verdict under the poll's rule, the
// winner of a ranked poll, or the leading option.
func ChartTitle(r *Results) string {
	state := "so far"
	if r.Final {
		state = "final"
	}
	switch {
	case r.Verdict != nil:
		return r.Verdict.Summary(r.Final)
	case r.Runoff != nil && r.Runoff.Winner > 0:
		verb := "leads"
		if r.Final {
			verb = "wins"
		}
		return fmt.Sprintf("%s %s after %s of instant-runoff.", r.Poll.Options[r.Runoff.Winner-1], verb, bot.Plural(len(r.Runoff.Rounds), "round"))
	case r.Voters == 0:
		return "No votes " + state + "."
	}
	best, tie := 0, false
	for i, n := range r.Options {
		switch {
		case n > r.Options[best]:
			best, tie = i, false
		case i != best && n == r.Options[best]:
			tie = true
		}
	}
	if tie {
		return "Tied at the top (" + state + ")."
	}
	return fmt.Sprintf("%s leads (%s).", r.Poll.Options[best], state)
}

// chartReply returns the reply that posts the chart of res, or false when
// there is no Charter or the counts are hidden. A chart that cannot be
// drawn is logged and left out: the result is in the text either way.
func (s *Service) chartReply(ctx context.Context, res *Results) (bot.Reply, bool) {
	if s.charter == nil || !res.showCounts() {
		return bot.Reply{}, false
	}
	f, err := s.charter.Chart(res)
	if err != nil {
		s.log.WarnContext(ctx, "drawing a poll chart", "poll", res.Poll.ID, "err", err)
		return bot.Reply{}, false
	}
	return bot.Reply{Text: ChartText(res), File: f}, true
}

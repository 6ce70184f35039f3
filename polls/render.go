package polls

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// barWidth is the number of characters in a tally bar.
const barWidth = 10

// StrawPollNotice is on every poll card and result.
const StrawPollNotice = "This is an informal straw poll, not a ratification vote."

// cardKeyPrefix begins the card key of every poll.
const cardKeyPrefix = "poll:"

// CardKey returns the card key of poll id, "poll:<id>".
func CardKey(id int64) string { return cardKeyPrefix + strconv.FormatInt(id, 10) }

// StoredCard returns the card whose key is key ("poll:<id>") as it is
// now, rebuilt from the store, and false for a key of no poll. An adapter
// uses it for a click on a card it has not shown since it started, whose
// button needs more than the click carries (a ranking's options).
func (s *Service) StoredCard(ctx context.Context, key string) (bot.Card, bool, error) {
	n, ok := strings.CutPrefix(key, cardKeyPrefix)
	id, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil {
		return bot.Card{}, false, nil
	}
	if _, err := s.store.Poll(ctx, id); errors.Is(err, ErrNotFound) {
		return bot.Card{}, false, nil
	} else if err != nil {
		return bot.Card{}, false, fmt.Errorf("read poll %d: %w", id, err)
	}
	res, err := s.Results(ctx, id)
	if err != nil {
		return bot.Card{}, false, err
	}
	return Card(res, s.clock.Now(), s.loc), true, nil
}

// bar draws part/whole as a text bar.
func bar(part, whole int) string {
	filled := 0
	if whole > 0 {
		filled = (part*barWidth + whole/2) / whole
	}
	filled = min(max(filled, 0), barWidth)
	return strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled)
}

// percent is part/whole rounded to a whole percent.
func percent(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return (part*100 + whole/2) / whole
}

// showCounts reports whether counts may be shown: always once final,
// never before that on a hidden poll.
func (r *Results) showCounts() bool { return r.Final || !r.Poll.Hidden }

// optionLines writes the numbered options, with tally bars when counts may
// be shown.
func (r *Results) optionLines(b *strings.Builder) {
	p := r.Poll
	for i, label := range p.Options {
		if !r.showCounts() {
			fmt.Fprintf(b, "%d. %s\n", i+1, label)
			continue
		}
		fmt.Fprintf(b, "%d. %s  %s %d (%d%%)\n", i+1, label, bar(r.Options[i], r.Voters), r.Options[i], percent(r.Options[i], r.Voters))
	}
	if r.showCounts() {
		switch r.Voters {
		case 1:
			b.WriteString("1 member voted")
		default:
			fmt.Fprintf(b, "%d members voted", r.Voters)
		}
		switch {
		case p.Multi():
			b.WriteString(" (percentages are of voters; each could choose more than one)")
		case p.Ranked:
			b.WriteString(" (first preferences shown)")
		}
		b.WriteString(".\n")
	} else {
		b.WriteString("Results are hidden from everyone, stewards included, until the poll closes.\n")
	}
}

// View returns the structured view of the results for cards.
func (r *Results) View() *bot.PollView {
	p := r.Poll
	v := &bot.PollView{ID: strconv.FormatInt(p.ID, 10), Question: p.Question, Closed: r.Final, Hidden: p.Hidden && !r.Final}
	show := r.showCounts()
	for i, label := range p.Options {
		o := bot.PollOptionView{Label: label}
		if show {
			n := r.Options[i]
			o.Votes = &n
		}
		v.Options = append(v.Options, o)
	}
	if show {
		n := r.Voters
		v.Total = &n
	}
	return v
}

// ruleLine describes the poll's rule and which option is which.
func ruleLine(p *Poll) string {
	if p.Ranked {
		return "Rule: ranked choice, counted by instant-runoff; the winner has more than half of the ballots still in the count. " + TieRule
	}
	if p.Rule == RuleNone {
		return "Rule: none; this poll shows the split only."
	}
	yes, no := strconv.Quote(p.Options[p.Favour-1]), strconv.Quote(p.Options[p.Against-1])
	var s string
	switch p.Rule {
	case RuleMajority:
		s = fmt.Sprintf("Rule: majority. Passes with more %s than %s votes.", yes, no)
	case RuleTwoThirds:
		s = fmt.Sprintf("Rule: two-thirds. Passes when at least two thirds of %s and %s votes are %s.", yes, no, yes)
	case RuleCoalition:
		c := p.Coalition
		if c == nil {
			return "Rule: coalition (no unit list configured)."
		}
		name := "the coalition's"
		if c.Name != "" {
			name = c.Name + "'s"
		}
		s = fmt.Sprintf("Rule: coalition (%s rule). Passes when at least %d of the %d units each have more %s than %s votes and those units represent at least %s%% of the membership.",
			name, c.UnitsNeeded, len(c.Units), yes, no, trimFloat(c.PercentNeeded))
		if c.Example {
			s += " The unit list is example data."
		}
	}
	if len(p.Options) > 2 {
		s += " Other options count toward turnout only."
	}
	return s
}

// whoLine says who may vote and how ballots are kept; fromRoster reports
// that units come from the roster, so members need not name theirs.
func whoLine(p *Poll, fromRoster bool) string {
	s := "Who may vote: " + p.Eligible.Describe() + ", one ballot each."
	switch {
	case p.Rule != RuleCoalition:
	case fromRoster:
		s += " Votes count for the unit the union's roster has you in."
	case p.Coalition == nil || !p.Coalition.FixedMembership:
		s += " Say your unit first with /unit <name> so your vote counts for it."
	}
	return s
}

func ballotLine(p *Poll) string {
	switch {
	case p.Secret && p.Multi():
		return "Secret ballot: nothing records who chose what, so a vote cannot be changed once cast. Give all your choices in one message, e.g. /vote " + strconv.FormatInt(p.ID, 10) + " 1 2."
	case p.Secret:
		return "Secret ballot: nothing records who chose what, so a vote cannot be changed once cast."
	case p.Hidden:
		return "Open ballot: your vote is kept with your name, so you can change it until the poll closes. Until then no one, stewards included, sees the tally or who chose what; after the close, stewards can export who chose what."
	}
	return "Open ballot: stewards can see who chose what. You can change your vote until the poll closes."
}

func choiceLine(p *Poll) string {
	switch {
	case p.Ranked:
		return fmt.Sprintf("Ranked choice: order the options, most preferred first, e.g. /vote %d %s. You need not rank them all. The count is by instant-runoff: the option with the fewest votes is eliminated and its ballots go to their next choice, until one option has more than half.", p.ID, joinInts(seq(len(p.Options))))
	case p.MaxChoices >= len(p.Options):
		return "Choose as many options as you like."
	case p.Multi():
		return fmt.Sprintf("Choose up to %d options.", p.MaxChoices)
	}
	return "Choose one option."
}

func closesLine(p *Poll, now time.Time, loc *time.Location) string {
	if p.ClosesAt.IsZero() {
		return "Open until a steward closes it."
	}
	return fmt.Sprintf("Closes %s (%s).", bot.FormatWhen(p.ClosesAt, loc), bot.FormatRelative(p.ClosesAt, now))
}

// closedAt is when voting ended: the close time, or the deadline of a poll
// that is overdue.
func closedAt(p *Poll) time.Time {
	if p.Closed() {
		return p.ClosedAt
	}
	return p.ClosesAt
}

// Card renders the poll card: the question, the numbered options with the
// tally unless hidden, the rule, who may vote, when it closes, and one
// button per option while it is open.
func Card(r *Results, now time.Time, loc *time.Location) bot.Card {
	p := r.Poll
	var b strings.Builder
	if r.Final {
		fmt.Fprintf(&b, "Closed %s. Final result:\n", bot.FormatWhen(closedAt(p), loc))
	}
	r.optionLines(&b)
	if r.Turnout != nil && r.showCounts() {
		r.Turnout.cardLines(&b, p.Eligible.Limited())
	}
	if r.Verdict != nil && r.showCounts() {
		b.WriteString(r.Verdict.Summary(r.Final) + "\n")
	}
	if r.showCounts() {
		r.runoffLines(&b)
	}
	b.WriteString("\n" + ruleLine(p) + "\n")
	if !r.Final {
		b.WriteString(whoLine(p, r.Turnout != nil && r.Turnout.FromRoster) + "\n")
		b.WriteString(ballotLine(p) + "\n")
		b.WriteString(choiceLine(p) + "\n")
		b.WriteString(closesLine(p, now, loc) + "\n")
		b.WriteString(StrawPollNotice)
	} else {
		b.WriteString("This was an informal straw poll, not a ratification vote.")
	}
	c := bot.Card{
		Key:      CardKey(p.ID),
		Title:    p.Question,
		Body:     b.String(),
		Poll:     r.View(),
		Revision: p.Revision,
	}
	id := strconv.FormatInt(p.ID, 10)
	opener := p.OpenedByName
	if opener == "" {
		opener = "a steward"
	}
	if r.Final {
		c.Footer = fmt.Sprintf("Poll %s · opened by %s · closed · /poll results %s for the split by unit", id, opener, id)
		return c
	}
	if p.Ranked {
		c.Footer = fmt.Sprintf("Poll %s · opened by %s · rank the options, most preferred first: /vote %s %s", id, opener, id, joinInts(seq(len(p.Options))))
		c.Ranking = &bot.Ranking{Label: "Rank the options", Title: p.Question, Action: "vote", Value: id, Options: p.Options, Required: 1}
		return c
	}
	if p.Secret && p.Multi() {
		// A secret vote can't be changed, so several choices must come in
		// one command; one-option buttons could never record them.
		c.Footer = fmt.Sprintf("Poll %s · opened by %s · secret ballot: give all your choices in one command, e.g. /vote %s 1 2", id, opener, id)
		return c
	}
	c.Footer = fmt.Sprintf("Poll %s · opened by %s · vote with the buttons or type /vote %s <option number>", id, opener, id)
	for i, label := range p.Options {
		c.Buttons = append(c.Buttons, bot.Button{Label: label, Action: "vote", Value: fmt.Sprintf("%s %d", id, i+1)})
	}
	return c
}

// Report renders the full results: the overall split, the split by unit,
// and the verdict, as a card without buttons.
func Report(r *Results, now time.Time, loc *time.Location) bot.Card {
	p := r.Poll
	var b strings.Builder
	switch {
	case r.Final:
		fmt.Fprintf(&b, "Final result (closed %s):\n", bot.FormatWhen(closedAt(p), loc))
	default:
		fmt.Fprintf(&b, "Results so far. %s\n", closesLine(p, now, loc))
	}
	r.optionLines(&b)
	if r.showCounts() {
		r.runoffLines(&b)
		r.unitLines(&b)
		if r.Turnout != nil {
			r.Turnout.reportLines(&b)
		}
		if r.Verdict != nil {
			if r.Verdict.Rule == RuleCoalition {
				fmt.Fprintf(&b, "Overall, %d in favour and %d against (%d%% in favour); the coalition rule counts units and membership, not this.\n",
					r.Verdict.Favour, r.Verdict.Against, percent(r.Verdict.Favour, r.Verdict.Favour+r.Verdict.Against))
			}
			b.WriteString(r.Verdict.Summary(r.Final) + "\n")
		}
	}
	if p.Secret {
		b.WriteString("Secret ballot: counts only; nothing records who chose what.\n")
	}
	if r.Final {
		b.WriteString("This was an informal straw poll, not a ratification vote.")
	} else {
		b.WriteString(StrawPollNotice)
	}
	return bot.Card{
		Key:      CardKey(p.ID) + ":results",
		Title:    fmt.Sprintf("Poll %d: %s", p.ID, p.Question),
		Body:     b.String(),
		Footer:   ruleLine(p),
		Poll:     r.View(),
		Revision: p.Revision,
	}
}

// unitLines writes the split by unit.
func (r *Results) unitLines(b *strings.Builder) {
	p := r.Poll
	if len(r.Units) == 0 && sum(r.NoUnit) == 0 {
		return
	}
	split := func(counts []int) string {
		parts := make([]string, 0, len(counts))
		for i, n := range counts {
			parts = append(parts, fmt.Sprintf("%s %d", p.Options[i], n))
		}
		return strings.Join(parts, ", ")
	}
	b.WriteString("\nBy unit:\n")
	for _, u := range r.Units {
		if !u.Listed && u.Votes() == 0 {
			continue
		}
		if p.Rule != RuleCoalition && u.Votes() == 0 {
			continue
		}
		name := u.Unit.Name
		if u.Listed {
			name += fmt.Sprintf(" (%s members)", thousands(u.Unit.Members))
		} else {
			name += " (not in the unit list)"
		}
		line := fmt.Sprintf("  %s: %s", name, split(u.Counts))
		if u.Votes() == 0 {
			line = fmt.Sprintf("  %s: no votes", name)
		}
		if u.Withheld {
			b.WriteString(fmt.Sprintf("  %s: %s\n", name, withheldText))
			continue
		}
		if r.Verdict != nil && u.Listed {
			if u.InFavour {
				line += " (in favour)"
			} else {
				line += " (not in favour)"
			}
		}
		b.WriteString(line + "\n")
	}
	switch {
	case r.NoUnitWithheld:
		fmt.Fprintf(b, "  No unit given: %s\n", withheldText)
	case sum(r.NoUnit) > 0:
		fmt.Fprintf(b, "  No unit given: %s\n", split(r.NoUnit))
	}
	b.WriteString("\n")
}

// withheldText stands in for a unit's split on a secret ballot when the
// unit has too few votes for the split to stay secret.
var withheldText = fmt.Sprintf("fewer than %d votes; split withheld to keep the ballot secret", MinSecretSplit)

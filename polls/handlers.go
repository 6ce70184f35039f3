package polls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// Commands returns the /poll, /vote and /unit commands for a Router: the
// one declaration from which the Router checks their arguments and every
// platform builds its help and its own command forms.
func (s *Service) Commands() []bot.Command {
	poll := bot.Arg{Name: "poll", Summary: "The poll's number", Kind: bot.KindInt, Required: true, Min: 1}
	flag := func(name, summary string, kind bot.ArgKind) bot.Arg {
		return bot.Arg{Name: name, Summary: summary, Kind: kind, Flag: true}
	}
	maxChoices := flag("max", "How many options each member may pick (default 1)", bot.KindInt)
	maxChoices.Min, maxChoices.Max = 1, MaxOptions
	closes := flag("closes", "When voting ends: in 2h, Aug 31, or 2026-08-31 17:00", bot.KindTime)
	closes.MaxLength = 100
	rule := flag("rule", RuleSummary, bot.KindChoice)
	opens := flag("opens", "Post the poll later, at this time: in 2h, Aug 31 9:00", bot.KindTime)
	opens.MaxLength = 100
	remind := flag("remind", "Remind the channel this long before it closes: 1h, 30m, 1d", bot.KindText)
	remind.MaxLength = 20
	rule.Choices, rule.Synonyms = RuleNames, ruleSynonyms
	units := flag("units", "Only members of these units may vote: P-2,P-4", bot.KindString)
	units.MaxLength = 500
	nudge := flag("nudge", "Message members who have not voted, this long before the close: 24h", bot.KindString)
	nudge.MaxLength = 20
	return []bot.Command{
		{
			Name: "poll", Summary: "straw polls", MembersName: "polls", ChannelOnly: true,
			Forms: []bot.Form{
				{
					Name: "open", Implicit: true, Custom: true, Steward: "open a poll",
					Summary: "open a straw poll",
					Args: []bot.Arg{
						{Name: "question", Summary: "The question members vote on", Required: true, MaxLength: MaxQuestion, Placeholder: `"Question?"`},
						{Name: "options", Summary: "The choices", Required: true, Repeated: true, Min: 2, Max: MaxOptions, MaxLength: MaxLabel, Placeholder: `"Option A" "Option B" [...]`},
						flag("anonymous", "Secret ballot: no one can see who voted for what", bot.KindSwitch),
						flag("hidden", "Hide the tally until the poll closes", bot.KindSwitch),
						flag("multi", "Members may pick any number of options", bot.KindSwitch),
						maxChoices, closes, rule,
						flag("again", "Open it even though the same poll is open in this channel", bot.KindSwitch),
						flag("ranked", "Ranked choice: members order the options; counted by instant-runoff", bot.KindSwitch),
						opens, remind,
						units, flag("roster", "Only members on the union's roster may vote", bot.KindSwitch), nudge,
					},
					Handler: bot.HandlerFunc(s.serveOpen),
				},
				{Name: "results", Aliases: []string{"result", "tally"}, Summary: "the tally, by unit, and whether it meets its rule", Args: []bot.Arg{poll, flag("chart", "Add a bar chart of the results", bot.KindSwitch)}, Handler: bot.HandlerFunc(s.serveResults)},
				{Name: "list", Summary: "open polls in this channel", Handler: bot.HandlerFunc(s.serveList)},
				{Name: "close", Summary: "close a poll and post its result", Steward: "close a poll", Args: []bot.Arg{poll}, Handler: bot.HandlerFunc(s.serveClose)},
				{Name: "nudge", Summary: "privately remind members who may vote and have not (needs --roster or --units)", Steward: "nudge a poll's members", Args: []bot.Arg{poll}, Handler: bot.HandlerFunc(s.serveNudge)},
				{Name: "units", Summary: "where members' units come from, and who is in two units' groups; reads the groups again", Steward: "check the units", Handler: bot.HandlerFunc(s.serveUnitsCheck)},
				{Name: "export", Summary: "the ballots as a CSV file, sent privately", Steward: "export a poll", Args: []bot.Arg{poll}, Handler: bot.HandlerFunc(s.serveExport)},
				{Name: "audit", Summary: "who opened, closed, exported or deleted a poll, and when", Steward: "see a poll's audit trail", Args: []bot.Arg{poll}, Handler: bot.HandlerFunc(s.serveAudit)},
				{Name: "delete", Summary: "delete a poll opened by mistake, before anyone votes", Steward: "delete a poll", Args: []bot.Arg{poll}, Handler: bot.HandlerFunc(s.serveDelete)},
			},
		},
		{
			Name: "vote", Summary: "vote in a straw poll", ChannelOnly: true,
			Forms: []bot.Form{{
				Custom:  true,
				Summary: "vote (the poll's buttons do the same); name several options on a poll that allows them",
				Args: []bot.Arg{
					poll,
					{Name: "option", Summary: "The option's number or its label", Required: true, Repeated: true, MaxLength: 200, Placeholder: "<option number or label> ..."},
					flag("only", "Keep only the options named now, dropping your earlier choices", bot.KindSwitch),
				},
				Handler: bot.HandlerFunc(s.serveVote),
			}},
		},
		{
			Name: "unit", Summary: "your union or bargaining unit, for coalition tallies",
			Forms: []bot.Form{
				{
					Summary: "say which union or bargaining unit you are in",
					Args:    []bot.Arg{{Name: "name", Summary: "Your union or bargaining unit", Kind: bot.KindText, Required: true, MaxLength: 100, Complete: s.unitNames}},
					Handler: bot.HandlerFunc(s.serveUnit),
				},
				{Summary: "show your unit and the list of units", Handler: bot.HandlerFunc(s.serveUnit)},
			},
		},
	}
}

// unitNames lists the configured units' names, for platforms that
// suggest them while a member types.
func (s *Service) unitNames() []string {
	if s.units == nil {
		return nil
	}
	names := make([]string, len(s.units.Units))
	for i, u := range s.units.Units {
		names[i] = u.Name
	}
	return names
}

func (s *Service) serveOpen(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	q, opts, err := splitQuestion(r.Positional())
	if err != nil {
		return err
	}
	req := OpenRequest{
		Question: q, Options: opts,
		Secret: r.Has("anonymous"), Hidden: r.Has("hidden"), Again: r.Has("again"), Ranked: r.Has("ranked"),
		Platform: r.Platform, Channel: r.Channel.ID, Thread: r.Thread, By: r.User,
	}
	if r.Has("multi") && r.Has("max") {
		return bot.Errorf(bot.EINVALID, "Use either --multi (any number of choices) or --max N (up to N), not both.")
	}
	if r.Has("multi") {
		req.MaxChoices = max(len(opts), 2)
	}
	if r.Has("max") {
		req.MaxChoices = int(r.Int("max"))
	}
	if r.Has("rule") {
		req.Rule, _ = ParseRule(r.Arg("rule"))
	}
	if r.Has("closes") {
		t, err := bot.ParseWhen(r.Arg("closes"), s.clock.Now(), s.loc)
		if err != nil {
			return err
		}
		req.ClosesAt = t
	}
	if err := s.readSchedule(r, &req); err != nil {
		return err
	}
	if r.Has("units") {
		if req.Eligible.Units, err = parseEligibleUnits(r.Arg("units"), s.units); err != nil {
			return err
		}
	}
	req.Eligible.Roster = r.Has("roster")
	if r.Has("nudge") {
		if req.NudgeBefore, err = bot.ParseDuration(r.Arg("nudge")); err != nil {
			return bot.Errorf(bot.EINVALID, "--nudge takes how long before the close to remind members who have not voted, e.g. --nudge 24h: %v", err)
		}
	}
	p, err := s.Open(ctx, req)
	if err != nil {
		return err
	}
	if !p.OpensAt.IsZero() {
		return w.Reply(ctx, bot.Reply{Text: scheduledText(p, s.clock.Now(), s.loc), Private: true, Thread: r.Thread})
	}
	res, err := s.Results(ctx, p.ID)
	if err != nil {
		return err
	}
	c := Card(res, s.clock.Now(), s.loc)
	return w.Reply(ctx, bot.Reply{Card: &c, Thread: r.Thread})
}

// parseID reads a poll number such as "3" or "#3".
func parseID(t string) (int64, bool) {
	t = strings.TrimPrefix(strings.TrimSpace(t), "#")
	id, err := strconv.ParseInt(t, 10, 64)
	return id, err == nil && id > 0
}

// lookup finds the poll a request names. Polls belong to the platform they
// were opened on. When the poll's deadline has passed, lookup closes it and
// posts the result first.
func (s *Service) lookup(ctx context.Context, w bot.ResponseWriter, r *bot.Request, id int64) (*Poll, error) {
	p, err := s.store.Poll(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && p.Platform != r.Platform {
		return nil, s.errNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read poll %d: %w", id, err)
	}
	if p.Overdue(s.clock.Now()) {
		if _, _, err := s.closeAndAnnounce(ctx, p, scheduleUser(), s.announcerFor(p, r, w)); err != nil {
			s.log.ErrorContext(ctx, "closing an overdue poll", "poll", p.ID, "err", err)
		}
		if fresh, err := s.store.Poll(ctx, id); err == nil {
			p = fresh
		}
	}
	return p, nil
}

func (s *Service) serveVote(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	pos := r.Positional()
	if len(pos) == 0 {
		return bot.Errorf(bot.EINVALID, "Say which poll: /vote <poll> <option>. Type /poll list to see the open polls in this channel.")
	}
	id, ok := parseID(pos[0].Text)
	if !ok {
		return bot.Errorf(bot.EINVALID, "%q is not a poll number. Say which poll by its number: /vote <poll> <option>.", bot.Truncate(pos[0].Text, 30))
	}
	p, err := s.lookup(ctx, w, r, id)
	if err != nil {
		return err
	}
	// A poll limited to the roster or to units may also be voted on from a
	// direct message (where nudges go): the roster, not the channel, says
	// who may vote in it.
	if p.Channel != r.Channel.ID && !(r.DM && p.Eligible.Limited()) {
		return bot.Errorf(bot.EINVALID, "Poll %d is in another channel. Vote there, with its buttons or /vote %d <option>.", p.ID, p.ID)
	}
	if now := s.clock.Now(); !p.OpenAt(now) {
		return s.errNoVotes(p, now)
	}
	choices, err := parseChoices(p, pos[1:])
	if err != nil {
		return err
	}
	res, err := s.Vote(ctx, VoteRequest{PollID: p.ID, Voter: r.User, Choices: choices, Only: r.Has("only")})
	if err != nil {
		return err
	}
	if err := w.Reply(ctx, bot.Reply{Text: confirmation(res), Private: true, Thread: r.Thread}); err != nil {
		return err
	}
	if res.Outcome == Recorded || res.Outcome == Changed {
		if !res.Poll.Hidden {
			if err := s.refreshCard(ctx, p.ID, writerAnnouncer{w}); err != nil {
				// The vote is recorded and confirmed; a stale card is
				// fixed by the next vote.
				s.log.WarnContext(ctx, "updating a poll card", "poll", p.ID, "err", err)
			}
		}
	}
	return nil
}

// parseChoices reads option numbers or labels. A number is always an
// option number. Otherwise the words together may be one label ("/vote 3
// Yes ratify"), or each argument a number or a label.
func parseChoices(p *Poll, args []bot.Token) ([]int, error) {
	if len(args) == 0 {
		return nil, bot.Errorf(bot.EINVALID, "Say which option: /vote %d <option number or label>. Options: %s.", p.ID, p.Labels(seq(len(p.Options))))
	}
	byLabel := func(s string) int {
		s = strings.ToLower(strings.Join(strings.Fields(s), " "))
		for i, o := range p.Options {
			if strings.ToLower(o) == s {
				return i + 1
			}
		}
		return 0
	}
	if len(args) > 1 {
		words := make([]string, len(args))
		allNumbers := true
		for i, a := range args {
			words[i] = a.Text
			if _, err := strconv.Atoi(a.Text); err != nil {
				allNumbers = false
			}
		}
		if n := byLabel(strings.Join(words, " ")); n > 0 && !allNumbers {
			return []int{n}, nil
		}
	}
	var out []int
	for _, a := range args {
		if n, err := strconv.Atoi(strings.TrimPrefix(a.Text, "#")); err == nil {
			if n < 1 || n > len(p.Options) {
				return nil, bot.Errorf(bot.EINVALID, "Poll %d has no option %d. Its options are %s.", p.ID, n, p.Labels(seq(len(p.Options))))
			}
			out = append(out, n)
			continue
		}
		n := byLabel(a.Text)
		if n == 0 {
			return nil, bot.Errorf(bot.EINVALID, "%q is not an option of poll %d. Its options are %s. Vote with the number or the exact label.", bot.Truncate(a.Text, 40), p.ID, p.Labels(seq(len(p.Options))))
		}
		out = append(out, n)
	}
	return out, nil
}

// confirmation tells a member exactly what was recorded.
func confirmation(res *VoteResult) string {
	p := res.Poll
	var b strings.Builder
	switch res.Outcome {
	case AlreadyVoted:
		fmt.Fprintf(&b, "You have already voted in poll %d; your vote is already counted. It is a secret ballot, so it cannot be changed.", p.ID)
		return b.String()
	case Unchanged:
		fmt.Fprintf(&b, "Your vote is already counted: %s. Nothing changed.", p.Labels(res.After))
	case Recorded, Changed:
		if p.Ranked {
			fmt.Fprintf(&b, "Your ranking in poll %d is recorded: %s.", p.ID, rankingText(p, res.After))
			if p.Secret {
				b.WriteString(" Nothing links it to you, so it cannot be changed.")
			}
			break
		}
		if res.Outcome == Changed {
			if slices.Equal(res.Before, res.After) {
				fmt.Fprintf(&b, "Your vote in poll %d stays %s.", p.ID, p.Labels(res.After))
			} else {
				fmt.Fprintf(&b, "Your vote in poll %d is changed from %s to %s.", p.ID, p.Labels(res.Before), p.Labels(res.After))
			}
			break
		}
		if p.Secret {
			fmt.Fprintf(&b, "Your secret ballot in poll %d is recorded: %s. Nothing links it to you, so it cannot be changed.", p.ID, p.Labels(res.After))
		} else {
			fmt.Fprintf(&b, "Your vote in poll %d is recorded: %s.", p.ID, p.Labels(res.After))
		}
	}
	if res.Outcome != Unchanged {
		switch {
		case res.Unit != "":
			fmt.Fprintf(&b, " It counts for %s.", res.Unit)
		case len(res.Member.Conflict) > 0:
			fmt.Fprintf(&b, " Your roles put you in %s at once, so it counts in the overall split but for no unit; please ask a steward to fix your roles.", joinAnd(res.Member.Conflict))
		case p.Rule == RuleCoalition && res.RosterKept:
			b.WriteString(" You are not on the union's roster, so it counts in the overall split but for no unit.")
		case p.Rule == RuleCoalition && p.Secret:
			b.WriteString(" You had not said which unit you are in, so it counts in the overall split but for no unit.")
		case p.Rule == RuleCoalition:
			b.WriteString(" You have not said which unit you are in, so it counts in the overall split but for no unit; type /unit <name> and vote again to fix that.")
		}
		if p.Ranked && len(res.After) < len(p.Options) {
			fmt.Fprintf(&b, " Options you did not rank get no vote from you once your ranked ones are eliminated.")
		}
		if p.Multi() && !p.Secret && len(res.After) < p.MaxChoices {
			fmt.Fprintf(&b, " You may choose up to %d; each option you name is added.", p.MaxChoices)
		}
		if p.Hidden {
			b.WriteString(" Results stay hidden until the poll closes.")
		}
	}
	return b.String()
}

func (s *Service) serveResults(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	p, err := s.lookup(ctx, w, r, r.Int("poll"))
	if err != nil {
		return err
	}
	// A poll opened in a private or stewards' channel stays there: members
	// see its results only where it was posted.
	if p.Channel != r.Channel.ID && !r.Steward {
		return bot.Errorf(bot.EINVALID, "Poll %d is in another channel. Ask for its results there: /poll results %d.", p.ID, p.ID)
	}
	res, err := s.Results(ctx, p.ID)
	if err != nil {
		return err
	}
	if !res.showCounts() {
		when := "when a steward closes it"
		if !p.ClosesAt.IsZero() {
			when = "at " + bot.FormatWhen(p.ClosesAt, s.loc)
		}
		return bot.Errorf(bot.ECONFLICT, "The results of poll %d are hidden from everyone, stewards included, until it closes (%s).", p.ID, when)
	}
	now := s.clock.Now()
	c := Report(res, now, s.loc)
	reply := bot.Reply{Card: &c, Private: true, Thread: r.Thread}
	if r.Steward && res.Poll.Closed() {
		rp, err := s.store.ResultPost(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("read result post of poll %d: %w", p.ID, err)
		}
		reply.Text = s.resultNote(rp, now)
	}
	if err := w.Reply(ctx, reply); err != nil || !r.Has("chart") {
		return err
	}
	chart, ok := s.chartReply(ctx, res)
	if !ok {
		return w.Reply(ctx, bot.Reply{Text: fmt.Sprintf("No chart of poll %d is available here; the numbers above are the whole result.", p.ID), Private: true, Thread: r.Thread})
	}
	chart.Private, chart.Thread = true, r.Thread
	return w.Reply(ctx, chart)
}

func (s *Service) serveClose(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	p, err := s.lookup(ctx, w, r, r.Int("poll"))
	if err != nil {
		return err
	}
	if p.Closed() || p.Overdue(s.clock.Now()) {
		return bot.Errorf(bot.ECONFLICT, "Poll %d is already closed. Type /poll results %d to see the result.", p.ID, p.ID)
	}
	a := s.announcerFor(p, r, w)
	won, rp, err := s.closeAndAnnounce(ctx, p, r.User, a)
	if !won && err == nil {
		return bot.Errorf(bot.ECONFLICT, "Poll %d is already closed. Type /poll results %d to see the result.", p.ID, p.ID)
	}
	if !won {
		return err
	}
	if err != nil {
		// The poll is closed and the attempt made; only its record failed.
		s.log.ErrorContext(ctx, "recording a poll result post", "poll", p.ID, "err", err)
	}
	if rp.PostedAt.IsZero() {
		msg := fmt.Sprintf("Poll %d is closed, but I could not post its result in its channel.", p.ID)
		switch rp.State {
		case ResultRetry:
			msg += fmt.Sprintf(" It will be posted again automatically: I try again %s, then at growing intervals until %s.",
				bot.FormatRelative(rp.NextTry, s.clock.Now()), bot.FormatWhen(rp.ClosedAt.Add(ResultRetryWindow), s.loc))
		default:
			msg += " Please share the result there yourself."
		}
		msg += fmt.Sprintf(" Type /poll results %d to see it.", p.ID)
		return w.Reply(ctx, bot.Reply{Text: msg, Private: true, Thread: r.Thread})
	}
	if _, ok := a.(posterAnnouncer); ok {
		return w.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Poll %d is closed; its result is posted in its channel.", p.ID), Private: true, Thread: r.Thread})
	}
	return nil
}

func (s *Service) serveList(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	ps, err := s.store.OpenPolls(ctx, r.Platform, r.Channel.ID)
	if err != nil {
		return fmt.Errorf("list polls: %w", err)
	}
	now := s.clock.Now()
	var b strings.Builder
	for _, p := range ps {
		if p.Overdue(now) || p.Scheduled(now) && !r.Steward {
			continue
		}
		fmt.Fprintf(&b, "\n%d. %s", p.ID, p.Question)
		var notes []string
		if !p.Hidden {
			if p.Voters == 1 {
				notes = append(notes, "1 vote")
			} else {
				notes = append(notes, fmt.Sprintf("%d votes", p.Voters))
			}
		} else {
			notes = append(notes, "results hidden")
		}
		if p.Secret {
			notes = append(notes, "secret ballot")
		}
		if p.Scheduled(now) {
			notes = append(notes, "scheduled: posted "+bot.FormatRelative(p.OpensAt, now))
		}
		if !p.ClosesAt.IsZero() {
			notes = append(notes, "closes "+bot.FormatRelative(p.ClosesAt, now))
		}
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	text := "There are no open polls in this channel."
	if b.Len() > 0 {
		text = "Open polls in this channel:" + b.String() + "\nVote with /vote <poll> <option>; see a tally with /poll results <poll>."
	}
	if r.Steward {
		unposted, err := s.unpostedList(ctx, r.Platform, r.Channel.ID, now)
		if err != nil {
			return err
		}
		text += unposted
	}
	return w.Reply(ctx, bot.Reply{Text: text, Private: true, Thread: r.Thread})
}

// unpostedList describes, for stewards, the closed polls of a channel
// whose result has not been posted there, or returns "" when there are
// none.
func (s *Service) unpostedList(ctx context.Context, platform, channel string, now time.Time) (string, error) {
	rps, err := s.store.UnpostedResults(ctx, platform, channel)
	if err != nil {
		return "", fmt.Errorf("list unposted poll results: %w", err)
	}
	if len(rps) == 0 {
		return "", nil
	}
	var b strings.Builder
	b.WriteString("\nClosed polls whose result is not posted in this channel (stewards):")
	for _, rp := range rps {
		q := ""
		if p, err := s.store.Poll(ctx, rp.PollID); err == nil {
			q = " " + bot.Truncate(p.Question, 60)
		}
		var state string
		switch rp.State {
		case ResultRetry:
			state = "posting failed; next try " + bot.FormatRelative(rp.NextTry, now)
		case ResultSending:
			state = "being posted now"
		case ResultFailed:
			state = "announcement FAILED, gave up; please share the result"
		case ResultUncertain:
			state = "may not have been posted (Union Hall stopped while posting); please check"
		default:
			state = "not posted"
		}
		fmt.Fprintf(&b, "\n%d.%s (%s). /poll results %d shows it.", rp.PollID, q, state, rp.PollID)
	}
	return b.String(), nil
}

func (s *Service) serveNudge(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	p, err := s.lookup(ctx, w, r, r.Int("poll"))
	if err != nil {
		return err
	}
	n, vague, err := s.Nudge(ctx, p.ID, r.User.ID)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("Everyone who may vote in poll %d has voted; no one to remind.", p.ID)
	switch {
	case vague:
		text = fmt.Sprintf("Reminding privately the members who may vote in poll %d and have not, if any. %s", p.ID, vagueNote)
	case n > 0:
		text = fmt.Sprintf("Reminding %s privately, one every %s; this takes about %s. I'll tell you how many were reached when it is done.",
			members(n), nudgePace(p.Platform), (time.Duration(n-1) * nudgePace(p.Platform)).Round(time.Second))
	}
	return w.Reply(ctx, bot.Reply{Text: text, Private: true, Thread: r.Thread})
}

func (s *Service) serveExport(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	p, err := s.lookup(ctx, w, r, r.Int("poll"))
	if err != nil {
		return err
	}
	f, note, err := s.Export(ctx, p.ID)
	if err != nil {
		return err
	}
	s.record(ctx, s.auditEntry(p.ID, AuditExport, r.User, f.Name))
	if err := w.Reply(ctx, bot.Reply{Text: note, Private: true, File: f, Thread: r.Thread}); err != nil {
		return err
	}
	trail, err := s.auditFile(ctx, p)
	if err != nil {
		return err
	}
	return w.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Poll %d's audit trail: who opened, closed and exported it, and when.", p.ID), Private: true, File: trail, Thread: r.Thread})
}

func (s *Service) serveUnit(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	if s.units == nil {
		return bot.Errorf(bot.EINVALID, "No list of units is configured, so there is no unit to choose.")
	}
	m, rosterKept, err := s.membership(ctx, r.User)
	if err != nil {
		return err
	}
	if rosterKept || m.FromPlatform || len(m.Conflict) > 0 || !s.selfDeclared() {
		return w.Reply(ctx, bot.Reply{Text: s.fixedUnitNote(m, rosterKept) + "\n" + s.unitList(), Private: true, Thread: r.Thread})
	}
	name := strings.Join(strings.Fields(r.Arg("name")), " ")
	if name == "" {
		cur, err := s.store.Unit(ctx, r.User.ID)
		if err != nil {
			return fmt.Errorf("read unit: %w", err)
		}
		var b strings.Builder
		if cur == "" {
			b.WriteString("You have not said which unit you are in. Type /unit <name>.\n")
		} else {
			fmt.Fprintf(&b, "You are in %s. Type /unit <name> to change it.\n", cur)
		}
		b.WriteString(s.unitList())
		return w.Reply(ctx, bot.Reply{Text: b.String(), Private: true, Thread: r.Thread})
	}
	u, err := s.units.Find(name)
	if err != nil {
		return err
	}
	if err := s.store.SetUnit(ctx, r.User.ID, u.Name); err != nil {
		return fmt.Errorf("set unit: %w", err)
	}
	return w.Reply(ctx, bot.Reply{
		Text:    fmt.Sprintf("You are in %s (%s members). Your votes from now on count for it; votes you already cast stay counted for the unit you had then (on an open ballot, vote again to move yours).", u.Name, thousands(u.Members)),
		Private: true, Thread: r.Thread,
	})
}

// fixedUnitNote tells a member their unit when members do not name their
// own: where it comes from, and whom to ask to change it.
func (s *Service) fixedUnitNote(m Membership, rosterKept bool) string {
	switch {
	case m.OnRoster:
		return fmt.Sprintf("The union's roster has you in %s; your votes count for it. To change it, ask a steward to update the roster.", m.Unit)
	case m.FromPlatform:
		return fmt.Sprintf("Your role on this server puts you in %s; your votes count for it. To change it, ask a steward to change your roles.", m.Unit)
	case len(m.Conflict) > 0:
		return fmt.Sprintf("Your roles on this server put you in %s at once, so your votes count for no unit. Please ask a steward to fix your roles.", joinAnd(m.Conflict))
	case rosterKept:
		return "You are not on the union's roster, so your votes count in the overall split but for no unit. If you should be on it, ask a steward."
	}
	return "Units here come from the union's roster, and none has been imported yet, so your votes count for no unit. Please tell a steward."
}

// unitList describes the configured units.
func (s *Service) unitList() string {
	c := s.units
	var b strings.Builder
	name := "Units"
	if c.Name != "" {
		name = c.Name + " units"
	}
	fmt.Fprintf(&b, "%s (%d, %s members):", name, len(c.Units), thousands(c.TotalMembers()))
	for _, u := range c.Units {
		fmt.Fprintf(&b, "\n  %s (%s members)", u.Name, thousands(u.Members))
	}
	fmt.Fprintf(&b, "\nCoalition rule: at least %d of %d units in favour, representing at least %s%% of the membership.", c.UnitsNeeded, len(c.Units), trimFloat(c.PercentNeeded))
	if c.Example {
		b.WriteString("\nThis is example data: the people who run this bot should replace it with your coalition's real list.")
	}
	return b.String()
}

package reminders

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/unionhall/unionhall/bot"
)

// Limits on what stewards type.
const (
	// MaxNameLength is the longest deadline name, in characters.
	MaxNameLength = 200
	// MaxLead is the longest lead time of a deadline reminder.
	MaxLead = 366 * 24 * time.Hour
	// MaxLeads is how many reminders one deadline may have.
	MaxLeads = 10
	// listLimit is how many entries a list shows.
	listLimit = 25
	// problemWindow is how far back /remind list reports problems.
	problemWindow = 7 * 24 * time.Hour
)

// DefaultLeads are the lead times of /deadline add without --lead.
var DefaultLeads = []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, 2 * time.Hour}

// Service serves the /remind and /deadline commands and, with Run, posts
// reminders as they come due. New builds it.
type Service struct {
	Config
	// Notify, when set, is called after reminders change, to wake the
	// scheduler.
	Notify func()
	// sched posts due reminders.
	sched *Scheduler
}

// Commands returns the /remind and /deadline commands: the one
// declaration from which the Router checks their arguments and every
// platform builds its help and its own command forms.
func (s *Service) Commands() []bot.Command {
	flag := func(name, summary, placeholder string) bot.Arg {
		return bot.Arg{Name: name, Summary: summary, Flag: true, MaxLength: 100, Placeholder: placeholder}
	}
	deleteWords := []string{"del", "remove", "rm", "cancel"}
	return []bot.Command{
		{
			Name:        "remind",
			Aliases:     []string{"reminders"}, // Slack reserves /remind for its own reminders
			MembersName: "reminders",
			Summary:     "upcoming reminders; stewards add and delete them",
			Forms: []bot.Form{
				{Name: "list", Aliases: []string{"ls"}, Implicit: true, Summary: "upcoming reminders and when they fire", Handler: bot.HandlerFunc(s.listReminders)},
				{
					Name: "add", Aliases: []string{"new"}, Custom: true, Steward: "add reminders",
					Summary: "post a reminder once, or on a schedule (e.g. /remind add 0 9 * * MON Vote status)",
					Args: []bot.Arg{
						{Name: "when", Summary: "in 2h, Aug 31, 2026-08-31 17:00, or a cron spec such as 0 9 * * 1", Kind: bot.KindTime, Required: true, MaxLength: 100, Placeholder: "<when | cron spec>"},
						{Name: "text", Summary: "What the reminder says", Kind: bot.KindText, Required: true, MaxLength: MaxTextLength},
					},
					Handler: bot.HandlerFunc(s.addReminder),
				},
				{Name: "delete", Aliases: deleteWords, Steward: "delete reminders", Summary: "delete a reminder", Args: []bot.Arg{refArg("reminder", ReminderPrefix, "/remind list")}, Handler: bot.HandlerFunc(s.deleteReminder)},
			},
		},
		{
			Name:        "deadline",
			MembersName: "deadlines",
			Summary:     "deadlines and the reminders before them",
			Forms: []bot.Form{
				{Name: "list", Aliases: []string{"ls"}, Implicit: true, Summary: "upcoming deadlines", Handler: bot.HandlerFunc(s.listDeadlines)},
				{
					Name: "add", Aliases: []string{"new"}, Custom: true, Steward: "add deadlines",
					Summary: "add a deadline with reminders before it",
					Args: []bot.Arg{
						{Name: "name", Summary: "The deadline's name, e.g. Ratification vote", Required: true, MaxLength: MaxNameLength, Placeholder: `"<name>"`},
						{Name: "when", Summary: "The date and time, e.g. 2026-08-31 17:00", Kind: bot.KindTime, Required: true, MaxLength: 100, Placeholder: "<date time>"},
						flag("lead", "When to remind before it, e.g. 7d,1d,2h", "7d,1d,2h"),
						flag("tz", "The deadline's time zone, e.g. America/New_York", "Area/City"),
					},
					Handler: bot.HandlerFunc(s.addDeadline),
				},
				{Name: "delete", Aliases: deleteWords, Steward: "delete deadlines", Summary: "delete a deadline and its reminders", Args: []bot.Arg{refArg("deadline", DeadlinePrefix, "/deadline list")}, Handler: bot.HandlerFunc(s.deleteDeadline)},
			},
		},
	}
}

func (s *Service) notify() {
	if s.Notify != nil {
		s.Notify()
	}
}

func (s *Service) addReminder(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	now := s.Clock.Now()
	rem, err := ParseAdd(r.Rest(), now, s.Location)
	if err != nil {
		return err
	}
	rem.CreatedBy, rem.CreatedAt = r.User.ID, now
	if err := s.Store.CreateReminder(ctx, rem); err != nil {
		return fmt.Errorf("add reminder: %w", err)
	}
	s.notify()
	var msg string
	if rem.Kind == KindCron {
		msg = fmt.Sprintf("Recurring reminder %s set: every %s (%s). First post %s (%s):\n%s",
			ReminderRef(rem.ID), quoteSpec(rem.Spec), rem.Zone, bot.FormatWhen(rem.Next, s.Location), bot.FormatRelative(rem.Next, now), rem.Text)
	} else {
		msg = fmt.Sprintf("Reminder %s set for %s (%s):\n%s",
			ReminderRef(rem.ID), bot.FormatWhen(rem.Next, s.Location), bot.FormatRelative(rem.Next, now), rem.Text)
	}
	return w.Reply(ctx, bot.Reply{Text: msg, Thread: r.Thread})
}

// Patterns of the fields of a 5-field cron spec: the first three are
// numbers, ranges, lists and steps; month and day of week may be names.
var (
	reCronNum  = regexp.MustCompile(`^[0-9*?][0-9*?/,\-]*$`)
	reCronName = regexp.MustCompile(`^[0-9A-Za-z*?][0-9A-Za-z*?/,\-]*$`)
)

// looksLikeCron reports whether fields start with a 5-field cron spec.
func looksLikeCron(fields []string) bool {
	if len(fields) < 5 {
		return false
	}
	for i, f := range fields[:5] {
		re := reCronNum
		if i >= 3 {
			re = reCronName
		}
		if !re.MatchString(f) {
			return false
		}
	}
	return true
}

// span is the position of one word in a string.
type span struct{ start, end int }

// words returns the positions of the white-space separated words of s.
func words(s string) []span {
	var out []span
	start := -1
	for i, r := range s {
		switch {
		case unicode.IsSpace(r) && start >= 0:
			out = append(out, span{start, i})
			start = -1
		case !unicode.IsSpace(r) && start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, span{start, len(s)})
	}
	return out
}

// quoted splits a leading quoted argument (straight or curly quotes) off s.
func quoted(s string) (inside, rest string, ok bool) {
	r, size := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune("\"“”„«", r) {
		return "", s, false
	}
	for i, c := range s[size:] {
		if strings.ContainsRune("\"“”»", c) {
			return s[size : size+i], strings.TrimSpace(s[size+i+utf8.RuneLen(c):]), true
		}
	}
	return "", s, false
}

// addHelp is the start of the message for /remind add input that cannot
// be read.
const addHelp = "Start with when (" + bot.WhenHelp + ") or a cron spec (e.g. 0 9 * * MON), then the text. " +
	"Put the time in quotes if it is unclear where it ends: /remind add \"Aug 31 5pm\" Ballots are due."

// ParseAdd reads the arguments of /remind add: a time or a cron spec,
// then the text, and returns the reminder it describes, with its next
// occurrence set. The text is kept exactly as typed, except that a text
// written as one quoted argument (as Discord sends it) loses its quotes,
// with backslash escapes read as bot.Tokenize reads them. Errors are
// EINVALID and say how to do it right.
func ParseAdd(raw string, now time.Time, loc *time.Location) (*Reminder, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, bot.Errorf(bot.EINVALID, "Tell me when and what to post. %s", addHelp)
	}
	var sched, text string
	var isCron bool
	if in, rest, ok := quoted(raw); ok {
		sched, text = strings.TrimSpace(in), rest
		fs := strings.Fields(sched)
		isCron = len(fs) > 0 && (strings.HasPrefix(fs[0], "CRON_TZ=") || strings.HasPrefix(fs[0], "TZ=") ||
			strings.HasPrefix(fs[0], "@") || looksLikeCron(fs))
	} else if strings.HasPrefix(raw, "\"") || strings.HasPrefix(raw, "“") {
		return nil, bot.Errorf(bot.EINVALID, "A quote is not closed. %s", addHelp)
	} else {
		ws := words(raw)
		fields := make([]string, len(ws))
		for i, sp := range ws {
			fields[i] = raw[sp.start:sp.end]
		}
		n := 0 // words in the cron spec
		i := 0
		if strings.HasPrefix(fields[0], "CRON_TZ=") || strings.HasPrefix(fields[0], "TZ=") {
			i = 1
		}
		switch {
		case i < len(fields) && strings.HasPrefix(fields[i], "@"):
			n = i + 1
			if strings.EqualFold(fields[i], "@every") && i+1 < len(fields) {
				n++
			}
		case looksLikeCron(fields[i:]):
			n = i + 5
		case i == 1:
			n = len(fields) // CRON_TZ= and no spec: let ParseCron explain
		}
		if n > 0 {
			isCron = true
			sched = raw[:ws[n-1].end]
			text = strings.TrimSpace(raw[ws[n-1].end:])
		} else {
			t, end, err := leadingWhen(raw, ws, now, loc)
			if err != nil {
				return nil, err
			}
			return onceReminder(t, strings.TrimSpace(raw[end:]), now, loc)
		}
	}
	if isCron {
		return cronReminder(sched, text, now, loc)
	}
	t, err := bot.ParseWhen(sched, now, loc)
	if err != nil {
		return nil, bot.Errorf(bot.EINVALID, "I can't read %q as a time or a cron spec. %s", oneLine(sched, 60), addHelp)
	}
	return onceReminder(t, text, now, loc)
}

// leadingWhen finds the longest run of leading words that reads as a
// time, and returns the time and where it ends in raw. If that time has
// passed it is an error: a shorter run is not tried, since it would read
// part of the time as text ("2026-11-23 01:00 Vote" after 01:00 is not
// "2026-11-23" at 9:00 with the text "01:00 Vote").
func leadingWhen(raw string, ws []span, now time.Time, loc *time.Location) (time.Time, int, error) {
	for n := min(len(ws), 6); n >= 1; n-- {
		t, err := bot.ParseWhen(raw[:ws[n-1].end], now, loc)
		if err != nil {
			continue
		}
		if !t.After(now) {
			return time.Time{}, 0, pastError(t, now, loc)
		}
		return t, ws[n-1].end, nil
	}
	return time.Time{}, 0, bot.Errorf(bot.EINVALID, "I can't tell when to post that. %s", addHelp)
}

// reminderText returns the text of a reminder as typed, without the
// quotes when it is exactly one quoted argument.
func reminderText(text string) string {
	if in, ok := bot.Unquote(text); ok {
		return in
	}
	return text
}

func pastError(t, now time.Time, loc *time.Location) error {
	return bot.Errorf(bot.EINVALID, "%s was %s: that time has passed. Give a time in the future.",
		bot.FormatWhen(t, loc), bot.FormatRelative(t, now))
}

// checkText validates reminder text.
func checkText(text string) error {
	if strings.TrimSpace(text) == "" {
		return bot.Errorf(bot.EINVALID, "What should the reminder say? Put the text after the time, e.g. /remind add tomorrow 9:00 Ballots are due Friday.")
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLength {
		return bot.Errorf(bot.EINVALID, "The reminder text is too long: %d characters, and the limit is %d. Please shorten it.", n, MaxTextLength)
	}
	return nil
}

func onceReminder(t time.Time, text string, now time.Time, loc *time.Location) (*Reminder, error) {
	if !t.After(now) {
		return nil, pastError(t, now, loc)
	}
	text = reminderText(text)
	if err := checkText(text); err != nil {
		return nil, err
	}
	t = t.Truncate(time.Millisecond)
	return &Reminder{Kind: KindOnce, Text: text, Zone: loc.String(), At: t, Next: t}, nil
}

func cronReminder(spec, text string, now time.Time, loc *time.Location) (*Reminder, error) {
	spec = strings.Join(strings.Fields(spec), " ")
	anchor := now.Truncate(time.Second)
	c, err := ParseCron(spec, loc, anchor)
	if err != nil {
		return nil, err
	}
	next := c.Next(now)
	if next.IsZero() {
		return nil, bot.Errorf(bot.EINVALID, "The schedule %q never fires (check the day and month). %s", spec, CronHelp)
	}
	if d := c.shortestInterval(now, 200); d > 0 && d < MinInterval {
		return nil, bot.Errorf(bot.EINVALID, "The schedule %q would post every %s; recurring reminders can post at most once an hour, so channels are not flooded. For a weekly reminder on Mondays at 9:00, use 0 9 * * MON.",
			spec, FormatLead(d))
	}
	text = reminderText(text)
	if err := checkText(text); err != nil {
		return nil, err
	}
	return &Reminder{Kind: KindCron, Text: text, Zone: c.Zone().String(), Spec: spec, Anchor: anchor, Next: next}, nil
}

func (s *Service) deleteReminder(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	id, err := parseRef(r.Arg("reminder"), ReminderPrefix)
	if err != nil {
		return err
	}
	rem, err := s.Store.Reminder(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteReminder(ctx, id, r.User.ID, s.Clock.Now()); err != nil {
		return err
	}
	s.notify()
	return w.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Reminder %s deleted (%s).", ReminderRef(id), Describe(rem)), Thread: r.Thread})
}

func (s *Service) listReminders(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	now, loc := s.Clock.Now(), s.Location
	rs, err := s.Store.UpcomingReminders(ctx)
	if err != nil {
		return fmt.Errorf("list reminders: %w", err)
	}
	var b strings.Builder
	if len(rs) == 0 {
		b.WriteString("No upcoming reminders.")
		if r.Steward {
			b.WriteString(" Add one with /remind add <when | cron spec> <text>, or a deadline with /deadline add.")
		}
	} else {
		fmt.Fprintf(&b, "Upcoming reminders (times in %s):", loc)
		for i, rem := range rs {
			if i == listLimit {
				fmt.Fprintf(&b, "\n…and %d more.", len(rs)-listLimit)
				break
			}
			fmt.Fprintf(&b, "\n%s  %s (%s): %s", ReminderRef(rem.ID), bot.FormatWhen(rem.Next, loc), bot.FormatRelative(rem.Next, now), Describe(rem))
		}
	}
	problems, err := s.Store.Problems(ctx, now.Add(-problemWindow))
	if err != nil {
		return fmt.Errorf("list reminder problems: %w", err)
	}
	if len(problems) > 0 {
		b.WriteString("\n\nNeeds attention (last 7 days):")
		for i, d := range problems {
			if i == listLimit {
				fmt.Fprintf(&b, "\n…and %d more.", len(problems)-listLimit)
				break
			}
			what := "a reminder"
			if d.Reminder != nil {
				what = Describe(d.Reminder)
			}
			fmt.Fprintf(&b, "\n%s due %s on %s: %s (%s)", ReminderRef(d.ReminderID), bot.FormatWhen(d.Occurrence, loc), d.Platform, problemText(d), what)
		}
	}
	return w.Reply(ctx, bot.Reply{Text: b.String(), Private: true, Thread: r.Thread})
}

// problemText explains a delivery that did not go as planned.
func problemText(d Delivery) string {
	switch d.State {
	case StateUncertain:
		return "the bot stopped while posting it, so it may not have gone out; check the channel"
	case StateFailed:
		return "could not be posted (" + oneLine(d.Error, 100) + ")"
	case StateSkipped:
		return "not posted: " + oneLine(d.Error, 160)
	}
	return string(d.State)
}

func (s *Service) addDeadline(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	now := s.Clock.Now()
	pos := r.Positional()
	if len(pos) == 0 || strings.TrimSpace(pos[0].Text) == "" {
		return bot.Errorf(bot.EINVALID, "Name the deadline in quotes, then give its date and time: /deadline add \"Ratification vote\" Aug 31 17:00 --lead 7d,1d,2h.")
	}
	name := strings.TrimSpace(pos[0].Text)
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return bot.Errorf(bot.EINVALID, "The deadline name is too long: %d characters, and the limit is %d.", n, MaxNameLength)
	}
	var whenParts []string
	for _, t := range pos[1:] {
		whenParts = append(whenParts, t.Text)
	}
	when := strings.Join(whenParts, " ")
	if when == "" {
		return bot.Errorf(bot.EINVALID, "When is %q due? Give a date and time after the name: /deadline add \"%s\" Aug 31 17:00.", oneLine(name, 60), oneLine(name, 60))
	}
	zone := s.Location
	var err error
	if r.Has("tz") {
		if zone, err = LoadZone(r.Arg("tz")); err != nil {
			return err
		}
	}
	at, err := bot.ParseWhen(when, now, zone)
	if err != nil {
		return err
	}
	if !at.After(now) {
		return pastError(at, now, s.Location)
	}
	leads := DefaultLeads
	if r.Has("lead") {
		if leads, err = parseLeads(r.Arg("lead")); err != nil {
			return err
		}
	}
	d := &Deadline{Name: name, At: at.Truncate(time.Second), Zone: zone.String(), CreatedBy: r.User.ID, CreatedAt: now}
	var kept, passed []string
	for _, l := range leads {
		rem := &Reminder{Kind: KindLead, Zone: d.Zone, Lead: l, CreatedBy: r.User.ID, CreatedAt: now, Deadline: d}
		if err := arm(rem, now); err != nil {
			return err
		}
		if rem.Next.IsZero() {
			passed = append(passed, FormatLead(l))
			continue
		}
		d.Leads = append(d.Leads, rem)
		kept = append(kept, FormatLead(l))
	}
	if len(d.Leads) == 0 {
		return bot.Errorf(bot.EINVALID, "The deadline is %s, so reminders %s before it would already have passed. Use shorter --lead times, e.g. --lead 1h.",
			bot.FormatRelative(at, now), strings.Join(passed, ", "))
	}
	if err := s.Store.CreateDeadline(ctx, d); err != nil {
		return fmt.Errorf("add deadline: %w", err)
	}
	s.notify()
	msg := fmt.Sprintf("Deadline %s added: %s, %s (%s). Reminders will be posted %s before it.",
		DeadlineRef(d.ID), name, bot.FormatWhen(at, s.Location), bot.FormatRelative(at, now), joinAnd(kept))
	if len(passed) > 0 {
		msg += fmt.Sprintf(" (No reminder %s before: that time has passed.)", joinAnd(passed))
	}
	return w.Reply(ctx, bot.Reply{Text: msg, Thread: r.Thread})
}

// parseLeads reads a list of lead times such as "7d,1d,2h".
func parseLeads(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		d, err := bot.ParseDuration(part)
		if err != nil {
			return nil, bot.Errorf(bot.EINVALID, "--lead takes lead times separated by commas, like --lead 14d,7d,1d,2h: %s", bot.ErrorMessage(err))
		}
		if d > MaxLead {
			return nil, bot.Errorf(bot.EINVALID, "A lead time of %s is too long; the most is 366 days.", part)
		}
		out = append(out, d)
	}
	out = normalizeLeads(out)
	if len(out) == 0 {
		return nil, bot.Errorf(bot.EINVALID, "--lead needs at least one lead time, like --lead 7d,1d,2h.")
	}
	if len(out) > MaxLeads {
		return nil, bot.Errorf(bot.EINVALID, "A deadline can have at most %d reminders.", MaxLeads)
	}
	return out, nil
}

// joinAnd joins words as "a, b and c".
func joinAnd(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

func (s *Service) deleteDeadline(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	id, err := parseRef(r.Arg("deadline"), DeadlinePrefix)
	if err != nil {
		return err
	}
	ds, err := s.Store.Deadlines(ctx)
	if err != nil {
		return fmt.Errorf("read deadlines: %w", err)
	}
	var name string
	for _, d := range ds {
		if d.ID == id {
			name = d.Name
		}
	}
	if name == "" {
		return bot.Errorf(bot.ENOTFOUND, "There is no deadline %s. /deadline list shows them.", DeadlineRef(id))
	}
	if err := s.Store.DeleteDeadline(ctx, id, r.User.ID, s.Clock.Now()); err != nil {
		return err
	}
	s.notify()
	return w.Reply(ctx, bot.Reply{Text: fmt.Sprintf("Deadline %s deleted (%s), with its reminders.", DeadlineRef(id), name), Thread: r.Thread})
}

func (s *Service) listDeadlines(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	now, loc := s.Clock.Now(), s.Location
	ds, err := s.Store.Deadlines(ctx)
	if err != nil {
		return fmt.Errorf("list deadlines: %w", err)
	}
	type upcoming struct {
		d    *Deadline
		next time.Time
	}
	var ups []upcoming
	for _, d := range ds {
		if next := d.NextDeadline(now); !next.IsZero() {
			ups = append(ups, upcoming{d, next})
		}
	}
	slices.SortStableFunc(ups, func(a, b upcoming) int { return a.next.Compare(b.next) })
	var b strings.Builder
	n := 0
	for _, u := range ups {
		d, next := u.d, u.next
		if n == 0 {
			fmt.Fprintf(&b, "Upcoming deadlines (times in %s):", loc)
		}
		if n == listLimit {
			b.WriteString("\n…and more.")
			break
		}
		n++
		fmt.Fprintf(&b, "\n%s  %s: %s (%s)", DeadlineRef(d.ID), d.Name, bot.FormatWhen(next, loc), bot.FormatRelative(next, now))
		if d.Yearly {
			b.WriteString(", every year")
		}
		var leads []string
		for _, l := range d.Leads {
			leads = append(leads, FormatLead(l.Lead))
		}
		if len(leads) > 0 {
			b.WriteString(". Reminders " + joinAnd(leads) + " before.")
		} else {
			b.WriteString(". No reminders.")
		}
	}
	if n == 0 {
		b.WriteString("No upcoming deadlines.")
		if r.Steward {
			b.WriteString(` Add one with /deadline add "<name>" <date time> [--lead 7d,1d,2h].`)
		}
	}
	return w.Reply(ctx, bot.Reply{Text: b.String(), Private: true, Thread: r.Thread})
}

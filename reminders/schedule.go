package reminders

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/unionhall/unionhall/bot"
)

// MinInterval is the shortest time allowed between two occurrences of a
// recurring reminder, so that a mistyped spec ("* 9 * * 1" fires every
// minute from 9:00 to 9:59) cannot flood a channel.
const MinInterval = time.Hour

// CronHelp describes the cron specs /remind add accepts, for messages.
const CronHelp = `A cron spec has 5 fields, minute hour day-of-month month day-of-week, ` +
	`e.g. "0 9 * * MON" (Mondays at 9:00) or "30 8 1 * *" (the 1st of each month at 8:30); ` +
	`descriptors such as @daily, @weekly, @monthly and "@every 24h" work too. ` +
	`Start with CRON_TZ=Area/City for a time zone other than the bot's.`

// Schedule computes the occurrences of a reminder. It holds no state: Next
// depends only on its argument.
type Schedule interface {
	// Next returns the first occurrence strictly after t, or the zero time
	// when there is none.
	Next(t time.Time) time.Time
}

// parser reads standard 5-field specs and descriptors.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// allHours has the bit of every hour of the day set.
const allHours = 1<<24 - 1

// CronSchedule is a parsed cron spec and the time zone it is read in.
type CronSchedule struct {
	spec   *cron.SpecSchedule
	every  time.Duration
	anchor time.Time
	zone   *time.Location
}

// ParseCron parses a standard cron spec (5 fields, or a descriptor such as
// @daily or "@every 2h"), with an optional CRON_TZ=Zone (or TZ=Zone)
// prefix naming the zone it is read in; without one it is read in def.
// anchor is the origin of an "@every" schedule's grid. Errors are EINVALID
// and say what is wrong.
func ParseCron(spec string, def *time.Location, anchor time.Time) (*CronSchedule, error) {
	body := strings.Join(strings.Fields(spec), " ")
	zone := def
	if zone == nil {
		zone = time.UTC
	}
	if strings.HasPrefix(body, "CRON_TZ=") || strings.HasPrefix(body, "TZ=") {
		prefix, rest, _ := strings.Cut(body, " ")
		_, name, _ := strings.Cut(prefix, "=")
		loc, err := LoadZone(name)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(rest) == "" {
			return nil, bot.Errorf(bot.EINVALID, "After %s, give the schedule. %s", prefix, CronHelp)
		}
		zone, body = loc, strings.TrimSpace(rest)
	}
	if body == "" {
		return nil, bot.Errorf(bot.EINVALID, "The cron spec is empty. %s", CronHelp)
	}
	if strings.HasPrefix(body, "@") {
		body = strings.ToLower(body)
	}
	sched, err := parseSafely(body)
	if err != nil {
		return nil, bot.Errorf(bot.EINVALID, "%q is not a valid cron spec (%s). %s", body, err, CronHelp)
	}
	c := &CronSchedule{zone: zone, anchor: anchor}
	switch s := sched.(type) {
	case *cron.SpecSchedule:
		cp := *s
		cp.Location = zone
		c.spec = &cp
	case cron.ConstantDelaySchedule:
		c.every = s.Delay
	default:
		return nil, bot.Errorf(bot.EINVALID, "%q is not a schedule I can use. %s", body, CronHelp)
	}
	return c, nil
}

// parseSafely parses body, turning a panic inside the parser into an error.
func parseSafely(body string) (s cron.Schedule, err error) {
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("unreadable spec")
		}
	}()
	return parser.Parse(body)
}

// LoadZone loads an IANA time zone by name. Errors are EINVALID. "Local"
// is refused: it would depend on the server's settings.
func LoadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "local") {
		return nil, bot.Errorf(bot.EINVALID, "Name a time zone, such as America/New_York or Europe/London.")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, bot.Errorf(bot.EINVALID, "Unknown time zone %q. Use an IANA name such as America/New_York, America/Chicago or Europe/London.", name)
	}
	return loc, nil
}

// Zone returns the time zone the schedule is read in.
func (c *CronSchedule) Zone() *time.Location { return c.zone }

// Next returns the first occurrence strictly after t, corrected for
// daylight saving time as the package documentation describes.
func (c *CronSchedule) Next(t time.Time) time.Time {
	if c.spec == nil {
		return c.nextEvery(t)
	}
	cur := t
	// Each pass either returns or steps past one repeated wall-clock
	// time, so a handful of passes is plenty; the bound only guards
	// against a zone database that never settles.
	for range 64 {
		n := c.spec.Next(cur)
		if n.IsZero() {
			return n
		}
		if g := gapOccurrence(c.spec, cur, n); !g.IsZero() {
			return g
		}
		if c.spec.Hour&allHours != allHours && repeatedWallClock(n.In(c.zone)) {
			cur = n
			continue
		}
		return n
	}
	return time.Time{}
}

// nextEvery returns the first point of the "@every" grid (anchor plus a
// whole number of intervals, at least one) strictly after t.
func (c *CronSchedule) nextEvery(t time.Time) time.Time {
	if c.every <= 0 {
		return time.Time{}
	}
	first := c.anchor.Add(c.every)
	if t.Before(first) {
		return first
	}
	k := t.Sub(c.anchor)/c.every + 1
	return c.anchor.Add(k * c.every)
}

// gapOccurrence looks for a clock change that skips wall-clock time in
// (from, to] during which the spec would have fired. robfig/cron never
// fires in such a gap (02:30 on the day clocks go from 02:00 to 03:00):
// the occurrence is moved to the first valid time, the end of the gap,
// once however many occurrences fell in it. It returns the zero time when
// there is none.
func gapOccurrence(s *cron.SpecSchedule, from, to time.Time) time.Time {
	x := from
	for {
		_, end := x.In(s.Location).ZoneBounds()
		if end.IsZero() || end.After(to) {
			return time.Time{}
		}
		_, before := end.Add(-time.Second).In(s.Location).Zone()
		_, after := end.In(s.Location).Zone()
		if gap := time.Duration(after-before) * time.Second; gap > 0 {
			// Read the spec on the clock as it was before the change: the
			// skipped wall-clock times are the instants [end, end+gap).
			old := *s
			old.Location = time.FixedZone("", before)
			if m := old.Next(end.Add(-time.Second)); !m.IsZero() && m.Before(end.Add(gap)) {
				return end
			}
		}
		x = end
	}
}

// repeatedWallClock reports whether t's wall-clock time already happened
// shortly before t, which is the case in the hour repeated when clocks go
// back.
func repeatedWallClock(t time.Time) bool {
	for _, d := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		p := t.Add(-d)
		if p.Year() == t.Year() && p.YearDay() == t.YearDay() && p.Hour() == t.Hour() &&
			p.Minute() == t.Minute() && p.Second() == t.Second() {
			return true
		}
	}
	return false
}

// shortestInterval returns the shortest time between consecutive
// occurrences among the first n after from, reading the spec in UTC so that
// daylight saving changes do not count. It returns 0 when the schedule
// fires fewer than twice.
func (c *CronSchedule) shortestInterval(from time.Time, n int) time.Duration {
	var s Schedule = c
	if c.spec != nil {
		utc := *c
		sp := *c.spec
		sp.Location = time.UTC
		utc.spec = &sp
		s = &utc
	}
	var shortest time.Duration
	prev := s.Next(from)
	for i := 0; i < n && !prev.IsZero(); i++ {
		next := s.Next(prev)
		if next.IsZero() {
			break
		}
		if d := next.Sub(prev); shortest == 0 || d < shortest {
			shortest = d
		}
		prev = next
	}
	return shortest
}

// onceSchedule fires once, at a fixed instant.
type onceSchedule struct{ at time.Time }

func (o onceSchedule) Next(t time.Time) time.Time {
	if o.at.After(t) {
		return o.at
	}
	return time.Time{}
}

// leadSchedule fires a lead time before a deadline, or before each yearly
// instance of it.
type leadSchedule struct {
	deadline time.Time // in the deadline's zone
	yearly   bool
	lead     time.Duration
}

func (l leadSchedule) Next(t time.Time) time.Time {
	if !l.yearly {
		if occ := LeadTime(l.deadline, l.lead); occ.After(t) {
			return occ
		}
		return time.Time{}
	}
	d, zone := l.deadline, l.deadline.Location()
	for y := t.In(zone).Year() - 1; y <= t.In(zone).Year()+3; y++ {
		dl := time.Date(y, d.Month(), d.Day(), d.Hour(), d.Minute(), d.Second(), 0, zone)
		if dl.Month() != d.Month() { // Feb 29 in a common year
			continue
		}
		if occ := LeadTime(dl, l.lead); occ.After(t) {
			return occ
		}
	}
	return time.Time{}
}

// LeadTime returns when a reminder lead before deadline fires: whole days
// are calendar days in the deadline's zone (same time of day), other leads
// are elapsed time.
func LeadTime(deadline time.Time, lead time.Duration) time.Time {
	const day = 24 * time.Hour
	if lead > 0 && lead%day == 0 {
		return deadline.AddDate(0, 0, -int(lead/day))
	}
	return deadline.Add(-lead)
}

// Schedule returns the reminder's schedule. A KindLead reminder needs its
// Deadline.
func (r *Reminder) Schedule() (Schedule, error) {
	switch r.Kind {
	case KindOnce:
		return onceSchedule{at: r.At}, nil
	case KindCron:
		zone, err := LoadZone(r.Zone)
		if err != nil {
			return nil, fmt.Errorf("reminder %d: zone: %w", r.ID, err)
		}
		c, err := ParseCron(r.Spec, zone, r.Anchor)
		if err != nil {
			return nil, fmt.Errorf("reminder %d: spec: %w", r.ID, err)
		}
		return c, nil
	case KindLead:
		if r.Deadline == nil {
			return nil, fmt.Errorf("reminder %d: deadline %d not loaded", r.ID, r.DeadlineID)
		}
		zone, err := LoadZone(r.Deadline.Zone)
		if err != nil {
			return nil, fmt.Errorf("reminder %d: deadline zone: %w", r.ID, err)
		}
		return leadSchedule{deadline: r.Deadline.At.In(zone), yearly: r.Deadline.Yearly, lead: r.Lead}, nil
	}
	return nil, fmt.Errorf("reminder %d: unknown kind %q", r.ID, r.Kind)
}

// NextDeadline returns the deadline's next instance strictly after t: At
// itself, or for a yearly deadline the next one, and the zero time when
// it has passed.
func (d *Deadline) NextDeadline(t time.Time) time.Time {
	zone, err := LoadZone(d.Zone)
	if err != nil {
		zone = time.UTC
	}
	return leadSchedule{deadline: d.At.In(zone), yearly: d.Yearly}.Next(t)
}

// FormatLead describes a lead time in words: "14 days", "1 day", "2 hours",
// "1 hour 30 minutes".
func FormatLead(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return bot.Plural(int(d/day), "day")
	}
	var parts []string
	if h := int(d / time.Hour); h > 0 {
		parts = append(parts, bot.Plural(h, "hour"))
	}
	if m := int(d % time.Hour / time.Minute); m > 0 {
		parts = append(parts, bot.Plural(m, "minute"))
	}
	if s := int(d % time.Minute / time.Second); s > 0 || len(parts) == 0 {
		parts = append(parts, bot.Plural(s, "second"))
	}
	return strings.Join(parts, " ")
}

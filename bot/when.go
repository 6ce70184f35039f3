package bot

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// WhenHelp describes the forms ParseWhen accepts, for error messages.
const WhenHelp = `a date and time ("2026-08-31 17:00"), a date ("Aug 31", "2026-08-31"; at 9:00), ` +
	`"tomorrow 9:00", or a duration ("in 2h", "in 30m", "in 3 days")`

var (
	reIn       = regexp.MustCompile(`^in\s+(\d+)\s*([a-z]+)$`)
	reTimeOnly = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$`)
)

// dateLayouts are the absolute date forms ParseWhen accepts, without a time.
var dateLayouts = []string{"2006-01-02", "2006/01/02", "Jan 2 2006", "January 2 2006", "Jan 2, 2006", "January 2, 2006", "1/2/2006"}

// yearlessLayouts are dates without a year; the next such date is meant.
var yearlessLayouts = []string{"Jan 2", "January 2", "Jan. 2", "2 Jan", "2 January", "1/2"}

// defaultHour is the time of day used when only a date is given.
const defaultHour = 9

// ParseWhen reads a time a member typed, in loc, relative to now. It accepts
// an absolute date and time ("2026-08-31 17:00", "Aug 31 5pm"), a date
// ("Aug 31", meaning the next Aug 31, at 9:00), "today"/"tomorrow" with an
// optional time, or a duration ("in 2h", "in 30s", "in 3 days"). Errors are
// EINVALID and say what is accepted. ParseWhen does not check that the time
// is in the future; callers decide.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	in := strings.ToLower(strings.Join(strings.Fields(s), " "))
	in = strings.TrimSuffix(strings.TrimPrefix(in, "at "), ".")
	if in == "" {
		return time.Time{}, Errorf(EINVALID, "Say when: %s.", WhenHelp)
	}
	if m := reIn.FindStringSubmatch(in); m != nil {
		return parseIn(m[1], m[2], now)
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", in, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(in)); err == nil {
		return t.In(loc), nil
	}
	datePart, clock := splitClock(in)
	hour, minute := defaultHour, 0
	if clock != "" {
		h, m, ok := parseClock(clock)
		if !ok {
			return time.Time{}, Errorf(EINVALID, "I can't read the time %q. Use 24-hour time like 17:00, or 5pm. Accepted: %s.", clock, WhenHelp)
		}
		hour, minute = h, m
	}
	switch datePart {
	case "today":
		return time.Date(now.Year(), now.Month(), now.Day(), hour, minute, 0, 0, loc), nil
	case "tomorrow":
		return time.Date(now.Year(), now.Month(), now.Day()+1, hour, minute, 0, 0, loc), nil
	}
	title := titleMonth(datePart)
	for _, l := range dateLayouts {
		if d, err := time.ParseInLocation(l, title, loc); err == nil {
			return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc), nil
		}
	}
	for _, l := range yearlessLayouts {
		if d, err := time.ParseInLocation(l, title, loc); err == nil {
			t := time.Date(now.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc)
			if t.Month() != d.Month() { // Feb 29 in a non-leap year
				return time.Time{}, Errorf(EINVALID, "%s is not a date this year.", datePart)
			}
			if !t.After(now) {
				t = t.AddDate(1, 0, 0)
			}
			return t, nil
		}
	}
	return time.Time{}, Errorf(EINVALID, "I can't read %q as a time. Use %s.", s, WhenHelp)
}

// splitClock separates a trailing time of day ("17:00", "5pm", "5 pm")
// from a date.
func splitClock(s string) (date, clock string) {
	fields := strings.Fields(s)
	if len(fields) >= 2 && (fields[len(fields)-1] == "am" || fields[len(fields)-1] == "pm") {
		fields = append(fields[:len(fields)-2], fields[len(fields)-2]+fields[len(fields)-1])
	}
	if len(fields) >= 2 {
		last := fields[len(fields)-1]
		if strings.Contains(last, ":") || strings.HasSuffix(last, "am") || strings.HasSuffix(last, "pm") {
			return strings.Join(fields[:len(fields)-1], " "), last
		}
	}
	return strings.Join(fields, " "), ""
}

func parseClock(s string) (hour, minute int, ok bool) {
	m := reTimeOnly.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	hour, _ = strconv.Atoi(m[1])
	if m[2] != "" {
		minute, _ = strconv.Atoi(m[2])
	}
	switch m[3] {
	case "am":
		if hour < 1 || hour > 12 {
			return 0, 0, false
		}
		hour %= 12
	case "pm":
		if hour < 1 || hour > 12 {
			return 0, 0, false
		}
		hour = hour%12 + 12
	}
	if hour > 23 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

// titleMonth capitalises month names so time.Parse recognises them.
func titleMonth(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if w != "" && w[0] >= 'a' && w[0] <= 'z' {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

func parseIn(num, unit string, now time.Time) (time.Time, error) {
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > 100000 {
		return time.Time{}, Errorf(EINVALID, "The duration must be a whole number between 1 and 100000, like \"in 2h\".")
	}
	var d time.Duration
	switch unit {
	case "s", "sec", "secs", "second", "seconds":
		d = time.Second
	case "m", "min", "mins", "minute", "minutes":
		d = time.Minute
	case "h", "hr", "hrs", "hour", "hours":
		d = time.Hour
	case "d", "day", "days":
		return now.AddDate(0, 0, n), nil
	case "w", "wk", "wks", "week", "weeks":
		return now.AddDate(0, 0, 7*n), nil
	default:
		return time.Time{}, Errorf(EINVALID, "I don't know the unit %q. Use s, m, h, d or w, like \"in 30m\" or \"in 2 days\".", unit)
	}
	return now.Add(time.Duration(n) * d), nil
}

// ParseDuration reads a lead time such as "14d", "2h", "30m" or "1w".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if len(s) < 2 {
		return 0, Errorf(EINVALID, "%q is not a duration. Use a number and a unit: 30m, 2h, 7d, 1w.", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 10000 {
		return 0, Errorf(EINVALID, "%q is not a duration. Use a number and a unit: 30m, 2h, 7d, 1w.", s)
	}
	switch s[len(s)-1] {
	case 's':
		return time.Duration(n) * time.Second, nil
	case 'm':
		return time.Duration(n) * time.Minute, nil
	case 'h':
		return time.Duration(n) * time.Hour, nil
	case 'd':
		return time.Duration(n) * 24 * time.Hour, nil
	case 'w':
		return time.Duration(n) * 7 * 24 * time.Hour, nil
	}
	return 0, Errorf(EINVALID, "%q is not a duration. Use a number and a unit: 30m, 2h, 7d, 1w.", s)
}

// FormatWhen formats t for members in loc, e.g. "Mon Aug 31, 2026 5:00 PM EDT".
func FormatWhen(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Mon Jan 2, 2006 3:04 PM MST")
}

// FormatRelative describes t relative to now in words: "in 3 days",
// "in 2 hours", "in 20 seconds", "5 minutes ago", "now".
func FormatRelative(t, now time.Time) string {
	d := t.Sub(now)
	future := d >= 0
	if !future {
		d = -d
	}
	var s string
	switch {
	case d < time.Second:
		return "now"
	case d < 60*time.Second:
		s = Plural(int(d.Seconds()), "second")
	case d < 90*time.Second:
		s = "1 minute"
	case d < time.Hour:
		s = Plural(int(math.Round(d.Minutes())), "minute")
	case d < 36*time.Hour:
		s = Plural(int(math.Round(d.Hours())), "hour")
	default:
		s = Plural(int(math.Round(d.Hours()/24)), "day")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

package reminders

import (
	"strings"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// LateAfter is how late a post must be to carry "(late: was due at ...)".
// Posts made on schedule are a fraction of a second late; one held up
// longer (the bot was down when it came due, the platform kept failing)
// says so.
const LateAfter = 30 * time.Second

// PostText is what is posted for occurrence occ of r when posting at now,
// with times shown in loc.
func PostText(r *Reminder, occ, now time.Time, loc *time.Location) string {
	late := now.Sub(occ) >= LateAfter
	var b strings.Builder
	switch r.Kind {
	case KindLead:
		name, when, note := "A deadline", "", ""
		if d := r.Deadline; d != nil {
			name, note = d.Name, d.Note
			if dl := d.NextDeadline(occ); !dl.IsZero() {
				rel := "in " + FormatLead(r.Lead)
				if late {
					rel = bot.FormatRelative(dl, now)
				}
				if !dl.After(now) {
					rel = "now"
				}
				when = " " + rel + ", on " + bot.FormatWhen(dl, loc)
			}
		}
		b.WriteString("Reminder: " + name + " is" + when + ".")
		if note != "" {
			b.WriteString("\n" + note)
		}
	default:
		b.WriteString("Reminder: " + r.Text)
	}
	if late {
		b.WriteString("\n(late: was due at " + bot.FormatWhen(occ, loc) + ")")
	}
	return b.String()
}

// Describe says in a few words what a reminder is, for lists.
func Describe(r *Reminder) string {
	switch r.Kind {
	case KindCron:
		return "every " + quoteSpec(r.Spec) + ": " + oneLine(r.Text, 120)
	case KindLead:
		name := "deadline"
		if r.Deadline != nil {
			name = r.Deadline.Name
		}
		return oneLine(name, 120) + ", " + FormatLead(r.Lead) + " before"
	}
	return oneLine(r.Text, 120)
}

func quoteSpec(spec string) string { return "\"" + spec + "\"" }

// oneLine shortens s to its first line and at most n characters, for
// lists.
func oneLine(s string, n int) string {
	line, _, more := strings.Cut(s, "\n")
	r := []rune(line)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	if more {
		return line + " …"
	}
	return line
}

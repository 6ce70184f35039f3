package reminders

import (
	"strconv"
	"strings"

	"github.com/unionhall/unionhall/bot"
)

// Reminders and deadlines are numbered separately, so each list writes
// its references with a letter of its own: reminder R3, deadline D2. The
// commands that take one also accept the bare number ("3" or "#3").
const (
	// ReminderPrefix starts a reminder's reference.
	ReminderPrefix = "R"
	// DeadlinePrefix starts a deadline's reference.
	DeadlinePrefix = "D"
)

// ReminderRef is reminder id's reference, e.g. "R3".
func ReminderRef(id int64) string { return ReminderPrefix + strconv.FormatInt(id, 10) }

// DeadlineRef is deadline id's reference, e.g. "D2".
func DeadlineRef(id int64) string { return DeadlinePrefix + strconv.FormatInt(id, 10) }

// refArg is the argument naming a reminder (prefix ReminderPrefix) or a
// deadline (DeadlinePrefix), listed by list.
func refArg(noun, prefix, list string) bot.Arg {
	return bot.Arg{Name: noun, Summary: "The " + noun + "'s reference, e.g. " + prefix + "3 (see " + list + ")", Kind: bot.KindText, Required: true, MaxLength: 24, Placeholder: "<" + prefix + "n>"}
}

// parseRef reads a reference with prefix ("R3", "r3"), or a bare number
// ("3", "#3"). One written with the other list's letter is refused with
// the command that takes it.
func parseRef(s, prefix string) (int64, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "#")
	other, noun, otherNoun, otherCmd := DeadlinePrefix, "reminder", "deadline", "/deadline delete"
	if prefix == DeadlinePrefix {
		other, noun, otherNoun, otherCmd = ReminderPrefix, "deadline", "reminder", "/remind delete"
	}
	if len(t) > 1 && strings.EqualFold(t[:1], other) {
		if _, err := strconv.ParseInt(t[1:], 10, 64); err == nil {
			return 0, bot.Errorf(bot.EINVALID, "%s is a %s, not a %s: delete it with %s %s.", strings.ToUpper(t), otherNoun, noun, otherCmd, strings.ToUpper(t))
		}
	}
	if len(t) > 1 && strings.EqualFold(t[:1], prefix) {
		t = t[1:]
	}
	id, err := strconv.ParseInt(t, 10, 64)
	if err != nil || id < 1 {
		return 0, bot.Errorf(bot.EINVALID, "%q is not a %s number or reference. Name it as %s3 (or 3), from the list.", bot.Truncate(s, 30), noun, prefix)
	}
	return id, nil
}

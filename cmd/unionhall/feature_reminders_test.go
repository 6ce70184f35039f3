package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantAll reports each of wants that got, the text of what, lacks.
func wantAll(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// replyTo returns the text of the replies to user, joined.
func replyTo(lines []consoleLine, user string) string {
	var out []string
	for _, l := range lines {
		if l.User == user {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n---\n")
}

func TestConsoleReminders(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"UNIONHALL_STEWARDS": "console:alice"}
	lines := runConsole(t, dir, vars,
		"list1> /remind list",
		"deadlines> /deadline list",
		"alice> /remind add 0 9 * * MON Weekly vote status: <b>check</b> the tally",
		"alice> /remind add 2099-08-31 17:00 Far-future one-off",
		"bob> /remind add in 2h Bob is no steward",
		"bob> /remind delete 5",
		"bob> /deadline add \"Bob's deadline\" 2099-01-01 09:00",
		"alice> /remind add 0 9 * * FUNDAY Bad spec",
		"alice> /remind add 2001-01-01 09:00 In the past",
		"alice> /remind add CRON_TZ=Mars/Olympus 0 9 * * * Unknown zone",
		"alice> /remind add in 2h",
		"alice> /remind add in 2h "+strings.Repeat("x", 2001),
		"list2> /remind list",
		"alice> /remind delete 5",
		"alice> /deadline add \"Strike authorization vote\" 2099-03-01 12:00 --lead 7d,1d",
		"list3> /remind list",
	)

	// The default Aug. 31 ratification deadline, with its reminders.
	wantAll(t, "first /remind list", replyTo(lines, "list1"),
		"Upcoming reminders (times in America/New_York):",
		"Ratification deadline, 14 days before",
		"Ratification deadline, 7 days before",
		"Ratification deadline, 1 day before",
		"Ratification deadline, 2 hours before",
		"Aug 17, ", " 5:00 PM ", "(in ",
	)
	if got := replyTo(lines, "deadlines"); !strings.Contains(got, "D1  Ratification deadline: ") || !strings.Contains(got, "Aug 31, ") ||
		!strings.Contains(got, "every year. Reminders 14 days, 7 days, 1 day and 2 hours before.") {
		t.Errorf("/deadline list: %s", got)
	}

	wantAll(t, "replies to alice", replyTo(lines, "alice"),
		"Recurring reminder R5 set: every \"0 9 * * MON\" (America/New_York)",
		"Weekly vote status: <b>check</b> the tally",
		"Reminder R6 set for Mon Aug 31, 2099 5:00 PM EDT",
		"not a valid cron spec",
		"that time has passed",
		"Unknown time zone \"Mars/Olympus\"",
		"What should the reminder say?",
		"too long: 2001 characters",
		"Reminder R5 deleted",
		"Deadline D2 added: Strike authorization vote, Sun Mar 1, 2099 12:00 PM EST",
	)
	if got := replyTo(lines, "bob"); strings.Count(got, "Only stewards can") != 3 {
		t.Errorf("bob was not refused three times:\n%s", got)
	}

	// Refused and bad commands changed nothing.
	list2 := replyTo(lines, "list2")
	if strings.Count(list2, "\nR") != 6 || !strings.Contains(list2, "R5 ") || !strings.Contains(list2, "R6 ") ||
		strings.Contains(list2, "Bob") || strings.Contains(list2, "Bad spec") {
		t.Errorf("second /remind list:\n%s", list2)
	}
	list3 := replyTo(lines, "list3")
	if strings.Contains(list3, "R5 ") || !strings.Contains(list3, "Strike authorization vote, 7 days before") ||
		!strings.Contains(list3, "Strike authorization vote, 1 day before") {
		t.Errorf("third /remind list:\n%s", list3)
	}

	// A restart re-reads the deadlines file without duplicating anything.
	lines = runConsole(t, dir, vars, "after> /remind list", "after> /deadline list")
	after := replyTo(lines, "after")
	if strings.Count(after, "Ratification deadline, 14 days before") != 1 || strings.Count(after, "D1  Ratification deadline:") != 1 ||
		!strings.Contains(after, "R6 ") || !strings.Contains(after, "D2  Strike authorization vote") {
		t.Errorf("after a restart:\n%s", after)
	}
}

func TestConsoleDeadlinesFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "deadlines.yaml")
	os.WriteFile(file, []byte(`deadlines:
  - key: contract-vote
    name: Contract vote
    when: 2099-06-30 17:00
    timezone: America/Chicago
    leads: [3d]
    note: Polls close at 5 PM Central.
`), 0o600)
	vars := map[string]string{"UNIONHALL_DEADLINES_FILE": file, "UNIONHALL_REMINDER_GRACE": "2h"}
	lines := runConsole(t, dir, vars, "m> /remind list", "m> /deadline list")
	got := replyTo(lines, "m")
	if !strings.Contains(got, "R1  Sat Jun 27, 2099 6:00 PM EDT") || !strings.Contains(got, "Contract vote, 3 days before") ||
		strings.Contains(got, "Ratification") || strings.Contains(got, "every year") {
		t.Errorf("lists with a custom deadlines file:\n%s", got)
	}

	// The file's format is tested in reminders; here, that its errors name
	// the variable.
	for name, c := range map[string]struct{ file, want string }{
		"bad yaml":      {"deadlines: [", "not a valid deadlines file"},
		"bad zone":      {"deadlines:\n  - key: a\n    name: A\n    when: Aug 31\n    timezone: Mars/Olympus\n", "Unknown time zone"},
		"duplicate key": {"deadlines:\n  - key: a\n    name: A\n    when: Aug 31\n  - key: a\n    name: B\n    when: Sep 1\n", "used twice"},
	} {
		os.WriteFile(file, []byte(c.file), 0o600)
		code, _, errOut := runMain(t.TempDir(), vars, "", "console")
		if code != 1 || !strings.Contains(errOut, "UNIONHALL_DEADLINES_FILE: "+file) || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want it to mention %q", name, code, errOut, c.want)
		}
	}

	code, _, errOut := runMain(t.TempDir(), map[string]string{"UNIONHALL_REMINDER_GRACE": "soon"}, "", "console")
	if code != 1 || !strings.Contains(errOut, "UNIONHALL_REMINDER_GRACE") {
		t.Errorf("bad grace: exit %d, stderr %q", code, errOut)
	}
}

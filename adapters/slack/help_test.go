package slack

import "testing"

func TestHelpSyntaxUsesTheManifestsReminderCommand(t *testing.T) {
	for in, want := range map[string]string{
		"/remind list":                          "/reminders list",
		"/remind add <when | cron spec> <text>": "/reminders add <when | cron spec> <text>",
		"/reminders list":                       "/reminders list",
		"/poll list":                            "/poll list",
	} {
		if got := HelpSyntax(in); got != want {
			t.Errorf("HelpSyntax(%q) = %q, want %q", in, got, want)
		}
	}
}

package slack

import "strings"

// HelpSyntax rewrites one usage line of the typed command language (as
// /help shows it) into the form that works in Slack. Slack keeps /remind
// for its own reminders, so the app's manifest registers /reminders
// instead, and help must say so; every other command is typed as is.
func HelpSyntax(syntax string) string {
	if rest, ok := strings.CutPrefix(syntax, "/remind "); ok {
		return "/reminders " + rest
	}
	if syntax == "/remind" {
		return "/reminders"
	}
	return syntax
}

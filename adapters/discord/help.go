package discord

import "strings"

// helpForms maps the start of a usage line of the typed command language
// to how the same thing is done with this adapter's slash commands
// (Commands). The first matching prefix wins, so longer prefixes come
// first. The rest of the line after the prefix is dropped: each Discord
// form names its own options.
var helpForms = []struct{ prefix, discord string }{
	{"/help <command>", "/help command:<command>"},
	{"/faq <question>", "/faq question:<question>"},
	{"/faq topics", "/faq (with no question)"},
	{"/faq show <topic>", "/faq question:show <topic>"},
	{"/faq feedback", "/faq question:feedback <topic> helpful|not-helpful"},
	{"/faq gaps", "/faq question:gaps"},
	{"/faq add", `/faq question:add <topic> "<question>"`},
	{`/poll "`, "/poll open question:<question> options:<A | B | ...> [anonymous] [hidden] [multi] [max] [closes] [rule]"},
	{"/poll results", "/polls results poll:<poll>"},
	{"/poll list", "/polls list"},
	{"/poll close", "/poll close poll:<poll>"},
	{"/poll export", "/poll export poll:<poll>"},
	{"/vote <poll> <option> <option>", "/vote poll:<poll> option:<option>, once for each choice"},
	{"/vote", "/vote poll:<poll> option:<option number or label>"},
	{"/unit <name>", "/unit name:<name>"},
	{"/remind list", "/reminders"},
	{"/remind add", "/remind add when:<when | cron spec> text:<text>"},
	{"/remind delete", "/remind delete id:<id>"},
	{"/deadline list", "/deadlines"},
	{"/deadline add", "/deadline add name:<name> when:<date time> [lead:7d,1d,2h]"},
}

// HelpSyntax rewrites one usage line of the typed command language (as
// /help shows it) into the slash-command form members use on Discord. Forms
// with no slash command of their own are shown as a command to send in a
// message that mentions the bot, which the adapter also accepts.
func HelpSyntax(syntax string) string {
	for _, f := range helpForms {
		if syntax == f.prefix || strings.HasPrefix(syntax, f.prefix+" ") || strings.HasSuffix(f.prefix, `"`) && strings.HasPrefix(syntax, f.prefix) {
			return f.discord
		}
	}
	if syntax == "/help" {
		return syntax
	}
	return "@mention me with: " + syntax
}

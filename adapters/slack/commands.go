package slack

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/unionhall/unionhall/bot"
)

// reservedCommands are the slash commands Slack keeps for itself. A
// manifest that lists one of them makes Slack refuse every slash command
// of the app, so a command with a reserved name is registered under its
// first alias instead.
var reservedCommands = []string{"status", "me", "join", "away", "dnd", "shrug", "remind", "msg", "feed", "who",
	"collapse", "expand", "leave", "open", "search", "topic", "mute", "pro", "shortcuts", "invite", "archive", "active", "dm"}

// Slack's limits on a manifest's slash command.
const (
	maxCommandDescription = 2000
	maxUsageHint          = 1000
)

// CommandName returns the name under which c is registered in Slack: its
// own, or its first alias that Slack does not reserve. It returns "" when
// every name is reserved, which a test of the declarations rules out.
func CommandName(c bot.Command) string {
	for _, n := range append([]string{c.Name}, c.Aliases...) {
		if !slices.Contains(reservedCommands, n) {
			return n
		}
	}
	return ""
}

// Syntax writes form f of c as members type it in Slack, for /help and
// usage messages: as in the command language, under the name Slack
// registers.
func Syntax(c bot.Command, f bot.Form) string {
	return bot.SyntaxNamed("/"+CommandName(c), f)
}

// slashCommand is one entry of the manifest's slash_commands.
type slashCommand struct {
	Command      string `json:"command"`
	Description  string `json:"description"`
	UsageHint    string `json:"usage_hint,omitempty"`
	URL          string `json:"url,omitempty"`
	ShouldEscape bool   `json:"should_escape"`
}

// slashCommands returns the manifest entries of the declared commands:
// each under its Slack name, described by its summary, with a usage hint
// listing its forms.
func slashCommands(cmds []bot.Command) []slashCommand {
	out := make([]slashCommand, 0, len(cmds))
	for _, c := range cmds {
		var hints []string
		for _, f := range c.Forms {
			if h := strings.TrimSpace(bot.SyntaxNamed("", f)); h != "" {
				hints = append(hints, h)
			}
		}
		out = append(out, slashCommand{
			Command:     "/" + CommandName(c),
			Description: cut(upperFirst(c.Summary), maxCommandDescription),
			UsageHint:   cut(strings.Join(hints, " | "), maxUsageHint),
		})
	}
	return out
}

// upperFirst capitalises the first letter of s, as Slack's command list
// shows descriptions.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}

// cut shortens s to at most n characters, ending it with "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

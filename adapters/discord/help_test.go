package discord

import (
	"strings"
	"testing"
)

// TestHelpSyntaxNamesRegisteredCommands checks that every rewritten form
// names a slash command this adapter registers, and that forms Discord
// has no command for point to the mention route.
func TestHelpSyntaxNamesRegisteredCommands(t *testing.T) {
	registered := map[string]bool{}
	for _, c := range Commands() {
		registered[c.Name] = true
	}
	cases := map[string]string{
		"/poll results <poll>":                    "/polls results poll:<poll>",
		"/poll list":                              "/polls list",
		"/remind list":                            "/reminders",
		"/vote <poll> <option number or label>":   "/vote poll:<poll> option:<option number or label>",
		"/vote <poll> <option> <option> ...":      "/vote poll:<poll> option:<option>, once for each choice",
		`/poll "Question?" "Option A" "Option B"`: "/poll open question:",
		"/deadline delete <id>":                   "@mention me with: /deadline delete <id>",
		"/unit":                                   "@mention me with: /unit",
		"/help":                                   "/help",
	}
	for in, want := range cases {
		if got := HelpSyntax(in); !strings.HasPrefix(got, want) {
			t.Errorf("HelpSyntax(%q) = %q, want it to start with %q", in, got, want)
		}
	}
	for _, f := range helpForms {
		name, _, _ := strings.Cut(strings.TrimPrefix(f.discord, "/"), " ")
		if !registered[name] {
			t.Errorf("help form %q names /%s, which is not registered", f.discord, name)
		}
	}
}

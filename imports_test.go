package unionhall_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/unionhall/unionhall"

// TestImportRules enforces the layering that docs/architecture.md
// describes: the core imports only the standard library, features import
// only the core (and the libraries of their own file formats and
// schedules), adapters only the core and their own SDK, and only
// cmd/unionhall wires everything together.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath string
		Imports    []string
		Deps       []string
	}
	allowed := map[string][]string{
		"bot":              {},
		"bot/bottest":      {module + "/bot"},
		"bot/backoff":      {module + "/bot"},
		"bot/lanes":        {},
		"bot/pace":         {module + "/bot"},
		"bot/cards":        {module + "/bot", module + "/bot/backoff", module + "/bot/lanes"},
		"faq":              {module + "/bot", module + "/faq/passages", "github.com/kljensen/snowball", "gopkg.in/yaml.v3"},
		"faq/passages":     {},
		"polls":            {module + "/bot", "gopkg.in/yaml.v3"},
		"reminders":        {module + "/bot", "github.com/robfig/cron/v3", "gopkg.in/yaml.v3"},
		"adapters/console": {module + "/bot", "github.com/chzyer/readline"},
		"adapters/slack":   {module + "/bot", "github.com/slack-go/slack", "github.com/gorilla/websocket"},
		"adapters/discord": {module + "/bot", "github.com/bwmarrin/discordgo", "github.com/gorilla/websocket", "golang.org/x/crypto"},
		// The test fakes stand for the platforms alone: they know nothing
		// of the adapters or the features.
		"adapters/slack/slacktest":     {module + "/bot", "github.com/gorilla/websocket"},
		"adapters/discord/discordtest": {module + "/bot", "github.com/bwmarrin/discordgo", "github.com/gorilla/websocket", "golang.org/x/crypto", "golang.org/x/net"},
		"store":                        {module + "/bot", module + "/faq", module + "/polls", module + "/reminders"},
		"store/sqlite":                 {module + "/bot", module + "/faq", module + "/polls", module + "/reminders", module + "/store", "github.com/mattn/go-sqlite3", "github.com/kljensen/snowball", "gopkg.in/yaml.v3", "github.com/robfig/cron/v3"},
		"store/postgres":               {module + "/bot", module + "/faq", module + "/polls", module + "/reminders", module + "/store", "github.com/jackc/pgx/v5"},
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		rules, ok := allowed[rel]
		if !ok {
			continue // cmd/unionhall and test-only packages may import anything
		}
		seen++
		// Our own packages are checked transitively, third-party ones where
		// they are imported directly (their own dependencies are theirs).
		for _, d := range p.Deps {
			if strings.HasPrefix(d, module) && !allowedDep(d, rules) {
				t.Errorf("%s depends on %s, which the import rules in docs/architecture.md forbid", p.ImportPath, d)
			}
		}
		for _, d := range p.Imports {
			if !isStdlib(d) && !allowedDep(d, rules) {
				t.Errorf("%s imports %s, which the import rules in docs/architecture.md forbid", p.ImportPath, d)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no packages checked")
	}
}

// isStdlib reports whether an import path is in the standard library (no
// dot in its first element), including vendored golang.org/x packages.
func isStdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") || strings.HasPrefix(path, "vendor/")
}

// allowedDep reports whether dep is one of the allowed packages or inside
// one of the allowed modules.
func allowedDep(dep string, rules []string) bool {
	for _, r := range rules {
		if dep == r || strings.HasPrefix(dep, r+"/") {
			return true
		}
	}
	return false
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// consoleLine is the subset of console --json output the tests read.
type consoleLine struct {
	User    string `json:"user"`
	Channel string `json:"channel"`
	Private bool   `json:"private"`
	Text    string `json:"text"`
	Poll    *struct {
		ID       string `json:"id"`
		Question string `json:"question"`
		Closed   bool   `json:"closed"`
		Hidden   bool   `json:"hidden"`
		Options  []struct {
			Label string `json:"label"`
			Votes *int   `json:"votes"`
		} `json:"options"`
		Total *int `json:"total"`
	} `json:"poll"`
}

// testEnv returns an environment lookup over vars with UNIONHALL_DB in
// dir.
func testEnv(dir string, vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		if k == "UNIONHALL_DB" && vars[k] == "" {
			return filepath.Join(dir, "unionhall.db"), true
		}
		v, ok := vars[k]
		return v, ok
	}
}

// runConsole runs "unionhall console --json" over script and returns the
// decoded reply lines and the exit code.
func runConsole(t *testing.T, dir string, vars map[string]string, script string) ([]consoleLine, int) {
	t.Helper()
	return consoleJSON[consoleLine](t, dir, vars, script)
}

// consoleJSON runs "unionhall console --json" over script and decodes each
// reply line into a T, failing the test on a line that is not valid JSON.
func consoleJSON[T any](t *testing.T, dir string, vars map[string]string, script string) ([]T, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"console", "--json"}, strings.NewReader(script), &out, &errOut, testEnv(dir, vars))
	var lines []T
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l T
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("invalid JSON line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if code != 0 {
		t.Logf("stderr: %s", errOut.String())
	}
	return lines, code
}

// mustConsoleJSON is consoleJSON for scripts that must exit 0.
func mustConsoleJSON[T any](t *testing.T, dir string, vars map[string]string, script string) []T {
	t.Helper()
	lines, code := consoleJSON[T](t, dir, vars, script)
	if code != 0 {
		t.Fatalf("console exit code %d", code)
	}
	return lines
}

func TestConsoleScript(t *testing.T) {
	dir := t.TempDir()
	script := strings.Join([]string{
		"# a comment line is ignored",
		"/help",
		"bob> /nosuch",
		`alice> /poll "Ratify?" "Yes" "No`,
		`bob> /poll "Ratify?" "Yes" "No"`,
		`alice> /poll “Ratify?” “Yes” “No”`,
		"bob> /vote 1 yes",
		"dave> /help nosuch",
		"",
	}, "\n")
	lines, code := runConsole(t, dir, map[string]string{"UNIONHALL_STEWARDS": "console:alice"}, script)
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	want := []struct {
		user, text string
		private    bool
	}{
		{"member", "/help - list every command", true},
		{"bob", "I don't know the command /nosuch", true},
		{"alice", "A quote is not closed", true},
		{"bob", "Only stewards can", true},
		{"alice", "Ratify?", false},
		{"bob", "Your vote in poll 1 is recorded: 1. Yes", true},
		{"", "Ratify?", false}, // the card's tally is updated
		{"dave", "There is no command /nosuch", true},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d replies, want %d: %+v", len(lines), len(want), lines)
	}
	for i, w := range want {
		l := lines[i]
		if l.User != w.user || !strings.Contains(l.Text, w.text) || l.Private != w.private || l.Channel != "console" {
			t.Errorf("reply %d = %+v, want user %q private %v text containing %q", i, l, w.user, w.private, w.text)
		}
	}
	if p := lines[6].Poll; p == nil || len(p.Options) != 2 || p.Options[0].Votes == nil || *p.Options[0].Votes != 1 || p.Total == nil || *p.Total != 1 {
		t.Errorf("updated poll = %+v, want Yes 1 of 1", lines[6].Poll)
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"version"}, nil, &out, &errOut, testEnv(t.TempDir(), nil)); code != 0 || !strings.Contains(out.String(), version) {
		t.Fatalf("version: code %d, out %q", code, out.String())
	}
	if code := run(context.Background(), []string{"frobnicate"}, nil, &out, &errOut, testEnv(t.TempDir(), nil)); code != 2 {
		t.Fatalf("unknown subcommand exit %d, want 2", code)
	}
}

func TestBadConfigIsReported(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"UNIONHALL_STEWARDS": {"UNIONHALL_STEWARDS": "alice"},
		"UNIONHALL_TIMEZONE": {"UNIONHALL_TIMEZONE": "Mars/Olympus"},
		"UNIONHALL_DB":       {"UNIONHALL_DB": filepath.Join(t.TempDir(), "no", "such", "dir", "u.db")},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"console"}, strings.NewReader(""), &out, &errOut, testEnv(t.TempDir(), vars))
		if code != 1 || !strings.Contains(errOut.String(), name) && name != "UNIONHALL_DB" {
			t.Errorf("%s: code %d, stderr %q", name, code, errOut.String())
		}
	}
}

func TestDotEnvFileIsRead(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(".env", []byte("UNIONHALL_TIMEZONE=Not/AZone\n"), 0o600)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"console"}, strings.NewReader(""), &out, &errOut, testEnv(dir, nil))
	if code != 1 || !strings.Contains(errOut.String(), "Not/AZone") {
		t.Fatalf(".env not read: code %d, stderr %q", code, errOut.String())
	}
	// The process environment wins over .env.
	code = run(context.Background(), []string{"console"}, strings.NewReader(""), &out, &errOut, testEnv(dir, map[string]string{"UNIONHALL_TIMEZONE": "UTC"}))
	if code != 0 {
		t.Fatalf("environment did not override .env: code %d, stderr %q", code, errOut.String())
	}
	// Even when it is set but empty (the default applies).
	code = run(context.Background(), []string{"console"}, strings.NewReader(""), &out, &errOut, testEnv(dir, map[string]string{"UNIONHALL_TIMEZONE": ""}))
	if code != 0 {
		t.Fatalf("an empty variable in the environment did not override .env: code %d, stderr %q", code, errOut.String())
	}
}

// TestConfigErrorsComeBeforeTheDatabase checks that every mistake in the
// configuration, platform settings and feature files included, is reported
// before the database is created, naming the variable at fault.
func TestConfigErrorsComeBeforeTheDatabase(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("deadlines: ["), 0o600)
	for name, c := range map[string]struct {
		cmd  string
		vars map[string]string
	}{
		"SLACK_BOT_TOKEN":          {"run", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2-abcdef"}},
		"SLACK_APP_TOKEN":          {"run", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2-abcdef", "SLACK_APP_TOKEN": "xoxb-wrong"}},
		"DISCORD_API_URL":          {"run", map[string]string{"DISCORD_TOKEN": "t", "DISCORD_API_URL": "ftp://example"}},
		"UNIONHALL_UNITS_FILE":     {"console", map[string]string{"UNIONHALL_UNITS_FILE": bad}},
		"UNIONHALL_DEADLINES_FILE": {"console", map[string]string{"UNIONHALL_DEADLINES_FILE": bad}},
		"UNIONHALL_REMINDER_GRACE": {"console", map[string]string{"UNIONHALL_REMINDER_GRACE": "soon"}},
	} {
		dir := t.TempDir()
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{c.cmd}, strings.NewReader(""), &out, &errOut, testEnv(dir, c.vars))
		if code != 1 || !strings.Contains(errOut.String(), name) {
			t.Errorf("%s: exit %d, stderr %q", name, code, errOut.String())
		}
		if _, err := os.Stat(filepath.Join(dir, "unionhall.db")); err == nil {
			t.Errorf("%s: the database was created before the mistake was found", name)
		}
	}
}

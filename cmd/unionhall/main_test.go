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

	"github.com/unionhall/unionhall/bot"
)

// consoleLine is one reply of "unionhall console --json", with every
// field the tests read.
type consoleLine struct {
	User    string        `json:"user"`
	Channel string        `json:"channel"`
	Private bool          `json:"private"`
	Text    string        `json:"text"`
	Update  bool          `json:"update"`
	Poll    *bot.PollView `json:"poll"`
	Card    *struct {
		Key     string `json:"key"`
		Title   string `json:"title"`
		Footer  string `json:"footer"`
		Buttons []struct {
			Label   string `json:"label"`
			Command string `json:"command"`
		} `json:"buttons"`
	} `json:"card"`
	File *struct {
		Name    string `json:"name"`
		Content string `json:"content"`
	} `json:"file"`
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

// runMain runs "unionhall args..." in process, as main does, with stdin as
// its input and vars (with UNIONHALL_DB in dir unless vars sets it) as its
// environment. It returns the exit code and what the command wrote to
// standard output and standard error.
func runMain(dir string, vars map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, testEnv(dir, vars))
	return code, out.String(), errOut.String()
}

// runConsole runs "unionhall console --json" over the script's lines and
// returns the replies, failing the test unless it exits 0 and every reply
// is valid JSON.
func runConsole(t *testing.T, dir string, vars map[string]string, script ...string) []consoleLine {
	t.Helper()
	code, out, errOut := runMain(dir, vars, strings.Join(script, "\n")+"\n", "console", "--json")
	if code != 0 {
		t.Fatalf("console exit code %d; stderr: %s", code, errOut)
	}
	var lines []consoleLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l consoleLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("invalid JSON line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

func TestConsoleScript(t *testing.T) {
	dir := t.TempDir()
	lines := runConsole(t, dir, map[string]string{"UNIONHALL_STEWARDS": "console:alice"},
		"# a comment line is ignored",
		"/help",
		"bob> /nosuch",
		`alice> /poll "Ratify?" "Yes" "No`,
		`bob> /poll "Ratify?" "Yes" "No"`,
		`alice> /poll “Ratify?” “Yes” “No”`,
		"bob> /vote 1 yes",
		"dave> /help nosuch",
	)
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
	if code, out, _ := runMain(t.TempDir(), nil, "", "version"); code != 0 || !strings.Contains(out, version) {
		t.Fatalf("version: code %d, out %q", code, out)
	}
	if code, _, _ := runMain(t.TempDir(), nil, "", "frobnicate"); code != 2 {
		t.Fatalf("unknown subcommand exit %d, want 2", code)
	}
}

func TestBadConfigIsReported(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"UNIONHALL_STEWARDS": {"UNIONHALL_STEWARDS": "alice"},
		"UNIONHALL_TIMEZONE": {"UNIONHALL_TIMEZONE": "Mars/Olympus"},
		"UNIONHALL_DB":       {"UNIONHALL_DB": filepath.Join(t.TempDir(), "no", "such", "dir", "u.db")},
	} {
		code, _, errOut := runMain(t.TempDir(), vars, "", "console")
		if code != 1 || !strings.Contains(errOut, name) && name != "UNIONHALL_DB" {
			t.Errorf("%s: code %d, stderr %q", name, code, errOut)
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
	code, _, errOut := runMain(dir, nil, "", "console")
	if code != 1 || !strings.Contains(errOut, "Not/AZone") {
		t.Fatalf(".env not read: code %d, stderr %q", code, errOut)
	}
	// The process environment wins over .env.
	if code, _, errOut := runMain(dir, map[string]string{"UNIONHALL_TIMEZONE": "UTC"}, "", "console"); code != 0 {
		t.Fatalf("environment did not override .env: code %d, stderr %q", code, errOut)
	}
	// Even when it is set but empty (the default applies).
	if code, _, errOut := runMain(dir, map[string]string{"UNIONHALL_TIMEZONE": ""}, "", "console"); code != 0 {
		t.Fatalf("an empty variable in the environment did not override .env: code %d, stderr %q", code, errOut)
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
		code, _, errOut := runMain(dir, c.vars, "", c.cmd)
		if code != 1 || !strings.Contains(errOut, name) {
			t.Errorf("%s: exit %d, stderr %q", name, code, errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, "unionhall.db")); err == nil {
			t.Errorf("%s: the database was created before the mistake was found", name)
		}
	}
}

// TestServiceWithoutPlatformSaysWhy runs the bot as systemd does (no
// terminal, INVOCATION_ID set) with no platform token: it must fail with a
// sentence that says what to set, not start a console that reads nothing
// and stops as if all were well.
func TestServiceWithoutPlatformSaysWhy(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runMain(dir, map[string]string{"INVOCATION_ID": "0123456789abcdef"}, "", "run")
	if code == 0 || !strings.Contains(errOut, "no platform is configured") || !strings.Contains(errOut, "SLACK_BOT_TOKEN") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "unionhall.db")); err == nil {
		t.Error("the database was created although the bot could not start")
	}
	// In a terminal session the same settings start the console.
	if code, out, errOut := runMain(dir, nil, "/help\n", "run"); code != 0 || !strings.Contains(out, "/poll") {
		t.Fatalf("console: exit %d, %q, %q", code, out, errOut)
	}
}

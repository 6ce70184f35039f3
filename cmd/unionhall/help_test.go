package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEverySubcommandHasHelp checks that -h and --help work on every
// subcommand and on the program itself, print that command's usage,
// exit 0 and do nothing else (no database is created).
func TestEverySubcommandHasHelp(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {"run", "--help"}, {"console", "-h"}, {"ask", "--help"},
		{"faq", "--help"}, {"faq", "eval", "--help"}, {"faq", "train", "-h"}, {"remind-accuracy", "--help"},
		{"slack-manifest", "--help"}, {"version", "--help"}, {"backup", "--help"}, {"restore", "-h"},
	} {
		code, out, errOut := runMain(dir, nil, "", args...)
		name := args[0]
		switch {
		case strings.HasPrefix(name, "-") || name == "help":
			name = "" // the whole usage
		case name == "run":
			name = "[run]"
		}
		if code != 0 || errOut != "" || !strings.Contains(out, "unionhall "+name) || !strings.Contains(out, "Usage:") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if code, out, _ := runMain(dir, nil, "", "version"); code != 0 || !strings.HasPrefix(out, "unionhall ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.db*")); len(files) != 0 {
		t.Errorf("asking for help created %v", files)
	}
}

// TestEnvExampleKeepsTheConsoleQuiet checks that a .env copied from
// .env.example, as the README suggests, starts the console without log
// lines in the conversation.
func TestEnvExampleKeepsTheConsoleQuiet(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".env"), example, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, out, errOut := runMain(dir, nil, "/help\n", "console")
	if code != 0 || !strings.Contains(out, "/help") || errOut != "" {
		t.Errorf("console with .env.example: exit %d, stderr %q", code, errOut)
	}
}

// TestHelpListsEveryCommand checks that "unionhall help" gives each
// subcommand one line, that "unionhall help NAME" gives that command's
// usage, and that an unknown command is refused with the list.
func TestHelpListsEveryCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := runMain(dir, nil, "", "help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	for _, c := range subcommands() {
		n := 0
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "  "+c.name+" ") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("help lists %q on %d lines:\n%s", c.name, n, out)
		}
	}
	if code, out, _ := runMain(dir, nil, "", "help", "console"); code != 0 || !strings.Contains(out, "unionhall console [--json]") {
		t.Errorf("help console: exit %d, %q", code, out)
	}
	if code, _, errOut := runMain(dir, nil, "", "help", "nonsense"); code != 1 || !strings.Contains(errOut, `no command "nonsense"`) {
		t.Errorf("help nonsense: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runMain(dir, nil, "", "nonsense"); code != 2 || !strings.Contains(errOut, `unknown command "nonsense"`) || !strings.Contains(errOut, "  console ") {
		t.Errorf("nonsense: exit %d, %q", code, errOut)
	}
}

package main

import (
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
		{"slack-manifest", "--help"}, {"version", "--help"},
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

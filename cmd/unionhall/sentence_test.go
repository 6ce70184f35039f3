package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigurationErrorsAreSentences checks that a configuration error
// the program stops with ends in a full stop, names the setting, and is
// found before the database is created.
func TestConfigurationErrorsAreSentences(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runMain(dir, map[string]string{"UNIONHALL_TIMEZONE": "Mars/Olympus"}, "", "console")
	if code != 1 || !strings.HasPrefix(errOut, "unionhall: UNIONHALL_TIMEZONE: ") || !strings.HasSuffix(errOut, ").\n") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	if code, _, errOut := runMain(dir, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "", "run"); code != 1 || !strings.HasSuffix(errOut, " is.\n") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.db*")); len(files) != 0 {
		t.Errorf("a configuration error left %v", files)
	}
}

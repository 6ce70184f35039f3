package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// TestConsoleOnPostgreSQL runs the bot on PostgreSQL, selected by a
// postgres:// UNIONHALL_DB, across a restart: a poll opened and voted in
// one run is there, with its vote, in the next, and no SQLite file is
// created.
func TestConsoleOnPostgreSQL(t *testing.T) {
	url := pgtest.Fresh(t)
	dir := t.TempDir()
	vars := map[string]string{"UNIONHALL_DB": url, "UNIONHALL_STEWARDS": "console:alice"}
	lines := runConsole(t, dir, vars, `alice> /poll "Ratify?" "Yes" "No"`, `bob> /vote 1 yes`)
	if len(lines) < 2 || !strings.Contains(lines[len(lines)-1].Text+lines[1].Text, "recorded") {
		t.Fatalf("first run: replies %+v", lines)
	}
	lines = runConsole(t, dir, vars, "alice> /poll results 1")
	if len(lines) != 1 || lines[0].Poll == nil || lines[0].Poll.Total == nil || *lines[0].Poll.Total != 1 {
		t.Fatalf("after a restart: replies %+v", lines)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.db*")); len(files) != 0 {
		t.Errorf("a SQLite file was created beside a PostgreSQL URL: %v", files)
	}
}

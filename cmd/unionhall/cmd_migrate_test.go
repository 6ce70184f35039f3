package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// TestMigrateCommand moves a console installation to PostgreSQL: the poll
// and vote recorded on SQLite are there when the bot runs on the
// PostgreSQL URL, and a second copy into the same database is refused.
func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "unionhall.db")
	runConsole(t, dir, map[string]string{"UNIONHALL_DB": file, "UNIONHALL_STEWARDS": "console:alice"},
		`alice> /poll "Ratify?" "Yes" "No"`, `bob> /vote 1 yes`)
	if code, _, errOut := runMain(dir, nil, "", "migrate", "--from", file); code != 1 || !strings.Contains(errOut, "--to") {
		t.Fatalf("without --to: exit %d, stderr %q", code, errOut)
	}
	url := pgtest.Fresh(t)
	code, out, errOut := runMain(dir, nil, "", "migrate", "--from", file, "--to", url)
	if code != 0 || !strings.Contains(out, "poll_ballots") || !strings.Contains(out, "Copied") {
		t.Fatalf("migrate: exit %d, out %q, stderr %q", code, out, errOut)
	}
	lines := runConsole(t, dir, map[string]string{"UNIONHALL_DB": url, "UNIONHALL_STEWARDS": "console:alice"}, "alice> /poll results 1")
	if len(lines) != 1 || lines[0].Poll == nil || lines[0].Poll.Total == nil || *lines[0].Poll.Total != 1 {
		t.Fatalf("on PostgreSQL after the copy: replies %+v", lines)
	}
	if code, _, errOut := runMain(dir, nil, "", "migrate", "--from", file, "--to", url); code != 1 || !strings.Contains(errOut, "already holds Union Hall data") {
		t.Fatalf("second copy: exit %d, stderr %q", code, errOut)
	}
}

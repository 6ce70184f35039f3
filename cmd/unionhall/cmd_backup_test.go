package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/console"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

func TestBackupAndRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"UNIONHALL_STEWARDS": "console:alice"}
	runConsole(t, dir, vars, `alice> /poll "Before the backup?" "Yes" "No"`)
	saved := filepath.Join(dir, "saved.db")
	if code, out, errOut := runMain(dir, vars, "", "backup", saved); code != 0 || !strings.Contains(out, "Backed up") {
		t.Fatalf("backup: exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := runMain(dir, vars, "", "backup", saved); code == 0 || !strings.Contains(errOut, "file exists") {
		t.Errorf("backup over an existing file: exit %d, %q", code, errOut)
	}
	runConsole(t, dir, vars, `alice> /poll "After the backup?" "Yes" "No"`)

	// While a bot runs on the database, restore refuses.
	a := testApp(t, dir, vars, bottest.DiscardLogger(), bot.SystemClock{})
	if code, _, errOut := runMain(dir, vars, "", "restore", saved); code == 0 || !strings.Contains(errOut, "Union Hall is running on it") {
		t.Errorf("restore while running: exit %d, %q", code, errOut)
	}
	a.Close()

	code, out, errOut := runMain(dir, vars, "", "restore", saved)
	if code != 0 || !strings.Contains(out, "unionhall.db.before-restore") {
		t.Fatalf("restore: exit %d, %q %q", code, out, errOut)
	}
	lines := runConsole(t, dir, vars, "/poll list")
	if got := lines[0].Text; !strings.Contains(got, "Before the backup?") || strings.Contains(got, "After the backup?") {
		t.Errorf("after the restore, /poll list: %s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "unionhall.db.before-restore")); err != nil {
		t.Errorf("the replaced database is not kept: %v", err)
	}

	pg := map[string]string{"UNIONHALL_DB": "postgres://127.0.0.1:1/none"}
	for _, cmd := range []string{"backup", "restore"} {
		if code, _, errOut := runMain(dir, pg, "", cmd, saved); code == 0 || !strings.Contains(errOut, "pg_dump") {
			t.Errorf("%s on PostgreSQL: exit %d, %q", cmd, code, errOut)
		}
	}
}

func TestDailyBackupsFromSettings(t *testing.T) {
	dir := t.TempDir()
	backups := filepath.Join(dir, "backups")
	vars := map[string]string{"UNIONHALL_BACKUP_DIR": backups}
	a := testApp(t, dir, vars, bottest.DiscardLogger(), bot.SystemClock{})
	// The console's input stays open, so the bot runs until the test
	// has seen the day's backup, made at start-up.
	in, hold := io.Pipe()
	defer hold.Close()
	bottest.Start(t, func(ctx context.Context) error { return a.serve(ctx, console.New(in, io.Discard, console.Options{})) })
	bottest.WaitFor(t, "the day's backup", func() bool {
		files, _ := filepath.Glob(filepath.Join(backups, "unionhall-*.db"))
		return len(files) == 1
	})

	for keep, wantErr := range map[string]bool{"0": true, "many": true, "12": false} {
		vars["UNIONHALL_BACKUP_KEEP"] = keep
		code, _, errOut := runMain(dir, vars, "", "console")
		if (code != 0) != wantErr || wantErr && !strings.Contains(errOut, "UNIONHALL_BACKUP_KEEP") {
			t.Errorf("UNIONHALL_BACKUP_KEEP=%s: exit %d, %q", keep, code, errOut)
		}
	}
	pg := map[string]string{"UNIONHALL_DB": "postgres://127.0.0.1:1/none", "UNIONHALL_BACKUP_DIR": backups}
	if code, _, errOut := runMain(dir, pg, "", "console"); code == 0 || !strings.Contains(errOut, "UNIONHALL_BACKUP_DIR") || !strings.Contains(errOut, "pg_dump") {
		t.Errorf("daily backups of PostgreSQL: exit %d, %q", code, errOut)
	}
}

package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/store/sqlite"
)

func TestMigrationsRunOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	for i := 0; i < 2; i++ {
		db, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version %d, %v", v, err)
		}
		files, _ := filepath.Glob("migrations/*.sql")
		if n != len(files) {
			// every embedded migration is applied exactly once
			t.Fatalf("%d migration rows for %d migration files", n, len(files))
		}
		var mode string
		if err := db.Reader().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal mode %q, %v", mode, err)
		}
		db.Close()
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = sqlite.Open(ctx, path, nil)
	if err == nil || !strings.Contains(err.Error(), "newer version") {
		t.Fatalf("want newer-version error, got %v", err)
	}
}

func TestUnwritableAndLocked(t *testing.T) {
	ctx := context.Background()
	_, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "missing-dir", "u.db"), nil)
	if err == nil || !strings.Contains(err.Error(), "cannot be opened") {
		t.Fatalf("missing directory: got %v", err)
	}
	if os.Geteuid() != 0 { // root ignores file permissions
		dir := t.TempDir()
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		if _, err := sqlite.Open(ctx, filepath.Join(dir, "u.db"), nil); err == nil {
			t.Fatal("read-only directory accepted")
		}
	}
	notDB := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 200)), 0o600)
	if _, err := sqlite.Open(ctx, notDB, nil); err == nil || !strings.Contains(err.Error(), "not a Union Hall database") {
		t.Fatalf("non-database file: got %v", err)
	}

	path := filepath.Join(t.TempDir(), "locked.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE; CREATE TABLE t(x);`); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Open(ctx, path, nil)
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("locked database: got %v", err)
	}
	conn.ExecContext(ctx, `ROLLBACK`)
	conn.Close()
}

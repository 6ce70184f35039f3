package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/store"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
	"github.com/unionhall/unionhall/store/sqlite"
)

// TestOldBinaryRefusesANewerSchema runs "unionhall console" on a SQLite
// file and on a PostgreSQL database that a newer version of Union Hall
// brought to schema 9999: it exits at once with one sentence that names
// the schema found, the newest this binary knows, and what to do, before
// it reads any input or answers anything.
func TestOldBinaryRefusesANewerSchema(t *testing.T) {
	ctx := context.Background()
	newer := func(t *testing.T, dsn string) {
		t.Helper()
		code, out, errOut := runMain(t.TempDir(), map[string]string{"UNIONHALL_DB": dsn}, "/help\n", "console")
		_, known, err := inspectDatabase(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("was written by a newer version of Union Hall (schema 9999; this binary knows schemas up to %d): upgrade this binary to that version or a later one, or set UNIONHALL_DB to another database.\n", store.LatestVersion(known))
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "unionhall: ") || !strings.HasSuffix(errOut, want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and the one line ending %q", code, out, errOut, want)
		}
	}

	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "unionhall.db")
		db, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x')`)
			return err
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		newer(t, path)
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.Fresh(t)
		db, err := postgres.Open(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		pgtest.MarkNewer(t, url)
		newer(t, url)
	})
}

// inspectDatabase reads the schema version of the database dsn names and
// the migrations this binary knows, whichever its engine.
func inspectDatabase(ctx context.Context, dsn string) (int, []store.Migration, error) {
	if isPostgresURL(dsn) {
		return postgres.Inspect(ctx, dsn)
	}
	return sqlite.Inspect(ctx, dsn)
}

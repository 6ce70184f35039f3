package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/unionhall/unionhall/store"
)

// Inspect reads, without changing anything, the schema version of the
// existing database at filePath (0 when no migration was ever applied)
// and the latest one this version of Union Hall knows, so that a check
// can tell whether Open would upgrade it or refuse it as newer. It opens
// the file read-only and never creates it.
func Inspect(ctx context.Context, filePath string) (applied, latest int, err error) {
	migs, err := store.Migrations(migrationFS, "migrations")
	if err != nil {
		return 0, 0, err
	}
	if len(migs) > 0 {
		latest = migs[len(migs)-1].Version
	}
	db, err := sql.Open("sqlite3", dsn(filePath, true))
	if err != nil {
		return 0, latest, fmt.Errorf("open database %s: %w", filePath, err)
	}
	defer db.Close()
	var v sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return 0, latest, nil
	}
	if err != nil {
		return 0, latest, describe(filePath, err)
	}
	return int(v.Int64), latest, nil
}

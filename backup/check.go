package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/unionhall/unionhall/store/sqlite"
)

// ErrNotUnionHall is returned for a file that is not a Union Hall SQLite
// database, or one this version cannot use.
var ErrNotUnionHall = errors.New("not a Union Hall database this version can use")

// Check reports whether the file at path is an intact Union Hall SQLite
// database at a schema version this version of Union Hall knows (an older
// one is upgraded when the bot opens it). It returns the file's version.
func Check(ctx context.Context, path string) (int, error) {
	if st, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("check %s: %w", path, err)
	} else if !st.Mode().IsRegular() {
		return 0, fmt.Errorf("check %s: %w: not a regular file", path, ErrNotUnionHall)
	}
	db, err := sql.Open("sqlite3", dsn(path, "ro"))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var ok string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&ok); err != nil || ok != "ok" {
		return 0, fmt.Errorf("check %s: %w: SQLite finds it damaged or not a database (%v%s)", path, ErrNotUnionHall, err, ok)
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil || !v.Valid {
		return 0, fmt.Errorf("check %s: %w: it has no Union Hall schema", path, ErrNotUnionHall)
	}
	known, err := sqlite.KnownVersion()
	if err != nil {
		return 0, err
	}
	if int(v.Int64) > known {
		return 0, fmt.Errorf("check %s: %w: its schema %d is newer than this version's %d (upgrade Union Hall first)", path, ErrNotUnionHall, v.Int64, known)
	}
	return int(v.Int64), nil
}

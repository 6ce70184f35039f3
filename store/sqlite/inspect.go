package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/unionhall/unionhall/store"
)

// Inspect reads, without changing anything, the schema version of the
// existing database at filePath (0 when no migration was ever applied)
// and the migrations this version of Union Hall knows, so that a check
// can tell whether Open would upgrade it or refuse it as newer. It opens
// the file read-only and never creates it.
func Inspect(ctx context.Context, filePath string) (applied int, known []store.Migration, err error) {
	known, err = store.Migrations(migrationFS, "migrations")
	if err != nil {
		return 0, nil, err
	}
	// Read-only, and without dsn's journal mode, which would be a write
	// on a file that is not in WAL mode yet.
	q := url.Values{"mode": {"ro"}, "_query_only": {"on"}, "_busy_timeout": {strconv.Itoa(int(BusyTimeout / time.Millisecond))}}
	db, err := sql.Open("sqlite3", "file:"+filePath+"?"+q.Encode())
	if err != nil {
		return 0, known, fmt.Errorf("open database %s: %w", filePath, err)
	}
	defer db.Close()
	var v sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return 0, known, nil
	}
	if err != nil {
		return 0, known, describe(filePath, err)
	}
	return int(v.Int64), known, nil
}

// Package sqlite implements Union Hall's Store interfaces on SQLite.
//
// One DB value holds two connection pools on the same file: a single
// writer connection, so writes never contend for SQLite's lock inside the
// process, and a pool of read-only connections that WAL lets run beside
// it. Migrations are embedded and applied in order at Open, each recorded
// so it runs once.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// BusyTimeout is how long a connection waits for a lock held by another
// process before giving up.
const BusyTimeout = 5 * time.Second

// DB is an open Union Hall database.
type DB struct {
	// Path is the database file path, or ":memory:"-style names are not
	// supported: use a file in a temporary directory for tests.
	Path string
	// Clock is where timestamps come from.
	Clock bot.Clock

	write *sql.DB
	read  *sql.DB
}

// Open opens (creating if needed) the database at path and applies pending
// migrations. It returns a clear error when the file cannot be written, is
// locked by another process for longer than BusyTimeout, or was written by
// a newer version of Union Hall.
func Open(ctx context.Context, filePath string, clock bot.Clock) (*DB, error) {
	if clock == nil {
		clock = bot.SystemClock{}
	}
	db := &DB{Path: filePath, Clock: clock}
	var err error
	if db.write, err = sql.Open("sqlite3", dsn(filePath, false)); err != nil {
		return nil, fmt.Errorf("open database %s: %w", filePath, err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	if err := db.write.PingContext(ctx); err != nil {
		db.write.Close()
		return nil, describe(filePath, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.write.Close()
		return nil, err
	}
	if db.read, err = sql.Open("sqlite3", dsn(filePath, true)); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", filePath, err)
	}
	db.read.SetMaxOpenConns(4)
	return db, nil
}

func dsn(filePath string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.Itoa(int(BusyTimeout/time.Millisecond)))
	q.Set("_synchronous", "FULL")
	if readOnly {
		q.Set("mode", "ro")
		q.Set("_query_only", "on")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + filePath + "?" + q.Encode()
}

// describe turns SQLite's terse errors into ones an operator can act on.
func describe(filePath string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrCantOpen, sqlite3.ErrReadonly, sqlite3.ErrPerm:
			return fmt.Errorf("database %s cannot be opened for writing (check the path exists and is writable, or set UNIONHALL_DB): %w", filePath, err)
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("database %s is locked by another process (is another Union Hall running on it?): %w", filePath, err)
		case sqlite3.ErrNotADB, sqlite3.ErrCorrupt:
			return fmt.Errorf("%s is not a Union Hall database or is damaged: %w", filePath, err)
		}
	}
	return fmt.Errorf("database %s: %w", filePath, err)
}

// Close closes both connection pools.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Write runs fn in one write transaction (BEGIN IMMEDIATE) and commits it
// when fn returns nil. It is the only way to change the database.
func (db *DB) Write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return describe(db.Path, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return describe(db.Path, err)
	}
	return nil
}

// Stores returns every store on db.
func (db *DB) Stores() store.Stores {
	ps := NewPollStore(db)
	return store.Stores{Polls: ps, FAQ: db.FAQ(), Reminders: NewReminderStore(db), Cards: NewCardLocations(db), Settings: db,
		Roster: ps, Nudges: ps}
}

// Reader returns the read-only pool for queries.
func (db *DB) Reader() *sql.DB { return db.read }

// Now returns the clock's time in UTC, truncated to the second that the
// database stores.
func (db *DB) Now() time.Time { return db.Clock.Now().UTC() }

// migrate applies every embedded migration not yet recorded, in version
// order, each in its own transaction with its record.
func (db *DB) migrate(ctx context.Context) error {
	migs, err := store.Migrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return describe(db.Path, fmt.Errorf("create migrations table: %w", err))
	}
	applied := map[int]bool{}
	rows, err := db.write.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return describe(db.Path, fmt.Errorf("read applied migrations: %w", err))
	}
	maxApplied := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("read applied migrations: %w", err)
		}
		applied[v] = true
		maxApplied = max(maxApplied, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read applied migrations: %w", err)
	}
	if err := store.CheckNotNewer("database "+db.Path, maxApplied, migs); err != nil {
		return err
	}
	for _, m := range migs {
		if applied[m.Version] {
			continue
		}
		err := db.Write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, db.Now().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return describe(db.Path, fmt.Errorf("apply migration %s: %w", m.Name, err))
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration version.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

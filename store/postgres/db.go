// Package postgres implements Union Hall's Store interfaces on
// PostgreSQL, with the same behaviour as store/sqlite (both pass the
// conformance suite in store/storetest), for installations that run
// several Union Hall processes on one database or already run PostgreSQL.
//
// A DB holds a pgxpool connection pool. Transactions run at READ
// COMMITTED, PostgreSQL's default, and every rule that several processes
// could race on is kept by the database itself rather than by this
// process: a primary key (one ballot per member and poll, one delivery per
// reminder occurrence and platform), a conditional UPDATE whose WHERE
// clause names the state it moves from (closing a poll, claiming a retry
// or a result post: PostgreSQL re-checks the clause on the latest row
// version after waiting for a concurrent writer, so exactly one caller
// moves the row), or a row lock taken before a decision is made (a vote
// locks its poll, a claim its reminders). Each method says which it uses.
//
// Migrations are embedded and applied in order at Open, each recorded so
// it runs once, under an advisory lock so that processes starting
// together do not apply them twice.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLock is the key of the session advisory lock held while
// migrations are applied ("UnionHal" in ASCII), so that processes starting
// together apply each migration once.
const migrationLock int64 = 0x556e696f6e48616c

// editConns is how many card edits (EditCardRevision) one process runs at
// once; more wait for a connection.
const editConns = 4

// DB is an open Union Hall database on PostgreSQL.
type DB struct {
	// Clock is where timestamps come from.
	Clock bot.Clock

	pool *pgxpool.Pool
	// connConfig makes the connections that hold a role (TryLead).
	connConfig *pgx.ConnConfig
	edits      *pgxpool.Pool // card edits' transactions, which last as long as an edit
	where      string        // the server and database, for messages; never the password
}

// Open connects to the PostgreSQL database at url (postgres://user:
// password@host:port/database, with any of libpq's parameters, and
// pgxpool's such as pool_max_conns) and applies pending migrations. It
// returns a clear error, which never includes the password, when the URL
// cannot be read, the server cannot be reached or refuses the user, the
// database does not exist, or a newer version of Union Hall wrote it.
func Open(ctx context.Context, url string, clock bot.Clock) (*DB, error) {
	if clock == nil {
		clock = bot.SystemClock{}
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx masks the password in what it quotes of the URL.
		return nil, fmt.Errorf("the PostgreSQL URL cannot be read (the form is postgres://user:password@host:port/database): %w", err)
	}
	db := &DB{Clock: clock, where: where(cfg.ConnConfig), connConfig: cfg.ConnConfig}
	if err := db.migrate(ctx, cfg.ConnConfig); err != nil {
		return nil, err
	}
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, db.describe(err)
	}
	if err := db.pool.Ping(ctx); err != nil {
		db.pool.Close()
		return nil, db.describe(err)
	}
	editCfg := cfg.Copy()
	editCfg.MaxConns, editCfg.MinConns = editConns, 0
	if db.edits, err = pgxpool.NewWithConfig(ctx, editCfg); err != nil {
		db.pool.Close()
		return nil, db.describe(err)
	}
	return db, nil
}

// where names the server, database and user of a configuration.
func where(c *pgx.ConnConfig) string {
	return fmt.Sprintf("database %s on PostgreSQL at %s as user %s", c.Database, net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))), c.User)
}

// describe turns connection errors into ones an operator can act on.
func (db *DB) describe(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return fmt.Errorf("%s: the server refused the user (check the user and password in UNIONHALL_DB): %w", db.where, err)
		case "3D000": // invalid_catalog_name
			return fmt.Errorf("%s: the database does not exist (create it, or correct UNIONHALL_DB): %w", db.where, err)
		}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return fmt.Errorf("%s cannot be reached (is the server running, and does UNIONHALL_DB name it?): %w", db.where, err)
	}
	return fmt.Errorf("%s: %w", db.where, err)
}

// Close closes the connection pools.
func (db *DB) Close() error {
	db.edits.Close()
	db.pool.Close()
	return nil
}

// Stores returns every store on db.
func (db *DB) Stores() store.Stores {
	ps := NewPollStore(db)
	return store.Stores{Polls: ps, FAQ: db.FAQ(), Reminders: NewReminderStore(db), Cards: NewCardLocations(db), Settings: db,
		Deliveries: db, Leadership: db, Roster: ps, Nudges: ps, Wakeups: db}
}

// Pool returns the connection pool, for tools and tests that read the
// tables directly.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Now returns the clock's time in UTC.
func (db *DB) Now() time.Time { return db.Clock.Now().UTC() }

// tx runs fn in one transaction at READ COMMITTED and commits it when fn
// returns nil; otherwise it rolls back and returns fn's error as it is.
func (db *DB) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// migrate applies every embedded migration not yet recorded, in version
// order, each in its own transaction with its record. It runs on a
// connection of its own that holds the migration advisory lock
// throughout: a second process starting meanwhile waits, then finds the
// migrations recorded. Closing the connection releases the lock, whatever
// happened.
func (db *DB) migrate(ctx context.Context, cfg *pgx.ConnConfig) error {
	migs, err := store.Migrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return db.describe(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return db.describe(fmt.Errorf("wait for other processes' migrations: %w", err))
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL)`); err != nil {
		return db.describe(fmt.Errorf("create migrations table: %w", err))
	}
	rows, _ := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return db.describe(fmt.Errorf("read applied migrations: %w", err))
	}
	applied := map[int]bool{}
	newest := 0
	for _, v := range versions {
		applied[int(v)] = true
		newest = max(newest, int(v))
	}
	if err := store.CheckNotNewer(db.where, newest, migs); err != nil {
		return err
	}
	for _, m := range migs {
		if applied[m.Version] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.Version, m.Name, db.Now())
			return err
		})
		if err != nil {
			return db.describe(fmt.Errorf("apply migration %s: %w", m.Name, err))
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration version.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v *int32
	if err := db.pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if v == nil {
		return 0, nil
	}
	return int(*v), nil
}

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
// together do not apply them twice, and never while a process built for
// the schema they replace still runs (see schemaLockClass).
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

// schemaLockClass is the first key of the session advisory locks by
// which running processes say which schema they were built for ("UnHS" in
// ASCII); the second is that schema's version. Each process holds its
// own shared, on a connection of its own, for as long as it runs. A
// process that is about to upgrade the schema first takes the lock of the
// schema it finds, exclusively, without waiting: it gets it only when no
// process built for that schema is running.
const schemaLockClass int32 = 0x556e4853

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
	// schema holds the shared lock of the schema this process was built
	// for (schemaLockClass) until Close.
	schema *pgx.Conn
}

// Open connects to the PostgreSQL database at url (postgres://user:
// password@host:port/database, with any of libpq's parameters, and
// pgxpool's such as pool_max_conns) and applies pending migrations. It
// returns a clear error, which never includes the password, when the URL
// cannot be read, the server cannot be reached or refuses the user, the
// database does not exist, a newer version of Union Hall wrote it, or this
// version would upgrade its schema while a process of an earlier version
// runs on it. The DB holds one connection of its own until Close, which
// tells later versions that a process of this one runs.
func Open(ctx context.Context, url string, clock bot.Clock) (*DB, error) {
	if clock == nil {
		clock = bot.SystemClock{}
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx masks the password in what it quotes of the URL.
		return nil, fmt.Errorf("the PostgreSQL URL cannot be read (the form is postgres://user:password@host:port/database): %w", err)
	}
	migs, err := store.Migrations(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	return open(ctx, cfg, clock, migs)
}

// open is Open with the migrations to apply given.
func open(ctx context.Context, cfg *pgxpool.Config, clock bot.Clock, migs []store.Migration) (*DB, error) {
	db := &DB{Clock: clock, where: where(cfg.ConnConfig), connConfig: cfg.ConnConfig}
	var err error
	if db.schema, err = db.migrate(ctx, cfg.ConnConfig, migs); err != nil {
		return nil, err
	}
	closeSchema := func() { db.schema.Close(context.WithoutCancel(ctx)) }
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		closeSchema()
		return nil, db.describe(err)
	}
	if err := db.pool.Ping(ctx); err != nil {
		db.pool.Close()
		closeSchema()
		return nil, db.describe(err)
	}
	editCfg := cfg.Copy()
	editCfg.MaxConns, editCfg.MinConns = editConns, 0
	if db.edits, err = pgxpool.NewWithConfig(ctx, editCfg); err != nil {
		db.pool.Close()
		closeSchema()
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

// Close closes the connection pools, and the connection that says which
// schema this process was built for.
func (db *DB) Close() error {
	db.edits.Close()
	db.pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The server releases a session's locks only when its backend ends,
	// a moment after the connection closes; releasing the schema lock
	// first means a newer version started right after Close finds it
	// free. A failure here is not fatal: closing releases it anyway.
	_, _ = db.schema.Exec(ctx, `SELECT pg_advisory_unlock_all()`)
	if err := db.schema.Close(ctx); err != nil {
		return fmt.Errorf("close %s: %w", db.where, err)
	}
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

// migrate applies every migration of migs not yet recorded, in version
// order, each in its own transaction with its record, and returns the
// connection it ran on, which then holds the shared lock of the schema
// this process was built for (see schemaLockClass) until it is closed.
// Throughout, that connection holds the migration advisory lock: a second
// process starting meanwhile waits, then finds the migrations recorded.
// Before it upgrades a schema that others have used, it makes sure no
// process built for that schema is still running: that one would go on
// reading and writing the tables as it knows them.
func (db *DB) migrate(ctx context.Context, cfg *pgx.ConnConfig, migs []store.Migration) (schema *pgx.Conn, err error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, db.describe(err)
	}
	defer func() {
		if err != nil {
			// Closing the session releases its locks, whatever happened.
			conn.Close(context.WithoutCancel(ctx))
		}
	}()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return nil, db.describe(fmt.Errorf("wait for other processes' migrations: %w", err))
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL)`); err != nil {
		return nil, db.describe(fmt.Errorf("create migrations table: %w", err))
	}
	rows, _ := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, db.describe(fmt.Errorf("read applied migrations: %w", err))
	}
	applied := map[int]bool{}
	newest := 0
	for _, v := range versions {
		applied[int(v)] = true
		newest = max(newest, int(v))
	}
	if err := store.CheckNotNewer(db.where, newest, migs); err != nil {
		return nil, err
	}
	latest := store.LatestVersion(migs)
	if newest > 0 && newest < latest {
		if err := db.checkNoOlderProcess(ctx, conn, newest, latest); err != nil {
			return nil, err
		}
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
			return nil, db.describe(fmt.Errorf("apply migration %s: %w", m.Name, err))
		}
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock_shared($1, $2), pg_advisory_unlock($3)`, schemaLockClass, latest, migrationLock); err != nil {
		return nil, db.describe(fmt.Errorf("say which schema this process uses: %w", err))
	}
	return conn, nil
}

// checkNoOlderProcess returns an error, which says what to do, when a
// process built for schema found (older than latest, the one this
// process brings the database to) still runs on the database. It takes
// that schema's lock exclusively on conn, and gives it up again: the
// migration lock conn holds keeps such a process from starting until the
// upgrade is done, after which it refuses the newer schema.
func (db *DB) checkNoOlderProcess(ctx context.Context, conn *pgx.Conn, found, latest int) error {
	var free bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, schemaLockClass, found).Scan(&free); err != nil {
		return db.describe(fmt.Errorf("look for processes built for schema %d: %w", found, err))
	}
	if !free {
		return fmt.Errorf("%s is in use by a process of an earlier version of Union Hall (schema %d), which would not understand the schema this binary brings it to (%d): stop every process of the earlier version, then start this one (see \"Upgrading several processes\" in docs/scaling.md)", db.where, found, latest)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, schemaLockClass, found); err != nil {
		return db.describe(fmt.Errorf("release the lock of schema %d: %w", found, err))
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

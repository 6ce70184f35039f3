package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/sqlite"
)

// isPostgresURL reports whether UNIONHALL_DB names a PostgreSQL database
// rather than a SQLite file.
func isPostgresURL(dsn string) bool {
	lower := strings.ToLower(strings.TrimSpace(dsn))
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// database is an open database: every feature's store, and what the
// operations endpoints ask of it.
type database struct {
	stores store.Stores
	// close closes the database.
	close func() error
	// ping checks that the database answers.
	ping func(ctx context.Context) error
	// openPolls counts the polls not yet closed.
	openPolls func(ctx context.Context) (int, error)
}

// openPollsQuery counts the polls not yet closed, on either engine.
const openPollsQuery = "SELECT count(*) FROM polls WHERE closed_at IS NULL"

// openStore opens the database UNIONHALL_DB names: PostgreSQL for a
// postgres:// or postgresql:// URL, otherwise a SQLite file. It returns
// every feature's store and the function that closes the database.
func openStore(ctx context.Context, dsn string, clock bot.Clock) (store.Stores, func() error, error) {
	db, err := openDatabase(ctx, dsn, clock)
	if err != nil {
		return store.Stores{}, nil, err
	}
	return db.stores, db.close, nil
}

// openDatabase opens the database as openStore does.
func openDatabase(ctx context.Context, dsn string, clock bot.Clock) (database, error) {
	if isPostgresURL(dsn) {
		db, err := postgres.Open(ctx, dsn, clock)
		if err != nil {
			return database{}, fmt.Errorf("UNIONHALL_DB: %w", err)
		}
		return database{
			stores: db.Stores(), close: db.Close, ping: db.Pool().Ping,
			openPolls: func(ctx context.Context) (int, error) { return scanCount(db.Pool().QueryRow(ctx, openPollsQuery)) },
		}, nil
	}
	db, err := sqlite.Open(ctx, dsn, clock)
	if err != nil {
		return database{}, err
	}
	return database{
		stores: db.Stores(), close: db.Close, ping: db.Reader().PingContext,
		openPolls: func(ctx context.Context) (int, error) {
			return scanCount(db.Reader().QueryRowContext(ctx, openPollsQuery))
		},
	}, nil
}

// scanCount reads the one number a count query returns, from either
// engine's row.
func scanCount(row interface{ Scan(dest ...any) error }) (int, error) {
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count open polls: %w", err)
	}
	return n, nil
}

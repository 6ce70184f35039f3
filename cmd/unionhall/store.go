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

// openStore opens the database UNIONHALL_DB names: PostgreSQL for a
// postgres:// or postgresql:// URL, otherwise a SQLite file. It returns
// every feature's store and the function that closes the database.
func openStore(ctx context.Context, dsn string, clock bot.Clock) (store.Stores, func() error, error) {
	if isPostgresURL(dsn) {
		db, err := postgres.Open(ctx, dsn, clock)
		if err != nil {
			return store.Stores{}, nil, fmt.Errorf("UNIONHALL_DB: %w", err)
		}
		return db.Stores(), db.Close, nil
	}
	db, err := sqlite.Open(ctx, dsn, clock)
	if err != nil {
		return store.Stores{}, nil, err
	}
	return db.Stores(), db.Close, nil
}

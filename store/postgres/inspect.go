package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/unionhall/unionhall/store"
)

// Inspect reads, without changing anything, the schema version of the
// database at url (0 when no migration was ever applied) and the
// migrations this version of Union Hall knows, so that a check can tell
// whether Open would upgrade it or refuse it as newer. Its errors are
// Open's.
func Inspect(ctx context.Context, url string) (applied int, known []store.Migration, err error) {
	known, err = store.Migrations(migrationFS, "migrations")
	if err != nil {
		return 0, nil, err
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return 0, known, fmt.Errorf("the PostgreSQL URL cannot be read (the form is postgres://user:password@host:port/database): %w", err)
	}
	db := &DB{where: where(cfg)}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return 0, known, db.describe(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var v *int32
	err = conn.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "42P01" { // undefined_table
		return 0, known, nil
	}
	if err != nil {
		return 0, known, db.describe(fmt.Errorf("read schema version: %w", err))
	}
	if v == nil {
		return 0, known, nil
	}
	return int(*v), known, nil
}

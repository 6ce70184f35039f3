package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// collect reads every row with scan, which fills in one value from a row,
// and closes rows. A query's error comes back from here: pgx reports it
// through rows.
func collect[T any](rows pgx.Rows, scan func(row pgx.CollectableRow, v *T) error) ([]T, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) {
		var v T
		err := scan(row, &v)
		return v, err
	})
}

// querier is the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// queryAll runs query with q and reads every row with scan, in order. An
// error says what was being read.
func queryAll[T any](ctx context.Context, q querier, what string, scan func(row pgx.CollectableRow, v *T) error, query string, args ...any) ([]T, error) {
	rows, _ := q.Query(ctx, query, args...)
	vs, err := collect(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return vs, nil
}

// exec runs one statement, in a transaction of its own, and returns how
// many rows it changed. An error says what was being written.
func (db *DB) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	tag, err := db.pool.Exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return tag.RowsAffected(), nil
}

package postgres

import "github.com/jackc/pgx/v5"

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

package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// rosterSQL is the roster's statements in PostgreSQL's SQL; store.Roster,
// embedded in PollStore, makes them polls.RosterStore.
type rosterSQL struct{ db *DB }

// WriteRoster implements store.RosterEngine.
func (r rosterSQL) WriteRoster(ctx context.Context, entries []polls.RosterEntry) error {
	return r.db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM roster`); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"roster"}, []string{"member", "unit", "person"},
			pgx.CopyFromSlice(len(entries), func(i int) ([]any, error) {
				e := entries[i]
				return []any{e.Member, e.Unit, int32(e.Person)}, nil
			}))
		return err
	})
}

// AnyRoster implements store.RosterEngine.
func (r rosterSQL) AnyRoster(ctx context.Context) (ok bool, err error) {
	return ok, r.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM roster)`).Scan(&ok)
}

// UnitOnRoster implements store.RosterEngine.
func (r rosterSQL) UnitOnRoster(ctx context.Context, member string) (unit string, found bool, err error) {
	err = r.db.pool.QueryRow(ctx, `SELECT unit FROM roster WHERE member = $1`, member).Scan(&unit)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return unit, err == nil, err
}

// UnitSizes implements store.RosterEngine.
func (r rosterSQL) UnitSizes(ctx context.Context) ([]store.UnitSize, error) {
	rows, _ := r.db.pool.Query(ctx, `SELECT unit, count(DISTINCT person) FROM roster GROUP BY unit`)
	return collect(rows, func(row pgx.CollectableRow, v *store.UnitSize) error {
		return row.Scan(&v.Unit, &v.People)
	})
}

// MembersOf implements store.RosterEngine.
func (r rosterSQL) MembersOf(ctx context.Context, units []string) ([]string, error) {
	rows, _ := r.db.pool.Query(ctx, `SELECT member FROM roster WHERE coalesce(cardinality($1::text[]), 0) = 0 OR unit = ANY ($1) ORDER BY member COLLATE "C"`, units)
	return collect(rows, func(row pgx.CollectableRow, m *string) error {
		return row.Scan(m)
	})
}

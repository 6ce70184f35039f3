package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// rosterSQL is the roster's statements in SQLite's SQL; store.Roster,
// embedded in PollStore, makes them polls.RosterStore.
type rosterSQL struct{ db *DB }

// WriteRoster implements store.RosterEngine.
func (r rosterSQL) WriteRoster(ctx context.Context, entries []polls.RosterEntry) error {
	return r.db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM roster`); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO roster (member, unit, person) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, e := range entries {
			if _, err := st.ExecContext(ctx, e.Member, e.Unit, e.Person); err != nil {
				return fmt.Errorf("%s: %w", e.Member, err)
			}
		}
		return nil
	})
}

// AnyRoster implements store.RosterEngine.
func (r rosterSQL) AnyRoster(ctx context.Context) (ok bool, err error) {
	return ok, r.db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM roster)`).Scan(&ok)
}

// UnitOnRoster implements store.RosterEngine.
func (r rosterSQL) UnitOnRoster(ctx context.Context, member string) (unit string, found bool, err error) {
	err = r.db.read.QueryRowContext(ctx, `SELECT unit FROM roster WHERE member = ?`, member).Scan(&unit)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return unit, err == nil, err
}

// UnitSizes implements store.RosterEngine.
func (r rosterSQL) UnitSizes(ctx context.Context) ([]store.UnitSize, error) {
	return scanAll(ctx, r.db.read, func(row scanner) (v store.UnitSize, err error) {
		return v, row.Scan(&v.Unit, &v.People)
	}, `SELECT unit, COUNT(DISTINCT person) FROM roster GROUP BY unit`)
}

// MembersOf implements store.RosterEngine.
func (r rosterSQL) MembersOf(ctx context.Context, units []string) ([]string, error) {
	q, args := `SELECT member FROM roster`, []any{}
	if len(units) > 0 {
		q += ` WHERE unit IN (?` + strings.Repeat(`, ?`, len(units)-1) + `)`
		for _, u := range units {
			args = append(args, u)
		}
	}
	return scanAll(ctx, r.db.read, func(row scanner) (m string, err error) {
		return m, row.Scan(&m)
	}, q+` ORDER BY member`, args...)
}

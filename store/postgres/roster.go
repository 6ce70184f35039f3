package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/polls"
)

// PollStore implements polls.RosterStore too: the roster beside the polls.
var _ polls.RosterStore = (*PollStore)(nil)

// ReplaceRoster replaces the roster with entries in one transaction.
func (s *PollStore) ReplaceRoster(ctx context.Context, entries []polls.RosterEntry) error {
	err := s.db.tx(ctx, func(tx pgx.Tx) error {
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
	if err != nil {
		return fmt.Errorf("replace roster: %w", err)
	}
	return nil
}

// HasRoster reports whether the roster has any rows.
func (s *PollStore) HasRoster(ctx context.Context) (bool, error) {
	var ok bool
	if err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM roster)`).Scan(&ok); err != nil {
		return false, fmt.Errorf("read roster: %w", err)
	}
	return ok, nil
}

// RosterUnit returns a member's unit on the roster.
func (s *PollStore) RosterUnit(ctx context.Context, member string) (string, bool, error) {
	var unit string
	err := s.db.pool.QueryRow(ctx, `SELECT unit FROM roster WHERE member = $1`, member).Scan(&unit)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read roster unit of %s: %w", member, err)
	}
	return unit, true, nil
}

// RosterSizes returns the number of people per unit.
func (s *PollStore) RosterSizes(ctx context.Context) (map[string]int, error) {
	type size struct {
		unit string
		n    int
	}
	rows, err := queryAll(ctx, s.db.pool, "read roster sizes", func(row pgx.CollectableRow, v *size) error {
		return row.Scan(&v.unit, &v.n)
	}, `SELECT unit, count(DISTINCT person) FROM roster GROUP BY unit`)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.unit] = r.n
	}
	return out, nil
}

// RosterMembers returns the members of the given units (all when none).
func (s *PollStore) RosterMembers(ctx context.Context, units []string) ([]string, error) {
	return queryAll(ctx, s.db.pool, "read roster members", func(row pgx.CollectableRow, m *string) error {
		return row.Scan(m)
	}, `SELECT member FROM roster WHERE coalesce(cardinality($1::text[]), 0) = 0 OR unit = ANY ($1) ORDER BY member COLLATE "C"`, units)
}

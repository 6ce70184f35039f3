package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/unionhall/unionhall/polls"
)

// PollStore implements polls.RosterStore too: the roster beside the polls.
var _ polls.RosterStore = (*PollStore)(nil)

// ReplaceRoster replaces the roster with entries in one transaction.
func (s *PollStore) ReplaceRoster(ctx context.Context, entries []polls.RosterEntry) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
	if err != nil {
		return fmt.Errorf("replace roster: %w", err)
	}
	return nil
}

// HasRoster reports whether the roster has any rows.
func (s *PollStore) HasRoster(ctx context.Context) (bool, error) {
	var ok bool
	if err := s.db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM roster)`).Scan(&ok); err != nil {
		return false, fmt.Errorf("read roster: %w", err)
	}
	return ok, nil
}

// RosterUnit returns a member's unit on the roster.
func (s *PollStore) RosterUnit(ctx context.Context, member string) (string, bool, error) {
	var unit string
	err := s.db.read.QueryRowContext(ctx, `SELECT unit FROM roster WHERE member = ?`, member).Scan(&unit)
	if errors.Is(err, sql.ErrNoRows) {
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
	rows, err := queryAll(ctx, s.db.read, "read roster sizes", func(row scanner) (v size, err error) {
		return v, row.Scan(&v.unit, &v.n)
	}, `SELECT unit, COUNT(DISTINCT person) FROM roster GROUP BY unit`)
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
	q, args := `SELECT member FROM roster`, []any{}
	if len(units) > 0 {
		q += ` WHERE unit IN (?` + strings.Repeat(`, ?`, len(units)-1) + `)`
		for _, u := range units {
			args = append(args, u)
		}
	}
	return queryAll(ctx, s.db.read, "read roster members", func(row scanner) (m string, err error) {
		return m, row.Scan(&m)
	}, q+` ORDER BY member`, args...)
}

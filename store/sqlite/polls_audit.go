package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// insertAudit is the statement that records one audit entry.
const insertAudit = `INSERT INTO poll_audit (poll_id, at, action, actor, actor_name, detail) VALUES (?, ?, ?, ?, ?, ?)`

// auditArgs are insertAudit's arguments for e.
func auditArgs(e polls.AuditEntry) []any {
	return []any{e.PollID, formatTime(e.At), string(e.Action), e.By, e.ByName, e.Detail}
}

// AddAudit records a steward's action on a poll.
func (s *PollStore) AddAudit(ctx context.Context, e polls.AuditEntry) error {
	_, err := s.db.exec(ctx, "record a poll audit entry", insertAudit, auditArgs(e)...)
	return err
}

// Audit returns a poll's audit entries in the order they were recorded.
func (s *PollStore) Audit(ctx context.Context, id int64) ([]polls.AuditEntry, error) {
	return queryAll(ctx, s.db.read, "read a poll's audit trail", func(row scanner) (polls.AuditEntry, error) {
		var e polls.AuditEntry
		var at, action string
		if err := row.Scan(&e.PollID, &at, &action, &e.By, &e.ByName, &e.Detail); err != nil {
			return e, err
		}
		e.Action = polls.AuditAction(action)
		var err error
		e.At, err = parseTime(sql.NullString{String: at, Valid: true})
		return e, err
	}, `SELECT poll_id, at, action, actor, actor_name, detail FROM poll_audit WHERE poll_id = ? ORDER BY id`, id)
}

// DeletePoll deletes a poll nobody has voted in, with its counters, and
// records e, in one transaction.
func (s *PollStore) DeletePoll(ctx context.Context, id int64, e polls.AuditEntry) (bool, error) {
	var deleted bool
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var voters int
		err := tx.QueryRowContext(ctx, `SELECT voters FROM polls WHERE id = ?`, id).Scan(&voters)
		if errors.Is(err, sql.ErrNoRows) {
			return polls.ErrNotFound
		}
		if err != nil || voters > 0 {
			return err
		}
		for _, q := range []string{`DELETE FROM poll_tally WHERE poll_id = ?`, `DELETE FROM poll_rankings WHERE poll_id = ?`, `DELETE FROM poll_events WHERE poll_id = ?`, `DELETE FROM polls WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, insertAudit, auditArgs(e)...); err != nil {
			return err
		}
		deleted = true
		return nil
	})
	if deleted && err == nil {
		s.defs.Delete(id)
	}
	return store.DeletedPoll(id, deleted, err)
}

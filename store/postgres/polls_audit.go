package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// insertAudit is the statement that records one audit entry.
const insertAudit = `INSERT INTO poll_audit (poll_id, at, action, actor, actor_name, detail) VALUES ($1, $2, $3, $4, $5, $6)`

// auditArgs are insertAudit's arguments for e.
func auditArgs(e polls.AuditEntry) []any {
	return []any{e.PollID, stamp(e.At, toSecond), string(e.Action), e.By, e.ByName, e.Detail}
}

// AddAudit records a steward's action on a poll.
func (s *PollStore) AddAudit(ctx context.Context, e polls.AuditEntry) error {
	_, err := s.db.exec(ctx, "record a poll audit entry", insertAudit, auditArgs(e)...)
	return err
}

// Audit returns a poll's audit entries in the order they were recorded.
func (s *PollStore) Audit(ctx context.Context, id int64) ([]polls.AuditEntry, error) {
	return queryAll(ctx, s.db.pool, "read a poll's audit trail", func(row pgx.CollectableRow, e *polls.AuditEntry) error {
		var action string
		if err := row.Scan(&e.PollID, utc{&e.At}, &action, &e.By, &e.ByName, &e.Detail); err != nil {
			return err
		}
		e.Action = polls.AuditAction(action)
		return nil
	}, `SELECT poll_id, at, action, actor, actor_name, detail FROM poll_audit WHERE poll_id = $1 ORDER BY id`, id)
}

// DeletePoll deletes a poll nobody has voted in, with its counters, and
// records e, in one transaction. It locks the poll's row first, which
// waits for every vote under way (see PollStore), then counts the votes
// with a snapshot taken after the lock was granted, so a vote and the
// delete take turns.
func (s *PollStore) DeletePoll(ctx context.Context, id int64, e polls.AuditEntry) (bool, error) {
	var deleted bool
	err := s.db.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT FROM polls WHERE id = $1 FOR UPDATE`, id).Scan()
		if errors.Is(err, pgx.ErrNoRows) {
			return polls.ErrNotFound
		}
		if err != nil {
			return err
		}
		var voted bool
		if err := tx.QueryRow(ctx, `SELECT voters > 0 OR EXISTS (SELECT 1 FROM poll_ballots WHERE poll_id = $1) FROM polls WHERE id = $1`, id).Scan(&voted); err != nil || voted {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM poll_tally WHERE poll_id = $1`, id)
		b.Queue(`DELETE FROM poll_rankings WHERE poll_id = $1`, id)
		b.Queue(`DELETE FROM poll_events WHERE poll_id = $1`, id)
		b.Queue(`DELETE FROM poll_nudges WHERE poll_id = $1`, id)
		b.Queue(`DELETE FROM polls WHERE id = $1`, id)
		b.Queue(insertAudit, auditArgs(e)...)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		deleted = true
		return nil
	})
	return store.DeletedPoll(id, deleted, err)
}

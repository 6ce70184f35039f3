package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/unionhall/unionhall/reminders"
	"github.com/unionhall/unionhall/store"
)

// reminderCols selects a reminder and its deadline (alias r and d).
const reminderCols = `r.id, r.kind, r.text, r.zone, r.at, r.spec, r.anchor, r.deadline_id, r.lead_ms, r.next_at,
	r.created_by, r.created_at, r.deleted_at, r.deleted_by,
	d.id, d.key, d.name, d.at, d.zone, d.yearly, d.note, d.created_by, d.created_at, d.deleted_at, d.deleted_by`

const reminderFrom = ` FROM reminders r LEFT JOIN deadlines d ON d.id = r.deadline_id `

// NewReminderStore returns the reminders store of db. A change to
// reminders or deadlines is one write transaction.
func NewReminderStore(db *DB) store.Reminders {
	return store.Reminders{ReminderEngine: reminderStore{db}, Write: db.writeReminders}
}

// reminderStore is SQLite's own part of the reminders store.
type reminderStore struct{ db *DB }

// writeReminders runs fn in one write transaction, with a writer on it.
func (db *DB) writeReminders(ctx context.Context, fn func(store.ReminderWriter) error) error {
	return db.Write(ctx, func(tx *sql.Tx) error { return fn(writer{ctx, tx}) })
}

// scanTimes parses stored times into their destinations.
func scanTimes(pairs ...any) error {
	for i := 0; i < len(pairs); i += 2 {
		t, err := parseTime(pairs[i].(sql.NullString))
		if err != nil {
			return err
		}
		*pairs[i+1].(*time.Time) = t
	}
	return nil
}

// scanReminder reads the columns of reminderCols, plus any extra
// destinations before them.
func scanReminder(sc scanner, extra ...any) (*reminders.Reminder, error) {
	var (
		r                                  reminders.Reminder
		kind                               string
		at, anchor, next, created, deleted sql.NullString
		spec, deletedBy                    sql.NullString
		deadlineID, leadMS                 sql.NullInt64
		dID, dYearly                       sql.NullInt64
		dKey, dName, dAt, dZone, dNote     sql.NullString
		dCreatedBy, dCreated, dDel, dDelBy sql.NullString
	)
	dest := append(append([]any(nil), extra...), &r.ID, &kind, &r.Text, &r.Zone, &at, &spec, &anchor, &deadlineID, &leadMS, &next,
		&r.CreatedBy, &created, &deleted, &deletedBy,
		&dID, &dKey, &dName, &dAt, &dZone, &dYearly, &dNote, &dCreatedBy, &dCreated, &dDel, &dDelBy)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	r.Kind, r.Spec, r.DeletedBy = reminders.Kind(kind), spec.String, deletedBy.String
	r.DeadlineID, r.Lead = deadlineID.Int64, time.Duration(leadMS.Int64)*time.Millisecond
	if err := scanTimes(at, &r.At, anchor, &r.Anchor, next, &r.Next, created, &r.CreatedAt, deleted, &r.DeletedAt); err != nil {
		return nil, fmt.Errorf("reminder %d: %w", r.ID, err)
	}
	if dID.Valid {
		d := &reminders.Deadline{ID: dID.Int64, Key: dKey.String, Name: dName.String, Zone: dZone.String,
			Yearly: dYearly.Int64 == 1, Note: dNote.String, CreatedBy: dCreatedBy.String, DeletedBy: dDelBy.String}
		if err := scanTimes(dAt, &d.At, dCreated, &d.CreatedAt, dDel, &d.DeletedAt); err != nil {
			return nil, fmt.Errorf("deadline %d: %w", d.ID, err)
		}
		r.Deadline = d
	}
	return &r, nil
}

// queryReminders reads the reminders, with their deadlines, that where
// selects.
func (s reminderStore) queryReminders(ctx context.Context, what, where string, args ...any) ([]*reminders.Reminder, error) {
	return queryAll(ctx, s.db.read, what, func(row scanner) (*reminders.Reminder, error) { return scanReminder(row) },
		`SELECT `+reminderCols+reminderFrom+where, args...)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writer is a store.ReminderWriter in a write transaction.
type writer struct {
	ctx context.Context
	tx  *sql.Tx
}

// InsertReminder implements store.ReminderWriter.
func (w writer) InsertReminder(r *reminders.Reminder) error {
	var at, spec, lead any
	switch r.Kind {
	case reminders.KindOnce:
		at = ts(r.At)
	case reminders.KindCron:
		spec = r.Spec
	case reminders.KindLead:
		lead = r.Lead.Milliseconds()
	}
	res, err := w.tx.ExecContext(w.ctx, `INSERT INTO reminders
		(kind, text, zone, at, spec, anchor, deadline_id, lead_ms, next_at, created_by, created_at, deleted_at, deleted_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.Kind), r.Text, r.Zone, at, spec, ts(r.Anchor), nullInt(r.DeadlineID), lead, ts(r.Next),
		r.CreatedBy, ts(r.CreatedAt), ts(r.DeletedAt), nullString(r.DeletedBy))
	if err != nil {
		return err
	}
	r.ID, err = res.LastInsertId()
	return err
}

// UpdateLead implements store.ReminderWriter.
func (w writer) UpdateLead(r *reminders.Reminder) error {
	_, err := w.tx.ExecContext(w.ctx, `UPDATE reminders SET zone = ?, lead_ms = ?, next_at = ?, deleted_at = ?, deleted_by = ? WHERE id = ? AND deadline_id = ?`,
		r.Zone, r.Lead.Milliseconds(), ts(r.Next), ts(r.DeletedAt), nullString(r.DeletedBy), r.ID, r.DeadlineID)
	return err
}

// InsertDeadline implements store.ReminderWriter.
func (w writer) InsertDeadline(d *reminders.Deadline) error {
	res, err := w.tx.ExecContext(w.ctx, `INSERT INTO deadlines (key, name, at, zone, yearly, note, created_by, created_at, deleted_at, deleted_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullString(d.Key), d.Name, ts(d.At), d.Zone, boolInt(d.Yearly), d.Note, d.CreatedBy, ts(d.CreatedAt), ts(d.DeletedAt), nullString(d.DeletedBy))
	if err != nil {
		return err
	}
	d.ID, err = res.LastInsertId()
	return err
}

// UpdateDeadline implements store.ReminderWriter.
func (w writer) UpdateDeadline(d *reminders.Deadline) error {
	_, err := w.tx.ExecContext(w.ctx, `UPDATE deadlines SET key = ?, name = ?, at = ?, zone = ?, yearly = ?, note = ?, deleted_at = ?, deleted_by = ? WHERE id = ?`,
		nullString(d.Key), d.Name, ts(d.At), d.Zone, boolInt(d.Yearly), d.Note, ts(d.DeletedAt), nullString(d.DeletedBy), d.ID)
	return err
}

// DeleteReminder implements store.ReminderWriter.
func (w writer) DeleteReminder(id int64, by string, at time.Time) (bool, error) {
	return w.changed(`UPDATE reminders SET deleted_at = ?, deleted_by = ?, next_at = NULL WHERE id = ? AND deleted_at IS NULL`, ts(at), by, id)
}

// DeleteDeadline implements store.ReminderWriter.
func (w writer) DeleteDeadline(id int64, by string, at time.Time) (bool, error) {
	return w.changed(`UPDATE deadlines SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL`, ts(at), by, id)
}

// changed runs an update and reports whether it changed a row.
func (w writer) changed(query string, args ...any) (bool, error) {
	res, err := w.tx.ExecContext(w.ctx, query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DeleteLeads implements store.ReminderWriter.
func (w writer) DeleteLeads(deadlineID int64, by string, at time.Time) error {
	_, err := w.tx.ExecContext(w.ctx, `UPDATE reminders SET deleted_at = ?, deleted_by = ?, next_at = NULL WHERE deadline_id = ? AND deleted_at IS NULL`,
		ts(at), by, deadlineID)
	return err
}

// CancelRetries implements store.ReminderWriter.
func (w writer) CancelRetries(id int64, at time.Time) error {
	return w.cancelRetries(at, `r.id = ?`, id)
}

// CancelLeadRetries implements store.ReminderWriter.
func (w writer) CancelLeadRetries(deadlineID int64, at time.Time) error {
	return w.cancelRetries(at, `r.deadline_id = ?`, deadlineID)
}

// cancelRetries cancels the pending retries of the reminders matched by
// cond (a condition on reminders r).
func (w writer) cancelRetries(at time.Time, cond string, args ...any) error {
	_, err := w.tx.ExecContext(w.ctx, `UPDATE reminder_deliveries SET state = 'cancelled', next_try = NULL, error = ?, updated_at = ?
		WHERE state = 'retry' AND reminder_id IN (SELECT r.id FROM reminders r WHERE `+cond+`)`, append([]any{store.CancelledNote, ts(at)}, args...)...)
	return err
}

// Reminder returns an active reminder by ID.
func (s reminderStore) Reminder(ctx context.Context, id int64) (*reminders.Reminder, error) {
	rs, err := s.queryReminders(ctx, fmt.Sprintf("read reminder %d", id), `WHERE r.id = ? AND r.deleted_at IS NULL`, id)
	return store.OneReminder(id, rs, err)
}

// UpcomingReminders returns the active reminders with a next occurrence,
// soonest first.
func (s reminderStore) UpcomingReminders(ctx context.Context) ([]*reminders.Reminder, error) {
	return s.queryReminders(ctx, "read upcoming reminders", `WHERE r.deleted_at IS NULL AND r.next_at IS NOT NULL ORDER BY r.next_at, r.id`)
}

const deadlineCols = `id, key, name, at, zone, yearly, note, created_by, created_at, deleted_at, deleted_by`

func scanDeadline(sc scanner) (*reminders.Deadline, error) {
	var (
		d                    reminders.Deadline
		key, deletedBy       sql.NullString
		at, created, deleted sql.NullString
		yearly               int64
	)
	if err := sc.Scan(&d.ID, &key, &d.Name, &at, &d.Zone, &yearly, &d.Note, &d.CreatedBy, &created, &deleted, &deletedBy); err != nil {
		return nil, err
	}
	d.Key, d.Yearly, d.DeletedBy = key.String, yearly == 1, deletedBy.String
	if err := scanTimes(at, &d.At, created, &d.CreatedAt, deleted, &d.DeletedAt); err != nil {
		return nil, fmt.Errorf("deadline %d: %w", d.ID, err)
	}
	return &d, nil
}

// DeadlineByKey returns the deadline with the key, deleted or not, with
// all its lead reminders, or nil.
func (s reminderStore) DeadlineByKey(ctx context.Context, key string) (*reminders.Deadline, error) {
	d, err := scanDeadline(s.db.read.QueryRowContext(ctx, `SELECT `+deadlineCols+` FROM deadlines WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read deadline %s: %w", key, err)
	}
	_, err = store.WithLeads([]*reminders.Deadline{d}, nil, func() ([]*reminders.Reminder, error) {
		return s.queryReminders(ctx, "read reminders of deadline "+key, `WHERE r.deadline_id = ? ORDER BY r.lead_ms DESC`, d.ID)
	})
	return d, err
}

// DeadlineKeys returns the keys of the active deadlines from the deadlines
// file.
func (s reminderStore) DeadlineKeys(ctx context.Context) ([]string, error) {
	return queryAll(ctx, s.db.read, "read deadline keys", func(row scanner) (key string, err error) { return key, row.Scan(&key) },
		`SELECT key FROM deadlines WHERE key IS NOT NULL AND deleted_at IS NULL ORDER BY key`)
}

// Deadlines returns the active deadlines with their active lead reminders.
func (s reminderStore) Deadlines(ctx context.Context) ([]*reminders.Deadline, error) {
	ds, err := queryAll(ctx, s.db.read, "read deadlines", scanDeadline, `SELECT `+deadlineCols+` FROM deadlines WHERE deleted_at IS NULL ORDER BY at, id`)
	return store.WithLeads(ds, err, func() ([]*reminders.Reminder, error) {
		return s.queryReminders(ctx, "read deadline reminders",
			`WHERE r.deadline_id IS NOT NULL AND r.deleted_at IS NULL AND d.deleted_at IS NULL ORDER BY r.deadline_id, r.lead_ms DESC`)
	})
}

// DueReminders returns up to limit active reminders due at or before now.
func (s reminderStore) DueReminders(ctx context.Context, now time.Time, limit int) ([]*reminders.Reminder, error) {
	return s.queryReminders(ctx, "read due reminders",
		`WHERE r.deleted_at IS NULL AND r.next_at IS NOT NULL AND r.next_at <= ? ORDER BY r.next_at, r.id LIMIT ?`, ts(now), limit)
}

// ClaimOccurrences applies the claims in one write transaction and
// returns the deliveries to post. The writer connection is this
// process's only one, and the transaction holds SQLite's write lock from
// its start, so each claim's conditional update sees every claim
// committed before it.
func (s reminderStore) ClaimOccurrences(ctx context.Context, claims []reminders.Claim, now time.Time) ([]reminders.Delivery, error) {
	var out []reminders.Delivery
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		advance, err := tx.PrepareContext(ctx, `UPDATE reminders SET next_at = ? WHERE id = ? AND next_at = ? AND deleted_at IS NULL`)
		if err != nil {
			return err
		}
		defer advance.Close()
		record, err := tx.PrepareContext(ctx, `INSERT INTO reminder_deliveries (reminder_id, occurrence, platform, state, error, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer record.Close()
		for _, c := range claims {
			res, err := advance.ExecContext(ctx, ts(c.Next), c.ReminderID, ts(c.From))
			if err != nil {
				return fmt.Errorf("advance reminder %d: %w", c.ReminderID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				continue // deleted or claimed meanwhile
			}
			var inserted []string
			for _, p := range c.Platforms {
				res, err := record.ExecContext(ctx, c.ReminderID, ts(c.Occurrence), p, string(c.State), c.Note, ts(now))
				if err != nil {
					return fmt.Errorf("record reminder %d on %s: %w", c.ReminderID, p, err)
				}
				if n, err := res.RowsAffected(); err == nil && n == 1 {
					inserted = append(inserted, p)
				}
			}
			out = append(out, store.Claimed(c, inserted, now)...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	return out, nil
}

const deliveryCols = `x.reminder_id, x.occurrence, x.platform, x.state, x.attempts, x.next_try, x.error, x.updated_at`

// queryDeliveries reads the deliveries, with their reminders, that where
// selects.
func (s reminderStore) queryDeliveries(ctx context.Context, what, where string, args ...any) ([]reminders.Delivery, error) {
	return queryAll(ctx, s.db.read, what, func(row scanner) (d reminders.Delivery, err error) {
		var (
			state              string
			occ, next, updated sql.NullString
		)
		if d.Reminder, err = scanReminder(row, &d.ReminderID, &occ, &d.Platform, &state, &d.Attempts, &next, &d.Error, &updated); err != nil {
			return d, err
		}
		d.State = reminders.State(state)
		return d, scanTimes(occ, &d.Occurrence, next, &d.NextTry, updated, &d.UpdatedAt)
	}, `SELECT `+deliveryCols+`, `+reminderCols+
		` FROM reminder_deliveries x JOIN reminders r ON r.id = x.reminder_id LEFT JOIN deadlines d ON d.id = r.deadline_id `+where, args...)
}

// DueRetries returns up to limit deliveries waiting for a retry due at or
// before now.
func (s reminderStore) DueRetries(ctx context.Context, now time.Time, limit int) ([]reminders.Delivery, error) {
	return s.queryDeliveries(ctx, "read due retries", `WHERE x.state = 'retry' AND x.next_try <= ? ORDER BY x.next_try LIMIT ?`, ts(now), limit)
}

// ClaimRetry moves a delivery from retry to sending.
func (s reminderStore) ClaimRetry(ctx context.Context, d reminders.Delivery, now time.Time) (bool, error) {
	n, err := s.db.exec(ctx, fmt.Sprintf("claim retry of reminder %d", d.ReminderID), `UPDATE reminder_deliveries SET state = 'sending', updated_at = ?
		WHERE reminder_id = ? AND occurrence = ? AND platform = ? AND state = 'retry'`,
		ts(now), d.ReminderID, ts(d.Occurrence), d.Platform)
	return n == 1, err
}

// FinishDelivery records the outcome of a post on a delivery in sending
// state. It also corrects one marked uncertain meanwhile, which happens
// when another process started on the same database while this one was
// posting.
func (s reminderStore) FinishDelivery(ctx context.Context, d reminders.Delivery, now time.Time) error {
	return store.FinishDelivery(d, func(nextTry time.Time) (int64, error) {
		return s.db.exec(ctx, "update the delivery", `UPDATE reminder_deliveries SET state = ?, attempts = ?, next_try = ?, error = ?, updated_at = ?
			WHERE reminder_id = ? AND occurrence = ? AND platform = ? AND state IN ('sending', 'uncertain')`,
			string(d.State), d.Attempts, ts(nextTry), d.Error, ts(now), d.ReminderID, ts(d.Occurrence), d.Platform)
	})
}

// MarkInterrupted moves every delivery in sending state to uncertain.
func (s reminderStore) MarkInterrupted(ctx context.Context, now time.Time) ([]reminders.Delivery, error) {
	var out []reminders.Delivery
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, "read posts under way", func(row scanner) (d reminders.Delivery, err error) {
			var occ sql.NullString
			if err := row.Scan(&d.ReminderID, &occ, &d.Platform, &d.Attempts); err != nil {
				return d, err
			}
			d.State = reminders.StateUncertain
			d.Occurrence, err = parseTime(occ)
			return d, err
		}, `SELECT reminder_id, occurrence, platform, attempts FROM reminder_deliveries WHERE state = 'sending'`)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE reminder_deliveries SET state = 'uncertain', next_try = NULL,
			error = ?, updated_at = ? WHERE state = 'sending'`, store.InterruptedNote, ts(now))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mark interrupted reminder posts: %w", err)
	}
	return out, nil
}

// NextWake returns the earliest next occurrence or retry time.
func (s reminderStore) NextWake(ctx context.Context) (time.Time, error) {
	var t sql.NullString
	err := s.db.read.QueryRowContext(ctx, `SELECT MIN(t) FROM (
		SELECT MIN(next_at) AS t FROM reminders WHERE deleted_at IS NULL AND next_at IS NOT NULL
		UNION ALL
		SELECT MIN(next_try) FROM reminder_deliveries WHERE state = 'retry')`).Scan(&t)
	if err != nil {
		return time.Time{}, fmt.Errorf("read next reminder time: %w", err)
	}
	return parseTime(t)
}

// Problems returns failed, uncertain and skipped deliveries updated at or
// after since, newest first.
func (s reminderStore) Problems(ctx context.Context, since time.Time) ([]reminders.Delivery, error) {
	states := store.ProblemStates()
	return s.queryDeliveries(ctx, "read reminder problems",
		`WHERE x.state IN (?, ?, ?) AND x.updated_at >= ? ORDER BY x.updated_at DESC, x.reminder_id LIMIT ?`,
		states[0], states[1], states[2], ts(since), store.MaxProblems)
}

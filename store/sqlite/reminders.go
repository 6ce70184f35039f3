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

// tsLayout is how reminder times are stored: UTC, fixed width, to the
// millisecond, so that text order is time order.
const tsLayout = "2006-01-02T15:04:05.000Z07:00"

// ts formats t for storage; the zero time is NULL.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(tsLayout)
}

// parseTS reads a stored time; NULL is the zero time.
func parseTS(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(tsLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s.String, err)
	}
	return t, nil
}

// ReminderStore implements reminders.Store.
type ReminderStore struct {
	db *DB
}

var _ reminders.Store = (*ReminderStore)(nil)

// NewReminderStore returns the reminders store of db.
func NewReminderStore(db *DB) *ReminderStore { return &ReminderStore{db: db} }

// reminderCols selects a reminder and its deadline (alias r and d).
const reminderCols = `r.id, r.kind, r.text, r.zone, r.at, r.spec, r.anchor, r.deadline_id, r.lead_ms, r.next_at,
	r.created_by, r.created_at, r.deleted_at, r.deleted_by,
	d.id, d.key, d.name, d.at, d.zone, d.yearly, d.note, d.created_by, d.created_at, d.deleted_at, d.deleted_by`

const reminderFrom = ` FROM reminders r LEFT JOIN deadlines d ON d.id = r.deadline_id `

// scanTimes parses stored times into their destinations.
func scanTimes(pairs ...any) error {
	for i := 0; i < len(pairs); i += 2 {
		t, err := parseTS(pairs[i].(sql.NullString))
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

// queryReminders runs a query selecting reminderCols.
func (s *ReminderStore) queryReminders(ctx context.Context, q *sql.DB, where string, args ...any) ([]*reminders.Reminder, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+reminderCols+reminderFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*reminders.Reminder
	for rows.Next() {
		r, err := scanReminder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
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

// insertReminder inserts r and sets its ID.
func insertReminder(ctx context.Context, tx *sql.Tx, r *reminders.Reminder) error {
	var lead any
	if r.Kind == reminders.KindLead {
		lead = r.Lead.Milliseconds()
	}
	var at any
	if r.Kind == reminders.KindOnce {
		at = ts(r.At)
	}
	var spec any
	if r.Kind == reminders.KindCron {
		spec = r.Spec
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO reminders
		(kind, text, zone, at, spec, anchor, deadline_id, lead_ms, next_at, created_by, created_at, deleted_at, deleted_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.Kind), r.Text, r.Zone, at, spec, ts(r.Anchor), nullInt(r.DeadlineID), lead, ts(r.Next),
		r.CreatedBy, ts(r.CreatedAt), ts(r.DeletedAt), nullString(r.DeletedBy))
	if err != nil {
		return fmt.Errorf("insert reminder: %w", err)
	}
	r.ID, err = res.LastInsertId()
	return err
}

// CreateReminder stores a new reminder and sets its ID.
func (s *ReminderStore) CreateReminder(ctx context.Context, r *reminders.Reminder) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error { return insertReminder(ctx, tx, r) })
}

// Reminder returns an active reminder by ID.
func (s *ReminderStore) Reminder(ctx context.Context, id int64) (*reminders.Reminder, error) {
	rs, err := s.queryReminders(ctx, s.db.read, `WHERE r.id = ? AND r.deleted_at IS NULL`, id)
	if err != nil {
		return nil, fmt.Errorf("read reminder %d: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, store.NoReminder(id)
	}
	return rs[0], nil
}

// UpcomingReminders returns the active reminders with a next occurrence,
// soonest first.
func (s *ReminderStore) UpcomingReminders(ctx context.Context) ([]*reminders.Reminder, error) {
	rs, err := s.queryReminders(ctx, s.db.read, `WHERE r.deleted_at IS NULL AND r.next_at IS NOT NULL ORDER BY r.next_at, r.id`)
	if err != nil {
		return nil, fmt.Errorf("read upcoming reminders: %w", err)
	}
	return rs, nil
}

// cancelRetries cancels the pending retries of the reminders matched by
// cond (a condition on reminders r).
func cancelRetries(ctx context.Context, tx *sql.Tx, at time.Time, cond string, args ...any) error {
	_, err := tx.ExecContext(ctx, `UPDATE reminder_deliveries SET state = 'cancelled', next_try = NULL, error = ?, updated_at = ?
		WHERE state = 'retry' AND reminder_id IN (SELECT r.id FROM reminders r WHERE `+cond+`)`, append([]any{store.CancelledNote, ts(at)}, args...)...)
	if err != nil {
		return fmt.Errorf("cancel retries: %w", err)
	}
	return nil
}

// DeleteReminder marks an active reminder deleted and cancels its retries.
func (s *ReminderStore) DeleteReminder(ctx context.Context, id int64, by string, at time.Time) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE reminders SET deleted_at = ?, deleted_by = ?, next_at = NULL WHERE id = ? AND deleted_at IS NULL`,
			ts(at), by, id)
		if err != nil {
			return fmt.Errorf("delete reminder %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return store.NoReminder(id)
		}
		return cancelRetries(ctx, tx, at, `r.id = ?`, id)
	})
}

// writeDeadline inserts or updates a deadline row.
func writeDeadline(ctx context.Context, tx *sql.Tx, d *reminders.Deadline) error {
	if d.ID == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO deadlines (key, name, at, zone, yearly, note, created_by, created_at, deleted_at, deleted_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			nullString(d.Key), d.Name, ts(d.At), d.Zone, boolInt(d.Yearly), d.Note, d.CreatedBy, ts(d.CreatedAt), ts(d.DeletedAt), nullString(d.DeletedBy))
		if err != nil {
			return fmt.Errorf("insert deadline: %w", err)
		}
		d.ID, err = res.LastInsertId()
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE deadlines SET key = ?, name = ?, at = ?, zone = ?, yearly = ?, note = ?, deleted_at = ?, deleted_by = ? WHERE id = ?`,
		nullString(d.Key), d.Name, ts(d.At), d.Zone, boolInt(d.Yearly), d.Note, ts(d.DeletedAt), nullString(d.DeletedBy), d.ID)
	if err != nil {
		return fmt.Errorf("update deadline %d: %w", d.ID, err)
	}
	return nil
}

// CreateDeadline stores a new deadline with its lead reminders.
func (s *ReminderStore) CreateDeadline(ctx context.Context, d *reminders.Deadline) error {
	if err := store.CheckNewDeadline(d); err != nil {
		return err
	}
	return s.SaveDeadline(ctx, d)
}

// SaveDeadline inserts or updates a deadline and its lead reminders in one
// transaction.
func (s *ReminderStore) SaveDeadline(ctx context.Context, d *reminders.Deadline) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		if err := writeDeadline(ctx, tx, d); err != nil {
			return err
		}
		return store.SaveLeads(d, leadWriter{ctx, tx})
	})
}

// leadWriter writes lead reminders in a write transaction.
type leadWriter struct {
	ctx context.Context
	tx  *sql.Tx
}

// InsertReminder inserts r.
func (w leadWriter) InsertReminder(r *reminders.Reminder) error {
	return insertReminder(w.ctx, w.tx, r)
}

// UpdateLead writes r's zone, lead time, next occurrence and deletion.
func (w leadWriter) UpdateLead(r *reminders.Reminder) error {
	_, err := w.tx.ExecContext(w.ctx, `UPDATE reminders SET zone = ?, lead_ms = ?, next_at = ?, deleted_at = ?, deleted_by = ? WHERE id = ? AND deadline_id = ?`,
		r.Zone, r.Lead.Milliseconds(), ts(r.Next), ts(r.DeletedAt), nullString(r.DeletedBy), r.ID, r.DeadlineID)
	return err
}

// CancelRetries cancels reminder id's pending retries.
func (w leadWriter) CancelRetries(id int64, at time.Time) error {
	return cancelRetries(w.ctx, w.tx, at, `r.id = ?`, id)
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
func (s *ReminderStore) DeadlineByKey(ctx context.Context, key string) (*reminders.Deadline, error) {
	d, err := scanDeadline(s.db.read.QueryRowContext(ctx, `SELECT `+deadlineCols+` FROM deadlines WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read deadline %s: %w", key, err)
	}
	leads, err := s.queryReminders(ctx, s.db.read, `WHERE r.deadline_id = ? ORDER BY r.lead_ms DESC`, d.ID)
	if err != nil {
		return nil, fmt.Errorf("read reminders of deadline %s: %w", key, err)
	}
	for _, r := range leads {
		r.Deadline = d
	}
	d.Leads = leads
	return d, nil
}

// DeadlineKeys returns the keys of the active deadlines from the deadlines
// file.
func (s *ReminderStore) DeadlineKeys(ctx context.Context) ([]string, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT key FROM deadlines WHERE key IS NOT NULL AND deleted_at IS NULL ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("read deadline keys: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("read deadline keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Deadlines returns the active deadlines with their active lead reminders.
func (s *ReminderStore) Deadlines(ctx context.Context) ([]*reminders.Deadline, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+deadlineCols+` FROM deadlines WHERE deleted_at IS NULL ORDER BY at, id`)
	if err != nil {
		return nil, fmt.Errorf("read deadlines: %w", err)
	}
	var out []*reminders.Deadline
	byID := map[int64]*reminders.Deadline{}
	for rows.Next() {
		d, err := scanDeadline(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read deadlines: %w", err)
		}
		out = append(out, d)
		byID[d.ID] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read deadlines: %w", err)
	}
	leads, err := s.queryReminders(ctx, s.db.read, `WHERE r.deadline_id IS NOT NULL AND r.deleted_at IS NULL AND d.deleted_at IS NULL ORDER BY r.deadline_id, r.lead_ms DESC`)
	if err != nil {
		return nil, fmt.Errorf("read deadline reminders: %w", err)
	}
	for _, r := range leads {
		if d := byID[r.DeadlineID]; d != nil {
			r.Deadline = d
			d.Leads = append(d.Leads, r)
		}
	}
	return out, nil
}

// DeleteDeadline marks an active deadline and its reminders deleted and
// cancels their retries.
func (s *ReminderStore) DeleteDeadline(ctx context.Context, id int64, by string, at time.Time) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deadlines SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL`, ts(at), by, id)
		if err != nil {
			return fmt.Errorf("delete deadline %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return store.NoDeadline(id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reminders SET deleted_at = ?, deleted_by = ?, next_at = NULL WHERE deadline_id = ? AND deleted_at IS NULL`,
			ts(at), by, id); err != nil {
			return fmt.Errorf("delete reminders of deadline %d: %w", id, err)
		}
		return cancelRetries(ctx, tx, at, `r.deadline_id = ?`, id)
	})
}

// DueReminders returns up to limit active reminders due at or before now.
func (s *ReminderStore) DueReminders(ctx context.Context, now time.Time, limit int) ([]*reminders.Reminder, error) {
	rs, err := s.queryReminders(ctx, s.db.read, `WHERE r.deleted_at IS NULL AND r.next_at IS NOT NULL AND r.next_at <= ? ORDER BY r.next_at, r.id LIMIT ?`,
		ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("read due reminders: %w", err)
	}
	return rs, nil
}

// ClaimOccurrences applies the claims in one transaction and returns the
// deliveries to post.
func (s *ReminderStore) ClaimOccurrences(ctx context.Context, claims []reminders.Claim, now time.Time) ([]reminders.Delivery, error) {
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
			for _, p := range c.Platforms {
				res, err := record.ExecContext(ctx, c.ReminderID, ts(c.Occurrence), p, string(c.State), c.Note, ts(now))
				if err != nil {
					return fmt.Errorf("record reminder %d on %s: %w", c.ReminderID, p, err)
				}
				if n, err := res.RowsAffected(); err == nil && n == 1 && c.State == reminders.StateSending {
					out = append(out, reminders.Delivery{ReminderID: c.ReminderID, Occurrence: c.Occurrence.UTC().Truncate(time.Millisecond),
						Platform: p, State: reminders.StateSending, UpdatedAt: now})
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	return out, nil
}

const deliveryCols = `x.reminder_id, x.occurrence, x.platform, x.state, x.attempts, x.next_try, x.error, x.updated_at`

// queryDeliveries runs a query selecting deliveryCols and reminderCols.
func (s *ReminderStore) queryDeliveries(ctx context.Context, where string, args ...any) ([]reminders.Delivery, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+deliveryCols+`, `+reminderCols+
		` FROM reminder_deliveries x JOIN reminders r ON r.id = x.reminder_id LEFT JOIN deadlines d ON d.id = r.deadline_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []reminders.Delivery
	for rows.Next() {
		var (
			d                  reminders.Delivery
			state              string
			occ, next, updated sql.NullString
		)
		r, err := scanReminder(rows, &d.ReminderID, &occ, &d.Platform, &state, &d.Attempts, &next, &d.Error, &updated)
		if err != nil {
			return nil, err
		}
		d.State, d.Reminder = reminders.State(state), r
		if err := scanTimes(occ, &d.Occurrence, next, &d.NextTry, updated, &d.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DueRetries returns up to limit deliveries waiting for a retry due at or
// before now.
func (s *ReminderStore) DueRetries(ctx context.Context, now time.Time, limit int) ([]reminders.Delivery, error) {
	ds, err := s.queryDeliveries(ctx, `WHERE x.state = 'retry' AND x.next_try <= ? ORDER BY x.next_try LIMIT ?`, ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("read due retries: %w", err)
	}
	return ds, nil
}

// ClaimRetry moves a delivery from retry to sending.
func (s *ReminderStore) ClaimRetry(ctx context.Context, d reminders.Delivery, now time.Time) (bool, error) {
	var ok bool
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE reminder_deliveries SET state = 'sending', updated_at = ?
			WHERE reminder_id = ? AND occurrence = ? AND platform = ? AND state = 'retry'`,
			ts(now), d.ReminderID, ts(d.Occurrence), d.Platform)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim retry of reminder %d: %w", d.ReminderID, err)
	}
	return ok, nil
}

// FinishDelivery records the outcome of a post on a delivery in sending
// state. It also corrects one marked uncertain meanwhile, which happens
// when another process started on the same database while this one was
// posting.
func (s *ReminderStore) FinishDelivery(ctx context.Context, d reminders.Delivery, now time.Time) error {
	if err := store.CheckFinishedDelivery(d); err != nil {
		return err
	}
	var nextTry any
	if d.State == reminders.StateRetry {
		nextTry = ts(d.NextTry)
	}
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE reminder_deliveries SET state = ?, attempts = ?, next_try = ?, error = ?, updated_at = ?
			WHERE reminder_id = ? AND occurrence = ? AND platform = ? AND state IN ('sending', 'uncertain')`,
			string(d.State), d.Attempts, nextTry, d.Error, ts(now), d.ReminderID, ts(d.Occurrence), d.Platform)
		if err != nil {
			return fmt.Errorf("record delivery of reminder %d: %w", d.ReminderID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("record delivery of reminder %d at %s on %s: not in sending state", d.ReminderID, ts(d.Occurrence), d.Platform)
		}
		return nil
	})
}

// MarkInterrupted moves every delivery in sending state to uncertain.
func (s *ReminderStore) MarkInterrupted(ctx context.Context, now time.Time) ([]reminders.Delivery, error) {
	var out []reminders.Delivery
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT reminder_id, occurrence, platform, attempts FROM reminder_deliveries WHERE state = 'sending'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d reminders.Delivery
			var occ sql.NullString
			if err := rows.Scan(&d.ReminderID, &occ, &d.Platform, &d.Attempts); err != nil {
				rows.Close()
				return err
			}
			if d.Occurrence, err = parseTS(occ); err != nil {
				rows.Close()
				return err
			}
			d.State = reminders.StateUncertain
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
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
func (s *ReminderStore) NextWake(ctx context.Context) (time.Time, error) {
	var t sql.NullString
	err := s.db.read.QueryRowContext(ctx, `SELECT MIN(t) FROM (
		SELECT MIN(next_at) AS t FROM reminders WHERE deleted_at IS NULL AND next_at IS NOT NULL
		UNION ALL
		SELECT MIN(next_try) FROM reminder_deliveries WHERE state = 'retry')`).Scan(&t)
	if err != nil {
		return time.Time{}, fmt.Errorf("read next reminder time: %w", err)
	}
	return parseTS(t)
}

// Problems returns failed, uncertain and skipped deliveries updated at or
// after since, newest first.
func (s *ReminderStore) Problems(ctx context.Context, since time.Time) ([]reminders.Delivery, error) {
	states := []string{string(reminders.StateFailed), string(reminders.StateUncertain), string(reminders.StateSkipped)}
	ds, err := s.queryDeliveries(ctx, `WHERE x.state IN (?, ?, ?) AND x.updated_at >= ? ORDER BY x.updated_at DESC, x.reminder_id LIMIT ?`,
		states[0], states[1], states[2], ts(since), store.MaxProblems)
	if err != nil {
		return nil, fmt.Errorf("read reminder problems: %w", err)
	}
	return ds, nil
}

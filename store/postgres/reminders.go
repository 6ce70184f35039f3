package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/reminders"
	"github.com/unionhall/unionhall/store"
)

// reminderCols selects a reminder and its deadline (alias r and d); the
// deadline's columns are NULL for a reminder without one.
const reminderCols = `r.id, r.kind, r.text, r.zone, r.at, coalesce(r.spec, ''), r.anchor, coalesce(r.deadline_id, 0), coalesce(r.lead_ms, 0),
	r.next_at, r.created_by, r.created_at, r.deleted_at, coalesce(r.deleted_by, ''),
	d.id, coalesce(d.key, ''), coalesce(d.name, ''), d.at, coalesce(d.zone, ''), coalesce(d.yearly, false), coalesce(d.note, ''),
	coalesce(d.created_by, ''), d.created_at, d.deleted_at, coalesce(d.deleted_by, '')`

const reminderFrom = ` FROM reminders r LEFT JOIN deadlines d ON d.id = r.deadline_id `

// NewReminderStore returns the reminders store of db. A change to
// reminders or deadlines is one transaction; a delete is an update
// conditional on the row being active, which PostgreSQL re-checks after
// waiting for a concurrent writer, so that of processes racing to delete
// one reminder exactly one succeeds.
func NewReminderStore(db *DB) store.Reminders {
	return store.Reminders{ReminderEngine: reminderStore{db}, Write: db.writeReminders}
}

// reminderStore is PostgreSQL's own part of the reminders store.
type reminderStore struct{ db *DB }

// writeReminders runs fn in one transaction, with a writer on it.
func (db *DB) writeReminders(ctx context.Context, fn func(store.ReminderWriter) error) error {
	return db.tx(ctx, func(tx pgx.Tx) error { return fn(writer{ctx, tx}) })
}

// scanReminder reads the columns of reminderCols, after any extra
// destinations.
func scanReminder(row pgx.Row, extra ...any) (*reminders.Reminder, error) {
	var (
		r      reminders.Reminder
		d      reminders.Deadline
		dID    *int64
		leadMS int64
	)
	dest := append(append([]any(nil), extra...), &r.ID, &r.Kind, &r.Text, &r.Zone, utc{&r.At}, &r.Spec, utc{&r.Anchor}, &r.DeadlineID, &leadMS,
		utc{&r.Next}, &r.CreatedBy, utc{&r.CreatedAt}, utc{&r.DeletedAt}, &r.DeletedBy,
		&dID, &d.Key, &d.Name, utc{&d.At}, &d.Zone, &d.Yearly, &d.Note, &d.CreatedBy, utc{&d.CreatedAt}, utc{&d.DeletedAt}, &d.DeletedBy)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	r.Lead = time.Duration(leadMS) * time.Millisecond
	if dID != nil {
		d.ID = *dID
		r.Deadline = &d
	}
	return &r, nil
}

// queryReminders reads the reminders, with their deadlines, that where
// selects.
func (s reminderStore) queryReminders(ctx context.Context, what, where string, args ...any) ([]*reminders.Reminder, error) {
	return queryAll(ctx, s.db.pool, what, func(row pgx.CollectableRow, r **reminders.Reminder) (err error) {
		*r, err = scanReminder(row)
		return err
	}, `SELECT `+reminderCols+reminderFrom+where, args...)
}

// blank returns NULL for "", so that optional text stays NULL as on
// SQLite.
func blank(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// writer is a store.ReminderWriter in a transaction.
type writer struct {
	ctx context.Context
	tx  pgx.Tx
}

// InsertReminder implements store.ReminderWriter.
func (w writer) InsertReminder(r *reminders.Reminder) error {
	var at, spec, deadline, lead any
	switch r.Kind {
	case reminders.KindOnce:
		at = stamp(r.At, toMilli)
	case reminders.KindCron:
		spec = r.Spec
	case reminders.KindLead:
		deadline, lead = r.DeadlineID, r.Lead.Milliseconds()
	}
	return w.tx.QueryRow(w.ctx, `INSERT INTO reminders
		(kind, text, zone, at, spec, anchor, deadline_id, lead_ms, next_at, created_by, created_at, deleted_at, deleted_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		string(r.Kind), r.Text, r.Zone, at, spec, stamp(r.Anchor, toMilli), deadline, lead, stamp(r.Next, toMilli),
		r.CreatedBy, stamp(r.CreatedAt, toMilli), stamp(r.DeletedAt, toMilli), blank(r.DeletedBy)).Scan(&r.ID)
}

// UpdateLead implements store.ReminderWriter.
func (w writer) UpdateLead(r *reminders.Reminder) error {
	_, err := w.tx.Exec(w.ctx, `UPDATE reminders SET zone = $3, lead_ms = $4, next_at = $5, deleted_at = $6, deleted_by = $7
		WHERE id = $1 AND deadline_id = $2`,
		r.ID, r.DeadlineID, r.Zone, r.Lead.Milliseconds(), stamp(r.Next, toMilli), stamp(r.DeletedAt, toMilli), blank(r.DeletedBy))
	return err
}

// InsertDeadline implements store.ReminderWriter.
func (w writer) InsertDeadline(d *reminders.Deadline) error {
	return w.tx.QueryRow(w.ctx, `INSERT INTO deadlines (key, name, at, zone, yearly, note, created_by, created_at, deleted_at, deleted_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		blank(d.Key), d.Name, stamp(d.At, toMilli), d.Zone, d.Yearly, d.Note, d.CreatedBy, stamp(d.CreatedAt, toMilli),
		stamp(d.DeletedAt, toMilli), blank(d.DeletedBy)).Scan(&d.ID)
}

// UpdateDeadline implements store.ReminderWriter.
func (w writer) UpdateDeadline(d *reminders.Deadline) error {
	_, err := w.tx.Exec(w.ctx, `UPDATE deadlines SET key = $2, name = $3, at = $4, zone = $5, yearly = $6, note = $7, deleted_at = $8, deleted_by = $9
		WHERE id = $1`,
		d.ID, blank(d.Key), d.Name, stamp(d.At, toMilli), d.Zone, d.Yearly, d.Note, stamp(d.DeletedAt, toMilli), blank(d.DeletedBy))
	return err
}

// DeleteReminder implements store.ReminderWriter.
func (w writer) DeleteReminder(id int64, by string, at time.Time) (bool, error) {
	tag, err := w.tx.Exec(w.ctx, `UPDATE reminders SET deleted_at = $2, deleted_by = $3, next_at = NULL WHERE id = $1 AND deleted_at IS NULL`,
		id, stamp(at, toMilli), by)
	return tag.RowsAffected() > 0, err
}

// DeleteDeadline implements store.ReminderWriter.
func (w writer) DeleteDeadline(id int64, by string, at time.Time) (bool, error) {
	tag, err := w.tx.Exec(w.ctx, `UPDATE deadlines SET deleted_at = $2, deleted_by = $3 WHERE id = $1 AND deleted_at IS NULL`, id, stamp(at, toMilli), by)
	return tag.RowsAffected() > 0, err
}

// DeleteLeads implements store.ReminderWriter.
func (w writer) DeleteLeads(deadlineID int64, by string, at time.Time) error {
	_, err := w.tx.Exec(w.ctx, `UPDATE reminders SET deleted_at = $2, deleted_by = $3, next_at = NULL WHERE deadline_id = $1 AND deleted_at IS NULL`,
		deadlineID, stamp(at, toMilli), by)
	return err
}

// CancelRetries implements store.ReminderWriter.
func (w writer) CancelRetries(id int64, at time.Time) error {
	return w.cancelRetries(at, `r.id = $3`, id)
}

// CancelLeadRetries implements store.ReminderWriter.
func (w writer) CancelLeadRetries(deadlineID int64, at time.Time) error {
	return w.cancelRetries(at, `r.deadline_id = $3`, deadlineID)
}

// cancelRetries cancels the pending retries of the reminders matched by
// cond (a condition on reminders r whose parameters start at $3).
func (w writer) cancelRetries(at time.Time, cond string, args ...any) error {
	_, err := w.tx.Exec(w.ctx, `UPDATE reminder_deliveries SET state = 'cancelled', next_try = NULL, error = $1, updated_at = $2
		WHERE state = 'retry' AND reminder_id IN (SELECT r.id FROM reminders r WHERE `+cond+`)`,
		append([]any{store.CancelledNote, stamp(at, toMilli)}, args...)...)
	return err
}

// Reminder returns an active reminder by ID.
func (s reminderStore) Reminder(ctx context.Context, id int64) (*reminders.Reminder, error) {
	rs, err := s.queryReminders(ctx, fmt.Sprintf("read reminder %d", id), `WHERE r.id = $1 AND r.deleted_at IS NULL`, id)
	return store.OneReminder(id, rs, err)
}

// UpcomingReminders returns the active reminders with a next occurrence,
// soonest first.
func (s reminderStore) UpcomingReminders(ctx context.Context) ([]*reminders.Reminder, error) {
	return s.queryReminders(ctx, "read upcoming reminders", `WHERE r.deleted_at IS NULL AND r.next_at IS NOT NULL ORDER BY r.next_at, r.id`)
}

const deadlineCols = `id, coalesce(key, ''), name, at, zone, yearly, note, created_by, created_at, deleted_at, coalesce(deleted_by, '')`

func scanDeadline(row pgx.Row, d *reminders.Deadline) error {
	return row.Scan(&d.ID, &d.Key, &d.Name, utc{&d.At}, &d.Zone, &d.Yearly, &d.Note, &d.CreatedBy, utc{&d.CreatedAt}, utc{&d.DeletedAt}, &d.DeletedBy)
}

// DeadlineByKey returns the deadline with the key, deleted or not, with
// all its lead reminders, or nil.
func (s reminderStore) DeadlineByKey(ctx context.Context, key string) (*reminders.Deadline, error) {
	d := &reminders.Deadline{}
	err := scanDeadline(s.db.pool.QueryRow(ctx, `SELECT `+deadlineCols+` FROM deadlines WHERE key = $1`, key), d)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read deadline %s: %w", key, err)
	}
	_, err = store.WithLeads([]*reminders.Deadline{d}, nil, func() ([]*reminders.Reminder, error) {
		return s.queryReminders(ctx, "read reminders of deadline "+key, `WHERE r.deadline_id = $1 ORDER BY r.lead_ms DESC`, d.ID)
	})
	return d, err
}

// DeadlineKeys returns the keys of the active deadlines from the deadlines
// file.
func (s reminderStore) DeadlineKeys(ctx context.Context) ([]string, error) {
	return queryAll(ctx, s.db.pool, "read deadline keys", func(row pgx.CollectableRow, key *string) error { return row.Scan(key) },
		`SELECT key FROM deadlines WHERE key IS NOT NULL AND deleted_at IS NULL ORDER BY key`)
}

// Deadlines returns the active deadlines with their active lead reminders.
func (s reminderStore) Deadlines(ctx context.Context) ([]*reminders.Deadline, error) {
	ds, err := queryAll(ctx, s.db.pool, "read deadlines", func(row pgx.CollectableRow, d **reminders.Deadline) error {
		*d = &reminders.Deadline{}
		return scanDeadline(row, *d)
	}, `SELECT `+deadlineCols+` FROM deadlines WHERE deleted_at IS NULL ORDER BY at, id`)
	return store.WithLeads(ds, err, func() ([]*reminders.Reminder, error) {
		return s.queryReminders(ctx, "read deadline reminders",
			`WHERE r.deadline_id IS NOT NULL AND r.deleted_at IS NULL AND d.deleted_at IS NULL ORDER BY r.deadline_id, r.lead_ms DESC`)
	})
}

// DueReminders returns up to limit active reminders due at or before now.
func (s reminderStore) DueReminders(ctx context.Context, now time.Time, limit int) ([]*reminders.Reminder, error) {
	return s.queryReminders(ctx, "read due reminders", `WHERE r.deleted_at IS NULL AND r.next_at <= $1 ORDER BY r.next_at, r.id LIMIT $2`,
		stamp(now, toMilli), limit)
}

// ClaimOccurrences applies the claims in one transaction and returns the
// deliveries to post.
//
// Each claim is one statement, and all of them travel in one round trip.
// A claim first locks its reminder's row if no one else holds it (FOR NO
// KEY UPDATE SKIP LOCKED) and only while the reminder's next occurrence
// is still From; it then moves the reminder on and inserts the delivery
// rows, leaving alone any that exist. A reminder whose row another
// process holds is skipped rather than waited for: that process is
// claiming it (or deleting or editing it), and if it rolls back, the
// occurrence is still due and is claimed on the next pass. Claimers thus
// never wait on each other, and never deadlock however their batches
// overlap.
func (s reminderStore) ClaimOccurrences(ctx context.Context, claims []reminders.Claim, now time.Time) ([]reminders.Delivery, error) {
	var out []reminders.Delivery
	err := s.db.tx(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		b := &pgx.Batch{}
		for _, c := range claims {
			b.Queue(`WITH claimed AS (
					SELECT id FROM reminders WHERE id = $1 AND next_at = $2 AND deleted_at IS NULL FOR NO KEY UPDATE SKIP LOCKED),
				advanced AS (
					UPDATE reminders r SET next_at = $3 FROM claimed WHERE r.id = claimed.id RETURNING r.id)
				INSERT INTO reminder_deliveries (reminder_id, occurrence, platform, state, error, updated_at)
				SELECT advanced.id, $4::timestamptz, platform, $5::text, $6::text, $7::timestamptz FROM advanced, unnest($8::text[]) AS platform
				ON CONFLICT DO NOTHING
				RETURNING platform`,
				c.ReminderID, stamp(c.From, toMilli), stamp(c.Next, toMilli), stamp(c.Occurrence, toMilli), string(c.State), c.Note, stamp(now, toMilli), c.Platforms).
				Query(func(rows pgx.Rows) error {
					inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
					if err != nil {
						return fmt.Errorf("claim reminder %d: %w", c.ReminderID, err)
					}
					out = append(out, store.Claimed(c, inserted, now)...)
					return nil
				})
		}
		return tx.SendBatch(ctx, b).Close()
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
	return queryAll(ctx, s.db.pool, what, func(row pgx.CollectableRow, d *reminders.Delivery) (err error) {
		d.Reminder, err = scanReminder(row, &d.ReminderID, utc{&d.Occurrence}, &d.Platform, &d.State, &d.Attempts, utc{&d.NextTry}, &d.Error, utc{&d.UpdatedAt})
		return err
	}, `SELECT `+deliveryCols+`, `+reminderCols+
		` FROM reminder_deliveries x JOIN reminders r ON r.id = x.reminder_id LEFT JOIN deadlines d ON d.id = r.deadline_id `+where, args...)
}

// DueRetries returns up to limit deliveries waiting for a retry due at or
// before now.
func (s reminderStore) DueRetries(ctx context.Context, now time.Time, limit int) ([]reminders.Delivery, error) {
	return s.queryDeliveries(ctx, "read due retries", `WHERE x.state = 'retry' AND x.next_try <= $1 ORDER BY x.next_try LIMIT $2`,
		stamp(now, toMilli), limit)
}

// ClaimRetry moves a delivery from retry to sending. The update is
// conditional on state retry, so of processes racing for it exactly one
// sees true.
func (s reminderStore) ClaimRetry(ctx context.Context, d reminders.Delivery, now time.Time) (bool, error) {
	n, err := s.db.exec(ctx, fmt.Sprintf("claim retry of reminder %d", d.ReminderID), `UPDATE reminder_deliveries SET state = 'sending', updated_at = $4
		WHERE reminder_id = $1 AND occurrence = $2 AND platform = $3 AND state = 'retry'`,
		d.ReminderID, stamp(d.Occurrence, toMilli), d.Platform, stamp(now, toMilli))
	return n == 1, err
}

// FinishDelivery records the outcome of a post on a delivery in sending
// state, by an update conditional on that state, so an outcome is
// recorded once. It also corrects one marked uncertain meanwhile, which
// happens when another process started on the same database while this
// one was posting.
func (s reminderStore) FinishDelivery(ctx context.Context, d reminders.Delivery, now time.Time) error {
	return store.FinishDelivery(d, func(nextTry time.Time) (int64, error) {
		return s.db.exec(ctx, "update the delivery", `UPDATE reminder_deliveries SET state = $4, attempts = $5, next_try = $6, error = $7, updated_at = $8
			WHERE reminder_id = $1 AND occurrence = $2 AND platform = $3 AND state IN ('sending', 'uncertain')`,
			d.ReminderID, stamp(d.Occurrence, toMilli), d.Platform, string(d.State), d.Attempts, stamp(nextTry, toMilli), d.Error, stamp(now, toMilli))
	})
}

// MarkInterrupted moves every delivery in sending state to uncertain, in
// one statement.
func (s reminderStore) MarkInterrupted(ctx context.Context, now time.Time) ([]reminders.Delivery, error) {
	return queryAll(ctx, s.db.pool, "mark interrupted reminder posts", func(row pgx.CollectableRow, d *reminders.Delivery) error {
		d.State = reminders.StateUncertain
		return row.Scan(&d.ReminderID, utc{&d.Occurrence}, &d.Platform, &d.Attempts)
	}, `UPDATE reminder_deliveries SET state = 'uncertain', next_try = NULL, error = $1, updated_at = $2
		WHERE state = 'sending' RETURNING reminder_id, occurrence, platform, attempts`, store.InterruptedNote, stamp(now, toMilli))
}

// NextWake returns the earliest next occurrence or retry time.
func (s reminderStore) NextWake(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := s.db.pool.QueryRow(ctx, `SELECT least(
		(SELECT min(next_at) FROM reminders WHERE deleted_at IS NULL),
		(SELECT min(next_try) FROM reminder_deliveries WHERE state = 'retry'))`).Scan(utc{&t})
	if err != nil {
		return time.Time{}, fmt.Errorf("read next reminder time: %w", err)
	}
	return t, nil
}

// Problems returns failed, uncertain and skipped deliveries updated at or
// after since, newest first.
func (s reminderStore) Problems(ctx context.Context, since time.Time) ([]reminders.Delivery, error) {
	return s.queryDeliveries(ctx, "read reminder problems", `WHERE x.state = ANY($1) AND x.updated_at >= $2
		ORDER BY x.updated_at DESC, x.reminder_id LIMIT $3`, store.ProblemStates(), stamp(since, toMilli), store.MaxProblems)
}

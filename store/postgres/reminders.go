package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/reminders"
	"github.com/unionhall/unionhall/store"
)

// ReminderStore implements reminders.Store.
type ReminderStore struct {
	db *DB
}

var _ reminders.Store = (*ReminderStore)(nil)

// NewReminderStore returns the reminders store of db.
func NewReminderStore(db *DB) *ReminderStore { return &ReminderStore{db: db} }

// reminderCols selects a reminder and its deadline (alias r and d); the
// deadline's columns are NULL for a reminder without one.
const reminderCols = `r.id, r.kind, r.text, r.zone, r.at, coalesce(r.spec, ''), r.anchor, coalesce(r.deadline_id, 0), coalesce(r.lead_ms, 0),
	r.next_at, r.created_by, r.created_at, r.deleted_at, coalesce(r.deleted_by, ''),
	d.id, coalesce(d.key, ''), coalesce(d.name, ''), d.at, coalesce(d.zone, ''), coalesce(d.yearly, false), coalesce(d.note, ''),
	coalesce(d.created_by, ''), d.created_at, d.deleted_at, coalesce(d.deleted_by, '')`

const reminderFrom = ` FROM reminders r LEFT JOIN deadlines d ON d.id = r.deadline_id `

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

// queryReminders runs a query selecting reminderCols.
func (s *ReminderStore) queryReminders(ctx context.Context, where string, args ...any) ([]*reminders.Reminder, error) {
	rows, _ := s.db.pool.Query(ctx, `SELECT `+reminderCols+reminderFrom+where, args...)
	return collect(rows, func(row pgx.CollectableRow, r **reminders.Reminder) (err error) {
		*r, err = scanReminder(row)
		return err
	})
}

// blank returns NULL for "", so that optional text stays NULL as on
// SQLite.
func blank(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// insertReminder inserts r and sets its ID. Only the fields of r's kind
// are stored.
func insertReminder(ctx context.Context, tx pgx.Tx, r *reminders.Reminder) error {
	var at, spec, deadline, lead any
	switch r.Kind {
	case reminders.KindOnce:
		at = stamp(r.At, toMilli)
	case reminders.KindCron:
		spec = r.Spec
	case reminders.KindLead:
		deadline, lead = r.DeadlineID, r.Lead.Milliseconds()
	}
	err := tx.QueryRow(ctx, `INSERT INTO reminders
		(kind, text, zone, at, spec, anchor, deadline_id, lead_ms, next_at, created_by, created_at, deleted_at, deleted_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		string(r.Kind), r.Text, r.Zone, at, spec, stamp(r.Anchor, toMilli), deadline, lead, stamp(r.Next, toMilli),
		r.CreatedBy, stamp(r.CreatedAt, toMilli), stamp(r.DeletedAt, toMilli), blank(r.DeletedBy)).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("insert reminder: %w", err)
	}
	return nil
}

// CreateReminder stores a new reminder and sets its ID.
func (s *ReminderStore) CreateReminder(ctx context.Context, r *reminders.Reminder) error {
	return s.db.tx(ctx, func(tx pgx.Tx) error { return insertReminder(ctx, tx, r) })
}

// Reminder returns an active reminder by ID.
func (s *ReminderStore) Reminder(ctx context.Context, id int64) (*reminders.Reminder, error) {
	rs, err := s.queryReminders(ctx, `WHERE r.id = $1 AND r.deleted_at IS NULL`, id)
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
	rs, err := s.queryReminders(ctx, `WHERE r.deleted_at IS NULL AND r.next_at IS NOT NULL ORDER BY r.next_at, r.id`)
	if err != nil {
		return nil, fmt.Errorf("read upcoming reminders: %w", err)
	}
	return rs, nil
}

// cancelRetries cancels the pending retries of the reminders matched by
// cond (a condition on reminders r whose parameters start at $3).
func cancelRetries(ctx context.Context, tx pgx.Tx, at time.Time, cond string, args ...any) error {
	_, err := tx.Exec(ctx, `UPDATE reminder_deliveries SET state = 'cancelled', next_try = NULL, error = $1, updated_at = $2
		WHERE state = 'retry' AND reminder_id IN (SELECT r.id FROM reminders r WHERE `+cond+`)`,
		append([]any{store.CancelledNote, stamp(at, toMilli)}, args...)...)
	if err != nil {
		return fmt.Errorf("cancel retries: %w", err)
	}
	return nil
}

// DeleteReminder marks an active reminder deleted and cancels its retries.
func (s *ReminderStore) DeleteReminder(ctx context.Context, id int64, by string, at time.Time) error {
	return s.db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE reminders SET deleted_at = $2, deleted_by = $3, next_at = NULL WHERE id = $1 AND deleted_at IS NULL`,
			id, stamp(at, toMilli), by)
		if err != nil {
			return fmt.Errorf("delete reminder %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return store.NoReminder(id)
		}
		return cancelRetries(ctx, tx, at, `r.id = $3`, id)
	})
}

// writeDeadline inserts or updates a deadline row.
func writeDeadline(ctx context.Context, tx pgx.Tx, d *reminders.Deadline) error {
	if d.ID == 0 {
		err := tx.QueryRow(ctx, `INSERT INTO deadlines (key, name, at, zone, yearly, note, created_by, created_at, deleted_at, deleted_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			blank(d.Key), d.Name, stamp(d.At, toMilli), d.Zone, d.Yearly, d.Note, d.CreatedBy, stamp(d.CreatedAt, toMilli),
			stamp(d.DeletedAt, toMilli), blank(d.DeletedBy)).Scan(&d.ID)
		if err != nil {
			return fmt.Errorf("insert deadline: %w", err)
		}
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE deadlines SET key = $2, name = $3, at = $4, zone = $5, yearly = $6, note = $7, deleted_at = $8, deleted_by = $9
		WHERE id = $1`,
		d.ID, blank(d.Key), d.Name, stamp(d.At, toMilli), d.Zone, d.Yearly, d.Note, stamp(d.DeletedAt, toMilli), blank(d.DeletedBy))
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
	return s.db.tx(ctx, func(tx pgx.Tx) error {
		if err := writeDeadline(ctx, tx, d); err != nil {
			return err
		}
		return store.SaveLeads(d, leadWriter{ctx, tx})
	})
}

// leadWriter writes lead reminders in a transaction.
type leadWriter struct {
	ctx context.Context
	tx  pgx.Tx
}

// InsertReminder inserts r.
func (w leadWriter) InsertReminder(r *reminders.Reminder) error {
	return insertReminder(w.ctx, w.tx, r)
}

// UpdateLead writes r's zone, lead time, next occurrence and deletion.
func (w leadWriter) UpdateLead(r *reminders.Reminder) error {
	_, err := w.tx.Exec(w.ctx, `UPDATE reminders SET zone = $3, lead_ms = $4, next_at = $5, deleted_at = $6, deleted_by = $7
		WHERE id = $1 AND deadline_id = $2`,
		r.ID, r.DeadlineID, r.Zone, r.Lead.Milliseconds(), stamp(r.Next, toMilli), stamp(r.DeletedAt, toMilli), blank(r.DeletedBy))
	return err
}

// CancelRetries cancels reminder id's pending retries.
func (w leadWriter) CancelRetries(id int64, at time.Time) error {
	return cancelRetries(w.ctx, w.tx, at, `r.id = $3`, id)
}

const deadlineCols = `id, coalesce(key, ''), name, at, zone, yearly, note, created_by, created_at, deleted_at, coalesce(deleted_by, '')`

func scanDeadline(row pgx.Row, d *reminders.Deadline) error {
	return row.Scan(&d.ID, &d.Key, &d.Name, utc{&d.At}, &d.Zone, &d.Yearly, &d.Note, &d.CreatedBy, utc{&d.CreatedAt}, utc{&d.DeletedAt}, &d.DeletedBy)
}

// DeadlineByKey returns the deadline with the key, deleted or not, with
// all its lead reminders, or nil.
func (s *ReminderStore) DeadlineByKey(ctx context.Context, key string) (*reminders.Deadline, error) {
	d := &reminders.Deadline{}
	err := scanDeadline(s.db.pool.QueryRow(ctx, `SELECT `+deadlineCols+` FROM deadlines WHERE key = $1`, key), d)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read deadline %s: %w", key, err)
	}
	leads, err := s.queryReminders(ctx, `WHERE r.deadline_id = $1 ORDER BY r.lead_ms DESC`, d.ID)
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
	rows, _ := s.db.pool.Query(ctx, `SELECT key FROM deadlines WHERE key IS NOT NULL AND deleted_at IS NULL ORDER BY key`)
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read deadline keys: %w", err)
	}
	return keys, nil
}

// Deadlines returns the active deadlines with their active lead reminders.
func (s *ReminderStore) Deadlines(ctx context.Context) ([]*reminders.Deadline, error) {
	rows, _ := s.db.pool.Query(ctx, `SELECT `+deadlineCols+` FROM deadlines WHERE deleted_at IS NULL ORDER BY at, id`)
	out, err := collect(rows, func(row pgx.CollectableRow, d **reminders.Deadline) error {
		*d = &reminders.Deadline{}
		return scanDeadline(row, *d)
	})
	if err != nil {
		return nil, fmt.Errorf("read deadlines: %w", err)
	}
	leads, err := s.queryReminders(ctx, `WHERE r.deadline_id IS NOT NULL AND r.deleted_at IS NULL AND d.deleted_at IS NULL ORDER BY r.deadline_id, r.lead_ms DESC`)
	if err != nil {
		return nil, fmt.Errorf("read deadline reminders: %w", err)
	}
	for _, r := range leads {
		i := slices.IndexFunc(out, func(d *reminders.Deadline) bool { return d.ID == r.DeadlineID })
		if i >= 0 {
			r.Deadline = out[i]
			out[i].Leads = append(out[i].Leads, r)
		}
	}
	return out, nil
}

// DeleteDeadline marks an active deadline and its reminders deleted and
// cancels their retries.
func (s *ReminderStore) DeleteDeadline(ctx context.Context, id int64, by string, at time.Time) error {
	return s.db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE deadlines SET deleted_at = $2, deleted_by = $3 WHERE id = $1 AND deleted_at IS NULL`, id, stamp(at, toMilli), by)
		if err != nil {
			return fmt.Errorf("delete deadline %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return store.NoDeadline(id)
		}
		if _, err := tx.Exec(ctx, `UPDATE reminders SET deleted_at = $2, deleted_by = $3, next_at = NULL WHERE deadline_id = $1 AND deleted_at IS NULL`,
			id, stamp(at, toMilli), by); err != nil {
			return fmt.Errorf("delete reminders of deadline %d: %w", id, err)
		}
		return cancelRetries(ctx, tx, at, `r.deadline_id = $3`, id)
	})
}

// DueReminders returns up to limit active reminders due at or before now.
func (s *ReminderStore) DueReminders(ctx context.Context, now time.Time, limit int) ([]*reminders.Reminder, error) {
	rs, err := s.queryReminders(ctx, `WHERE r.deleted_at IS NULL AND r.next_at <= $1 ORDER BY r.next_at, r.id LIMIT $2`,
		stamp(now, toMilli), limit)
	if err != nil {
		return nil, fmt.Errorf("read due reminders: %w", err)
	}
	return rs, nil
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
func (s *ReminderStore) ClaimOccurrences(ctx context.Context, claims []reminders.Claim, now time.Time) ([]reminders.Delivery, error) {
	var out []reminders.Delivery
	err := s.db.tx(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		b := &pgx.Batch{}
		for _, c := range claims {
			occurrence := c.Occurrence.UTC().Truncate(toMilli)
			b.Queue(`WITH claimed AS (
					SELECT id FROM reminders WHERE id = $1 AND next_at = $2 AND deleted_at IS NULL FOR NO KEY UPDATE SKIP LOCKED),
				advanced AS (
					UPDATE reminders r SET next_at = $3 FROM claimed WHERE r.id = claimed.id RETURNING r.id)
				INSERT INTO reminder_deliveries (reminder_id, occurrence, platform, state, error, updated_at)
				SELECT advanced.id, $4::timestamptz, platform, $5::text, $6::text, $7::timestamptz FROM advanced, unnest($8::text[]) AS platform
				ON CONFLICT DO NOTHING
				RETURNING platform`,
				c.ReminderID, stamp(c.From, toMilli), stamp(c.Next, toMilli), occurrence, string(c.State), c.Note, stamp(now, toMilli), c.Platforms).
				Query(func(rows pgx.Rows) error {
					inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
					if err != nil {
						return fmt.Errorf("claim reminder %d: %w", c.ReminderID, err)
					}
					if c.State != reminders.StateSending {
						return nil
					}
					for _, p := range c.Platforms {
						if slices.Contains(inserted, p) {
							out = append(out, reminders.Delivery{ReminderID: c.ReminderID, Occurrence: occurrence,
								Platform: p, State: reminders.StateSending, UpdatedAt: now})
						}
					}
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

// queryDeliveries runs a query selecting deliveryCols and reminderCols.
func (s *ReminderStore) queryDeliveries(ctx context.Context, where string, args ...any) ([]reminders.Delivery, error) {
	rows, _ := s.db.pool.Query(ctx, `SELECT `+deliveryCols+`, `+reminderCols+
		` FROM reminder_deliveries x JOIN reminders r ON r.id = x.reminder_id LEFT JOIN deadlines d ON d.id = r.deadline_id `+where, args...)
	return collect(rows, func(row pgx.CollectableRow, d *reminders.Delivery) (err error) {
		d.Reminder, err = scanReminder(row, &d.ReminderID, utc{&d.Occurrence}, &d.Platform, &d.State, &d.Attempts, utc{&d.NextTry}, &d.Error, utc{&d.UpdatedAt})
		return err
	})
}

// DueRetries returns up to limit deliveries waiting for a retry due at or
// before now.
func (s *ReminderStore) DueRetries(ctx context.Context, now time.Time, limit int) ([]reminders.Delivery, error) {
	ds, err := s.queryDeliveries(ctx, `WHERE x.state = 'retry' AND x.next_try <= $1 ORDER BY x.next_try LIMIT $2`, stamp(now, toMilli), limit)
	if err != nil {
		return nil, fmt.Errorf("read due retries: %w", err)
	}
	return ds, nil
}

// ClaimRetry moves a delivery from retry to sending. The update is
// conditional on state retry, so of processes racing for it exactly one
// sees true.
func (s *ReminderStore) ClaimRetry(ctx context.Context, d reminders.Delivery, now time.Time) (bool, error) {
	tag, err := s.db.pool.Exec(ctx, `UPDATE reminder_deliveries SET state = 'sending', updated_at = $4
		WHERE reminder_id = $1 AND occurrence = $2 AND platform = $3 AND state = 'retry'`,
		d.ReminderID, stamp(d.Occurrence, toMilli), d.Platform, stamp(now, toMilli))
	if err != nil {
		return false, fmt.Errorf("claim retry of reminder %d: %w", d.ReminderID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// FinishDelivery records the outcome of a post on a delivery in sending
// state, by an update conditional on that state, so an outcome is
// recorded once. It also corrects one marked uncertain meanwhile, which
// happens when another process started on the same database while this
// one was posting.
func (s *ReminderStore) FinishDelivery(ctx context.Context, d reminders.Delivery, now time.Time) error {
	if err := store.CheckFinishedDelivery(d); err != nil {
		return err
	}
	var nextTry any
	if d.State == reminders.StateRetry {
		nextTry = stamp(d.NextTry, toMilli)
	}
	tag, err := s.db.pool.Exec(ctx, `UPDATE reminder_deliveries SET state = $4, attempts = $5, next_try = $6, error = $7, updated_at = $8
		WHERE reminder_id = $1 AND occurrence = $2 AND platform = $3 AND state IN ('sending', 'uncertain')`,
		d.ReminderID, stamp(d.Occurrence, toMilli), d.Platform, string(d.State), d.Attempts, nextTry, d.Error, stamp(now, toMilli))
	if err != nil {
		return fmt.Errorf("record delivery of reminder %d: %w", d.ReminderID, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("record delivery of reminder %d at %s on %s: not in sending state", d.ReminderID, d.Occurrence.UTC().Format(time.RFC3339Nano), d.Platform)
	}
	return nil
}

// MarkInterrupted moves every delivery in sending state to uncertain, in
// one statement.
func (s *ReminderStore) MarkInterrupted(ctx context.Context, now time.Time) ([]reminders.Delivery, error) {
	rows, _ := s.db.pool.Query(ctx, `UPDATE reminder_deliveries SET state = 'uncertain', next_try = NULL, error = $1, updated_at = $2
		WHERE state = 'sending' RETURNING reminder_id, occurrence, platform, attempts`, store.InterruptedNote, stamp(now, toMilli))
	ds, err := collect(rows, func(row pgx.CollectableRow, d *reminders.Delivery) error {
		d.State = reminders.StateUncertain
		return row.Scan(&d.ReminderID, utc{&d.Occurrence}, &d.Platform, &d.Attempts)
	})
	if err != nil {
		return nil, fmt.Errorf("mark interrupted reminder posts: %w", err)
	}
	return ds, nil
}

// NextWake returns the earliest next occurrence or retry time.
func (s *ReminderStore) NextWake(ctx context.Context) (time.Time, error) {
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
func (s *ReminderStore) Problems(ctx context.Context, since time.Time) ([]reminders.Delivery, error) {
	ds, err := s.queryDeliveries(ctx, `WHERE x.state IN ('failed', 'uncertain', 'skipped') AND x.updated_at >= $1
		ORDER BY x.updated_at DESC, x.reminder_id LIMIT $2`, stamp(since, toMilli), store.MaxProblems)
	if err != nil {
		return nil, fmt.Errorf("read reminder problems: %w", err)
	}
	return ds, nil
}

package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/reminders"
)

// CancelledNote is the error recorded on a reminder retry cancelled
// because its reminder was deleted.
const CancelledNote = "reminder deleted"

// MaxProblems is how many delivery problems reminders.Store.Problems
// returns at most.
const MaxProblems = 100

// ProblemStates are the states of the deliveries that
// reminders.Store.Problems returns.
func ProblemStates() []string {
	return []string{string(reminders.StateFailed), string(reminders.StateUncertain), string(reminders.StateSkipped)}
}

// NoReminder is the error for a reminder that does not exist or was
// deleted.
func NoReminder(id int64) error {
	return bot.Errorf(bot.ENOTFOUND, "There is no reminder %s. /remind list shows them.", reminders.ReminderRef(id))
}

// NoDeadline is the error for a deadline that does not exist or was
// deleted.
func NoDeadline(id int64) error {
	return bot.Errorf(bot.ENOTFOUND, "There is no deadline %s. /deadline list shows them.", reminders.DeadlineRef(id))
}

// ReminderWriter writes reminders and deadlines inside one transaction
// of an engine. Each method is one statement, which returns the
// database's error as it is; Reminders decides which statements a change
// takes.
type ReminderWriter interface {
	// InsertReminder stores a new reminder and sets its ID. Only the
	// fields of its kind are stored.
	InsertReminder(r *reminders.Reminder) error
	// UpdateLead writes a lead reminder's zone, lead time, next
	// occurrence and deleted state.
	UpdateLead(r *reminders.Reminder) error
	// InsertDeadline stores a new deadline and sets its ID.
	InsertDeadline(d *reminders.Deadline) error
	// UpdateDeadline writes every field of a stored deadline.
	UpdateDeadline(d *reminders.Deadline) error
	// DeleteReminder marks reminder id deleted, by by at at, and reports
	// whether it was active.
	DeleteReminder(id int64, by string, at time.Time) (bool, error)
	// DeleteDeadline marks deadline id deleted, by by at at, and reports
	// whether it was active.
	DeleteDeadline(id int64, by string, at time.Time) (bool, error)
	// DeleteLeads marks the active reminders of deadline id deleted.
	DeleteLeads(deadlineID int64, by string, at time.Time) error
	// CancelRetries cancels, with CancelledNote at at, the pending
	// retries of reminder id.
	CancelRetries(id int64, at time.Time) error
	// CancelLeadRetries cancels, with CancelledNote at at, the pending
	// retries of every reminder of deadline id.
	CancelLeadRetries(deadlineID int64, at time.Time) error
}

// Reminders implements reminders.Store on an engine. What a change to
// reminders or deadlines consists of, and the errors members see, are
// written here once, over the engine's ReminderWriter; reading reminders
// and the protocol that posts each occurrence once are the engine's own
// (ReminderEngine), as their statements and locking differ.
type Reminders struct {
	ReminderEngine
	// Write runs fn in one transaction, with a writer on it, and commits
	// it when fn returns nil; otherwise it rolls back and returns fn's
	// error as it is.
	Write func(ctx context.Context, fn func(ReminderWriter) error) error
}

var _ reminders.Store = Reminders{}

// ReminderEngine is the part of reminders.Store that each engine
// implements itself; reminders.Store gives each method's contract.
type ReminderEngine interface {
	Reminder(ctx context.Context, id int64) (*reminders.Reminder, error)
	UpcomingReminders(ctx context.Context) ([]*reminders.Reminder, error)
	DeadlineByKey(ctx context.Context, key string) (*reminders.Deadline, error)
	DeadlineKeys(ctx context.Context) ([]string, error)
	Deadlines(ctx context.Context) ([]*reminders.Deadline, error)
	DueReminders(ctx context.Context, now time.Time, limit int) ([]*reminders.Reminder, error)
	ClaimOccurrences(ctx context.Context, claims []reminders.Claim, now time.Time) ([]reminders.Delivery, error)
	DueRetries(ctx context.Context, now time.Time, limit int) ([]reminders.Delivery, error)
	ClaimRetry(ctx context.Context, d reminders.Delivery, now time.Time) (bool, error)
	FinishDelivery(ctx context.Context, d reminders.Delivery, now time.Time) error
	MarkInterrupted(ctx context.Context, now time.Time) ([]reminders.Delivery, error)
	NextWake(ctx context.Context) (time.Time, error)
	Problems(ctx context.Context, since time.Time) ([]reminders.Delivery, error)
}

// CreateReminder stores a new reminder and sets its ID.
func (s Reminders) CreateReminder(ctx context.Context, r *reminders.Reminder) error {
	return s.Write(ctx, func(w ReminderWriter) error { return insertReminder(w, r) })
}

// insertReminder inserts r with w.
func insertReminder(w ReminderWriter, r *reminders.Reminder) error {
	if err := w.InsertReminder(r); err != nil {
		return fmt.Errorf("insert reminder: %w", err)
	}
	return nil
}

// DeleteReminder marks an active reminder deleted and cancels its
// retries.
func (s Reminders) DeleteReminder(ctx context.Context, id int64, by string, at time.Time) error {
	return s.Write(ctx, func(w ReminderWriter) error {
		return deleteActive(fmt.Sprintf("delete reminder %d", id), NoReminder(id),
			func() (bool, error) { return w.DeleteReminder(id, by, at) },
			func() error { return cancelRetries(w.CancelRetries(id, at)) })
	})
}

// deleteActive marks a reminder or deadline deleted with mark, which
// reports whether it was active, and then runs then. One that was not
// active is missing; a failure to mark it is reported with what.
func deleteActive(what string, missing error, mark func() (bool, error), then func() error) error {
	active, err := mark()
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	case !active:
		return missing
	}
	return then()
}

// cancelRetries returns the error of cancelling retries, with context.
func cancelRetries(err error) error {
	if err != nil {
		return fmt.Errorf("cancel retries: %w", err)
	}
	return nil
}

// CreateDeadline stores a new deadline with its lead reminders.
func (s Reminders) CreateDeadline(ctx context.Context, d *reminders.Deadline) error {
	if d.ID != 0 {
		return fmt.Errorf("create deadline: already has ID %d", d.ID)
	}
	return s.SaveDeadline(ctx, d)
}

// SaveDeadline inserts or updates a deadline and its lead reminders in
// one transaction: each lead becomes a lead reminder of d; new ones are
// inserted, the others updated in full, and the retries of those deleted
// are cancelled.
func (s Reminders) SaveDeadline(ctx context.Context, d *reminders.Deadline) error {
	return s.Write(ctx, func(w ReminderWriter) error {
		if d.ID == 0 {
			if err := w.InsertDeadline(d); err != nil {
				return fmt.Errorf("insert deadline: %w", err)
			}
		} else if err := w.UpdateDeadline(d); err != nil {
			return fmt.Errorf("update deadline %d: %w", d.ID, err)
		}
		for _, r := range d.Leads {
			r.Kind, r.DeadlineID, r.Deadline = reminders.KindLead, d.ID, d
			if r.ID == 0 {
				if err := insertReminder(w, r); err != nil {
					return err
				}
				continue
			}
			if err := w.UpdateLead(r); err != nil {
				return fmt.Errorf("update reminder %d: %w", r.ID, err)
			}
			if !r.DeletedAt.IsZero() {
				if err := cancelRetries(w.CancelRetries(r.ID, r.DeletedAt)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// DeleteDeadline marks an active deadline and its reminders deleted and
// cancels their retries.
func (s Reminders) DeleteDeadline(ctx context.Context, id int64, by string, at time.Time) error {
	return s.Write(ctx, func(w ReminderWriter) error {
		return deleteActive(fmt.Sprintf("delete deadline %d", id), NoDeadline(id),
			func() (bool, error) { return w.DeleteDeadline(id, by, at) },
			func() error {
				if err := w.DeleteLeads(id, by, at); err != nil {
					return fmt.Errorf("delete reminders of deadline %d: %w", id, err)
				}
				return cancelRetries(w.CancelLeadRetries(id, at))
			})
	})
}

// OneReminder returns the reminder that a read of reminder id found, or
// NoReminder when it found none.
func OneReminder(id int64, found []*reminders.Reminder, err error) (*reminders.Reminder, error) {
	switch {
	case err != nil:
		return nil, err
	case len(found) == 0:
		return nil, NoReminder(id)
	}
	return found[0], nil
}

// WithLeads returns deadlines ds, as read with err, each with its lead
// reminders among those that leads reads, in their order.
func WithLeads(ds []*reminders.Deadline, err error, leads func() ([]*reminders.Reminder, error)) ([]*reminders.Deadline, error) {
	if err != nil {
		return nil, err
	}
	rs, err := leads()
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if i := slices.IndexFunc(ds, func(d *reminders.Deadline) bool { return d.ID == r.DeadlineID }); i >= 0 {
			r.Deadline = ds[i]
			ds[i].Leads = append(ds[i].Leads, r)
		}
	}
	return ds, nil
}

// Claimed returns the deliveries that claim c yields, given the
// platforms whose delivery rows it inserted: one to post on each of
// them, in the claim's order, when the claim is to post (a skipped
// occurrence yields none). The occurrence is kept to the millisecond, in
// UTC, as stored.
func Claimed(c reminders.Claim, inserted []string, now time.Time) []reminders.Delivery {
	if c.State != reminders.StateSending {
		return nil
	}
	var out []reminders.Delivery
	for _, p := range c.Platforms {
		if slices.Contains(inserted, p) {
			out = append(out, reminders.Delivery{ReminderID: c.ReminderID, Occurrence: c.Occurrence.UTC().Truncate(time.Millisecond),
				Platform: p, State: reminders.StateSending, UpdatedAt: now})
		}
	}
	return out
}

// FinishDelivery implements reminders.Store.FinishDelivery for an engine,
// given update, which writes d's state, attempts and error, and nextTry
// (zero for none), on the delivery if it is in state sending or
// uncertain, and returns how many deliveries it changed. It refuses an
// outcome that cannot be recorded, and one for a post that was not under
// way.
func FinishDelivery(d reminders.Delivery, update func(nextTry time.Time) (int64, error)) error {
	switch d.State {
	case reminders.StateSent, reminders.StateRetry, reminders.StateFailed, reminders.StateCancelled:
	default:
		return fmt.Errorf("finish delivery of reminder %d: unexpected state %q", d.ReminderID, d.State)
	}
	var nextTry time.Time
	if d.State == reminders.StateRetry {
		nextTry = d.NextTry
	}
	n, err := update(nextTry)
	switch {
	case err != nil:
		return fmt.Errorf("record delivery of reminder %d: %w", d.ReminderID, err)
	case n != 1:
		return fmt.Errorf("record delivery of reminder %d at %s on %s: not in sending state",
			d.ReminderID, d.Occurrence.UTC().Format(time.RFC3339Nano), d.Platform)
	}
	return nil
}

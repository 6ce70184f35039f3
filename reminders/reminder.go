package reminders

import (
	"context"
	"time"
)

// Kind is the kind of rule a reminder follows.
type Kind string

// Reminder kinds.
const (
	// KindOnce fires once, at Reminder.At.
	KindOnce Kind = "once"
	// KindCron fires on the schedule of the cron spec Reminder.Spec.
	KindCron Kind = "cron"
	// KindLead fires Reminder.Lead before its deadline.
	KindLead Kind = "lead"
)

// MaxTextLength is the longest reminder text accepted, in characters.
const MaxTextLength = 2000

// ByConfig is the CreatedBy of deadlines (and their reminders) from the
// deadlines file, and the DeletedBy of those removed because they are no
// longer in it. Deadlines deleted this way come back when they return to
// the file; deadlines a steward deleted do not.
const ByConfig = "config"

// Reminder is one reminder rule and its scheduling state.
type Reminder struct {
	// ID is the reminder's public number.
	ID int64
	// Kind says which rule fields apply.
	Kind Kind
	// Text is what is posted, exactly as a steward typed it. For KindLead
	// it is empty: the post is written from the deadline.
	Text string
	// Zone is the IANA name of the time zone the rule is read in.
	Zone string
	// At is when a KindOnce reminder fires.
	At time.Time
	// Spec is a KindCron reminder's cron spec as typed, possibly with a
	// CRON_TZ= prefix.
	Spec string
	// Anchor is the origin of the grid of an "@every" spec: occurrences
	// are Anchor plus whole multiples of the interval.
	Anchor time.Time
	// DeadlineID is the deadline of a KindLead reminder.
	DeadlineID int64
	// Lead is how long before the deadline a KindLead reminder fires.
	Lead time.Duration
	// Deadline is the deadline of a KindLead reminder, filled in by the
	// Store when reminders are read.
	Deadline *Deadline
	// Next is the next occurrence not yet handled; zero when there is none
	// (a one-off that has fired, a deadline that has passed).
	Next time.Time
	// CreatedBy is the platform-qualified ID of the steward who added it,
	// or ByConfig.
	CreatedBy string
	// CreatedAt is when it was added.
	CreatedAt time.Time
	// DeletedAt is when it was deleted; zero while it is active.
	DeletedAt time.Time
	// DeletedBy says who deleted it: a platform-qualified ID, or
	// ByConfig.
	DeletedBy string
}

// Deadline is a date members must act by, with reminders before it.
type Deadline struct {
	// ID is the deadline's public number.
	ID int64
	// Key identifies a deadline from the deadlines file across restarts;
	// empty for deadlines added in chat.
	Key string
	// Name is what the deadline is called, e.g. "Ratification deadline".
	Name string
	// At is the deadline. For a Yearly deadline it is one instance; the
	// month, day and time of day in Zone are what repeat.
	At time.Time
	// Zone is the IANA name of the deadline's time zone.
	Zone string
	// Yearly reports whether the deadline comes round every year (a date
	// without a year in the deadlines file).
	Yearly bool
	// Note is an optional line added to every reminder of the deadline.
	Note string
	// Leads are the deadline's reminders, one per lead time, when read
	// with them.
	Leads []*Reminder
	// CreatedBy is who added it: a platform-qualified ID, or ByConfig.
	CreatedBy string
	// CreatedAt is when it was added.
	CreatedAt time.Time
	// DeletedAt is when it was deleted; zero while it is active.
	DeletedAt time.Time
	// DeletedBy says who deleted it: a platform-qualified ID, or
	// ByConfig.
	DeletedBy string
}

// State is the state of one delivery: one occurrence of one reminder on
// one platform.
type State string

// Delivery states.
const (
	// StateSending means the delivery is claimed and the post is being
	// made. A delivery found in this state at start-up was interrupted.
	StateSending State = "sending"
	// StateSent means the platform accepted the post.
	StateSent State = "sent"
	// StateRetry means the last attempt failed; another is due at NextTry.
	StateRetry State = "retry"
	// StateFailed means every attempt failed until the occurrence was too
	// old to post.
	StateFailed State = "failed"
	// StateUncertain means the process stopped while the post was being
	// made, so it may or may not have gone out. It is not posted again.
	StateUncertain State = "uncertain"
	// StateSkipped means the occurrence was missed by more than the grace
	// period and was not posted.
	StateSkipped State = "skipped"
	// StateCancelled means the reminder was deleted before a retry.
	StateCancelled State = "cancelled"
)

// Delivery is one occurrence of one reminder on one platform.
type Delivery struct {
	// ReminderID is the reminder.
	ReminderID int64
	// Occurrence is when the occurrence was due, in UTC.
	Occurrence time.Time
	// Platform is the platform posted to.
	Platform string
	// State is the delivery's state.
	State State
	// Attempts is how many posts were tried.
	Attempts int
	// NextTry is when a StateRetry delivery is tried again.
	NextTry time.Time
	// Error is the last error, for StateRetry, StateFailed and notes on
	// other states.
	Error string
	// UpdatedAt is when the state last changed.
	UpdatedAt time.Time
	// Reminder is the reminder, filled in by DueRetries.
	Reminder *Reminder
}

// Claim advances one reminder past its due occurrences and records what
// is done with the occurrence it handles.
type Claim struct {
	// ReminderID is the reminder claimed.
	ReminderID int64
	// From is the reminder's next occurrence as read; the claim only takes
	// effect while it is still the stored value.
	From time.Time
	// Next is the new next occurrence; zero when there is none.
	Next time.Time
	// Occurrence is the occurrence handled (posted or skipped).
	Occurrence time.Time
	// Platforms are the platforms to record a delivery for.
	Platforms []string
	// State is StateSending to post the occurrence, or StateSkipped.
	State State
	// Note is stored with a skipped delivery.
	Note string
}

// Store is what the reminders feature needs from storage. Times are stored
// in UTC with millisecond precision.
type Store interface {
	// CreateReminder stores a new KindOnce or KindCron reminder and sets
	// its ID.
	CreateReminder(ctx context.Context, r *Reminder) error
	// Reminder returns an active reminder by ID, or an ENOTFOUND error.
	Reminder(ctx context.Context, id int64) (*Reminder, error)
	// UpcomingReminders returns the active reminders that have a next
	// occurrence, soonest first.
	UpcomingReminders(ctx context.Context) ([]*Reminder, error)
	// DeleteReminder marks an active reminder deleted and cancels its
	// pending retries; ENOTFOUND when there is no such active reminder.
	DeleteReminder(ctx context.Context, id int64, by string, at time.Time) error

	// CreateDeadline stores a new deadline with its lead reminders (in
	// d.Leads) and sets their IDs.
	CreateDeadline(ctx context.Context, d *Deadline) error
	// SaveDeadline writes a deadline from the deadlines file and its lead
	// reminders: rows with an ID are updated in full (including deleted
	// state and next occurrence), others inserted.
	SaveDeadline(ctx context.Context, d *Deadline) error
	// DeadlineByKey returns the deadline with the key, deleted or not,
	// with all its lead reminders; nil when there is none.
	DeadlineByKey(ctx context.Context, key string) (*Deadline, error)
	// DeadlineKeys returns the keys of active deadlines from the deadlines
	// file.
	DeadlineKeys(ctx context.Context) ([]string, error)
	// Deadlines returns the active deadlines with their active lead
	// reminders, soonest first.
	Deadlines(ctx context.Context) ([]*Deadline, error)
	// DeleteDeadline marks an active deadline and its reminders deleted
	// and cancels their pending retries; ENOTFOUND when there is none.
	DeleteDeadline(ctx context.Context, id int64, by string, at time.Time) error

	// DueReminders returns up to limit active reminders whose next
	// occurrence is at or before now, soonest first.
	DueReminders(ctx context.Context, now time.Time, limit int) ([]*Reminder, error)
	// ClaimOccurrences applies the claims in one transaction. A claim whose
	// reminder no longer has next occurrence From (deleted, or claimed by
	// someone else) is ignored. Delivery rows are inserted under the unique
	// key (reminder, occurrence, platform); a row that already exists is
	// left alone. It returns the StateSending deliveries it inserted: those,
	// and only those, must be posted.
	ClaimOccurrences(ctx context.Context, claims []Claim, now time.Time) ([]Delivery, error)
	// DueRetries returns up to limit StateRetry deliveries whose NextTry
	// is at or before now, with their reminders.
	DueRetries(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// ClaimRetry moves a delivery from StateRetry to StateSending; false
	// when it is no longer in StateRetry.
	ClaimRetry(ctx context.Context, d Delivery, now time.Time) (bool, error)
	// FinishDelivery records the outcome of a post: d.State (StateSent,
	// StateRetry with NextTry, StateFailed or StateCancelled), d.Attempts
	// and d.Error, on a delivery in StateSending (or StateUncertain, when
	// another process marked it so while this one was posting).
	FinishDelivery(ctx context.Context, d Delivery, now time.Time) error
	// MarkInterrupted moves every delivery in StateSending to
	// StateUncertain and returns them. It is called once at start-up,
	// before anything is claimed.
	MarkInterrupted(ctx context.Context, now time.Time) ([]Delivery, error)
	// NextWake returns the earliest next occurrence of an active reminder
	// or next try of a retry; zero when there is none.
	NextWake(ctx context.Context) (time.Time, error)
	// Problems returns deliveries in StateFailed, StateUncertain or
	// StateSkipped updated at or after since, newest first, with their
	// reminders.
	Problems(ctx context.Context, since time.Time) ([]Delivery, error)
}

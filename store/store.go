// Package store holds what Union Hall's storage engines share, so that a
// member sees the same behaviour whichever database an installation runs
// on: the interfaces beyond the features' own Store interfaces, the
// limits every engine keeps, and the checks and notes every engine
// applies. store/sqlite and store/postgres implement them, and the
// conformance suite in store/storetest runs against both.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/faq"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/reminders"
)

// Stores are the stores of one open database, whichever its engine:
// what Union Hall's features are given.
type Stores struct {
	// Polls keeps polls, ballots, tallies and result posts.
	Polls polls.Store
	// FAQ keeps feedback, unanswered questions and added phrasings.
	FAQ faq.Store
	// Reminders keeps deadlines, reminders and their deliveries.
	Reminders reminders.Store
	// Cards remembers which messages show which card.
	Cards CardLocations
	// Settings keeps the installation's own values.
	Settings Settings
}

// Settings keeps small values that belong to the installation, such as
// the salt the FAQ hashes member IDs with.
type Settings interface {
	// Setting returns the value stored under key and whether it exists.
	Setting(ctx context.Context, key string) (string, bool, error)
	// SettingOrInit returns the value stored under key, first storing
	// init() there when the key is absent. Concurrent callers, in this
	// process or another on the same database, all get the one stored
	// value.
	SettingOrInit(ctx context.Context, key string, init func() (string, error)) (string, error)
}

// SettingOrInit implements Settings.SettingOrInit for an engine, given
// its Setting and keep, which stores value under key unless the key has
// a value already, and returns the value stored. Concurrent callers all
// get the one value that keep stored first.
func SettingOrInit(ctx context.Context, s Settings, key string, init func() (string, error),
	keep func(ctx context.Context, key, value string) (string, error)) (string, error) {
	if v, ok, err := s.Setting(ctx, key); err != nil || ok {
		return v, err
	}
	fresh, err := init()
	if err != nil {
		return "", fmt.Errorf("initialise setting %s: %w", key, err)
	}
	v, err := keep(ctx, key, fresh)
	if err != nil {
		return "", fmt.Errorf("store setting %s: %w", key, err)
	}
	return v, nil
}

// CardLocations is bot.CardLocations with the clean-up Union Hall runs at
// start-up. A store keeps at most MaxCardLocationsPerKey locations per
// card and platform, forgetting the least recently saved.
type CardLocations interface {
	bot.CardLocations
	// Prune deletes the locations last saved more than maxAge ago (by the
	// store's clock) and reports how many it deleted.
	Prune(ctx context.Context, maxAge time.Duration) (int64, error)
}

// Limits of the card location stores.
const (
	// MaxCardLocationsPerKey is how many messages are remembered per card
	// and platform; saving one more forgets the least recently saved. It
	// matches what the adapters keep in memory.
	MaxCardLocationsPerKey = 20
	// CardLocationRetention is how long a location is kept after it was
	// last saved. It is longer than a poll may stay open with a deadline
	// (a year), so that a poll's card can still show its result when it
	// closes on schedule.
	CardLocationRetention = 400 * 24 * time.Hour
)

// CheckCardLocation returns an error when a location cannot be saved
// because a part of it is missing.
func CheckCardLocation(platform, key, location string) error {
	if platform == "" || key == "" || location == "" {
		return errors.New("save card location: platform, key and location are required")
	}
	return nil
}

// Notes that stores record with a state change.
const (
	// InterruptedNote is the error recorded on a post (a reminder's or a
	// poll result's) that was under way when Union Hall stopped.
	InterruptedNote = "Union Hall stopped while posting"
	// CancelledNote is the error recorded on a reminder retry cancelled
	// because its reminder was deleted.
	CancelledNote = "reminder deleted"
)

// MaxProblems is how many delivery problems reminders.Store.Problems
// returns at most.
const MaxProblems = 100

// CheckResultPost returns an error when rp is not an outcome that
// polls.Store.RecordResultPost may record.
func CheckResultPost(rp polls.ResultPost) error {
	switch rp.State {
	case polls.ResultSending, polls.ResultRetry, polls.ResultPosted, polls.ResultFailed:
	default:
		return fmt.Errorf("record result post of poll %d: cannot record state %q", rp.PollID, rp.State)
	}
	if rp.State == polls.ResultRetry && rp.NextTry.IsZero() {
		return fmt.Errorf("record result post of poll %d: a retry needs a time", rp.PollID)
	}
	return nil
}

// CheckFinishedDelivery returns an error when d is not an outcome that
// reminders.Store.FinishDelivery may record.
func CheckFinishedDelivery(d reminders.Delivery) error {
	switch d.State {
	case reminders.StateSent, reminders.StateRetry, reminders.StateFailed, reminders.StateCancelled:
		return nil
	}
	return fmt.Errorf("finish delivery of reminder %d: unexpected state %q", d.ReminderID, d.State)
}

// LeadWriter writes the lead reminders of a deadline, inside the
// transaction that saves the deadline.
type LeadWriter interface {
	// InsertReminder stores a new reminder and sets its ID.
	InsertReminder(r *reminders.Reminder) error
	// UpdateLead writes a lead reminder's zone, lead time, next
	// occurrence and deleted state.
	UpdateLead(r *reminders.Reminder) error
	// CancelRetries cancels the pending retries of a reminder deleted at
	// at.
	CancelRetries(id int64, at time.Time) error
}

// SaveLeads writes the lead reminders of deadline d, once d has its ID:
// each becomes a lead reminder of d; new ones are inserted, the others
// updated in full, and the retries of those deleted are cancelled.
func SaveLeads(d *reminders.Deadline, w LeadWriter) error {
	for _, r := range d.Leads {
		r.Kind, r.DeadlineID, r.Deadline = reminders.KindLead, d.ID, d
		if r.ID == 0 {
			if err := w.InsertReminder(r); err != nil {
				return err
			}
			continue
		}
		if err := w.UpdateLead(r); err != nil {
			return fmt.Errorf("update reminder %d: %w", r.ID, err)
		}
		if !r.DeletedAt.IsZero() {
			if err := w.CancelRetries(r.ID, r.DeletedAt); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckNewDeadline returns an error when d cannot be created because it
// has been stored already.
func CheckNewDeadline(d *reminders.Deadline) error {
	if d.ID != 0 {
		return fmt.Errorf("create deadline: already has ID %d", d.ID)
	}
	return nil
}

// NoReminder is the error for a reminder that does not exist or was
// deleted.
func NoReminder(id int64) error {
	return bot.Errorf(bot.ENOTFOUND, "There is no reminder #%d. /remind list shows them.", id)
}

// NoDeadline is the error for a deadline that does not exist or was
// deleted.
func NoDeadline(id int64) error {
	return bot.Errorf(bot.ENOTFOUND, "There is no deadline #%d. /deadline list shows them.", id)
}

// CounterUnits returns the units a poll keeps vote counters for: "" for
// voters who named none, then each unit of its coalition. Every counter
// is created, at zero, when the poll is stored.
func CounterUnits(p *polls.Poll) []string {
	units := []string{""}
	if p.Coalition != nil {
		for _, u := range p.Coalition.Units {
			units = append(units, u.Name)
		}
	}
	return units
}

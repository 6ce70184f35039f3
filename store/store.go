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
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/reminders"
)

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

// ErrNotSending is wrapped by the error of an attempt to record the
// outcome of a post that is not under way.
var ErrNotSending = errors.New("not in sending state")

// CheckFinishedDelivery returns an error when d is not an outcome that
// reminders.Store.FinishDelivery may record.
func CheckFinishedDelivery(d reminders.Delivery) error {
	switch d.State {
	case reminders.StateSent, reminders.StateRetry, reminders.StateFailed, reminders.StateCancelled:
		return nil
	}
	return fmt.Errorf("finish delivery of reminder %d: unexpected state %q", d.ReminderID, d.State)
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

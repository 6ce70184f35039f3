// Package store holds what Union Hall's storage engines share, so that a
// member sees the same behaviour whichever database an installation runs
// on: the interfaces beyond the features' own Store interfaces, the
// limits every engine keeps, the checks and notes every engine applies,
// and the logic of the feature stores that is not SQL (what a change to
// reminders consists of, which outcomes of a post may be recorded),
// written once over each engine's statements. store/sqlite and
// store/postgres implement the rest, and the conformance suite in
// store/storetest runs against both.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// Deliveries records which platform deliveries some process has
	// taken on, so that several processes on one database handle each
	// once. It is nil on an engine that serves a single process (SQLite),
	// where each adapter remembers its deliveries in memory.
	Deliveries Deliveries
	// Leadership makes one process among those on the database the
	// holder of a role, such as the Discord gateway connection. It is nil
	// on an engine that serves a single process (SQLite), whose process
	// holds every role.
	Leadership Leadership
	// Roster keeps the union's roster of members by unit.
	Roster polls.RosterStore
	// Nudges keeps polls' automatic nudges and who has voted.
	Nudges polls.NudgeStore
	// Wakeups tells this process when another on the database brings a
	// schedule forward. It is nil on an engine that serves a single
	// process (SQLite), whose features wake their own schedulers.
	Wakeups Wakeups
}

// The topics of Wakeups: which schedulers a change concerns.
const (
	// WakeReminders concerns the reminder scheduler: a reminder added or
	// brought forward, a post to retry.
	WakeReminders = "reminders"
	// WakePolls concerns the poll closer and nudger: a poll opened with a
	// deadline or a scheduled post, a deadline brought forward, a nudge
	// scheduled, a result post to retry.
	WakePolls = "polls"
)

// WakeTopics returns every topic of Wakeups.
func WakeTopics() []string { return []string{WakeReminders, WakePolls} }

// Wakeups tells every process on one database when any of them brings a
// schedule forward, so that each looks at its schedules at once instead
// of at its next periodic check, up to a minute later.
type Wakeups interface {
	// ListenWakeups calls wake with the topic (WakeReminders, WakePolls)
	// of each change to the schedules that any process on the database
	// commits, until ctx ends. When it starts listening, and again after
	// its connection to the database failed and it reconnected (waiting
	// as the backoff policy says, and logging to log), it calls wake with
	// every topic, since changes may have been missed meanwhile.
	ListenWakeups(ctx context.Context, log *slog.Logger, wake func(topic string)) error
}

// Leadership makes one process among those on one database the holder of
// a role.
type Leadership interface {
	// TryLead tries once, without waiting, to make the caller the holder
	// of role; ok is false when another process holds it. While it is
	// held, lost is closed when the hold ends; release gives it up.
	TryLead(ctx context.Context, role string) (lost <-chan struct{}, release func(), ok bool, err error)
}

// Deliveries records the platforms' deliveries (events, slash commands'
// triggers) that processes on one database have taken on.
type Deliveries interface {
	// FirstDelivery records that the caller takes on the delivery id
	// from platform at now, and reports whether it is the first to
	// within ttl, across every process on the database.
	FirstDelivery(ctx context.Context, platform, id string, now time.Time, ttl time.Duration) (bool, error)
	// SweepDeliveries deletes the records taken before before and
	// reports how many it deleted.
	SweepDeliveries(ctx context.Context, before time.Time) (int64, error)
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

// InterruptedNote is the error recorded on a post (a reminder's or a poll
// result's) that was under way when Union Hall stopped.
const InterruptedNote = "Union Hall stopped while posting"

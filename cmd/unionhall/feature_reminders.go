package main

import (
	"context"
	"fmt"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/reminders"
	storepkg "github.com/unionhall/unionhall/store"
)

// registerReminders brings the deadlines file into the store and wires
// /remind, /deadline and the reminder scheduler, which posts occurrences
// missed while Union Hall was down up to grace late.
func (a *app) registerReminders(ctx context.Context, deadlines deadlinesFile, grace time.Duration) error {
	store := a.stores.Reminders
	if err := reminders.SyncDeadlines(ctx, store, deadlines.defs, a.clock.Now(), a.log); err != nil {
		return fmt.Errorf("load deadlines from %s: %w", deadlines.name, err)
	}
	svc, err := reminders.New(reminders.Config{Store: store, Poster: a.hub, Clock: a.clock, Location: a.cfg.Location, Grace: grace, Log: a.log, Metrics: a.metrics})
	if err != nil {
		return err
	}
	a.register(svc.Commands(), svc.Run)
	a.wakeOn(storepkg.WakeReminders, svc.Notify)
	return nil
}

// reminderGrace reads UNIONHALL_REMINDER_GRACE: "6h", "90m", "1d", "0".
func (c config) reminderGrace() (time.Duration, error) {
	s := c.vars.or("UNIONHALL_REMINDER_GRACE", "6h")
	if s == "0" {
		return 0, nil
	}
	if d, err := bot.ParseDuration(s); err == nil {
		return d, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("UNIONHALL_REMINDER_GRACE: %q is not a duration (use e.g. 6h, 90m, 1d, or 0 to never post missed reminders)", s)
	}
	return d, nil
}

// deadlinesFile is the deadlines file as read: its name for messages and
// the deadlines in it.
type deadlinesFile struct {
	name string
	defs []reminders.DeadlineDef
}

// loadDeadlines reads the deadlines from UNIONHALL_DEADLINES_FILE. When it
// is unset there are none, except in the console on the example data (see
// exampleData): there the example deadline shows how reminders look. It
// never goes live, so Slack and Discord never post an example reminder
// to a real local. A date without a year is the next one after now.
func (c config) loadDeadlines(now time.Time) (deadlinesFile, error) {
	if c.vars.get(deadlinesFileVar) == "" && (c.live || !c.exampleData()) {
		return deadlinesFile{name: "no deadlines file"}, nil
	}
	defs, name, err := loadFile(c, deadlinesFileVar, reminders.DefaultDeadlines(),
		func(f bot.DataFile) ([]reminders.DeadlineDef, error) {
			return reminders.ParseDeadlines(f, now, c.Location)
		})
	return deadlinesFile{name: name, defs: defs}, err
}

package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/reminders"
	"github.com/unionhall/unionhall/store/sqlite"
)

// registerReminders brings the deadlines file into the store and wires
// /remind, /deadline and the reminder scheduler, which posts occurrences
// missed while Union Hall was down up to grace late.
func (a *app) registerReminders(ctx context.Context, deadlines deadlinesFile, grace time.Duration) error {
	store := sqlite.NewReminderStore(a.db)
	if err := reminders.SyncDeadlines(ctx, store, deadlines.defs, a.clock.Now(), a.log); err != nil {
		return fmt.Errorf("load deadlines from %s: %w", deadlines.name, err)
	}
	svc, err := reminders.New(reminders.Config{Store: store, Poster: a.hub, Clock: a.clock, Location: a.cfg.Location, Grace: grace, Log: a.log})
	if err != nil {
		return err
	}
	for _, c := range svc.Commands() {
		a.router.Register(c)
	}
	a.services = append(a.services, svc.Run)
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

// loadDeadlines reads the deadlines from UNIONHALL_DEADLINES_FILE, or the
// default ones when it is unset. A date without a year is the next one
// after now.
func (c config) loadDeadlines(now time.Time) (deadlinesFile, error) {
	f := deadlinesFile{name: reminders.DefaultDeadlinesName}
	data := reminders.DefaultDeadlines()
	if path := c.vars.get("UNIONHALL_DEADLINES_FILE"); path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return f, fmt.Errorf("UNIONHALL_DEADLINES_FILE: %w", err)
		}
		f.name = path
	}
	var err error
	if f.defs, err = reminders.ParseDeadlines(data, now, c.Location); err != nil {
		return f, fmt.Errorf("UNIONHALL_DEADLINES_FILE: %s: %w", f.name, err)
	}
	return f, nil
}

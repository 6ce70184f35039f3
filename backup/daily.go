package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// DefaultKeep is how many daily backups are kept when no number is given.
const DefaultKeep = 7

// dailyHour is the local hour daily backups are made at, when the bot is
// least likely to be busy; a bot started later in the day makes that
// day's backup at once.
const dailyHour = 3

// dailyName matches the names of daily backups; the date sorts them.
var dailyName = regexp.MustCompile(`^unionhall-\d{4}-\d{2}-\d{2}\.db$`)

// Daily makes one backup a day of a SQLite database into a directory
// and keeps the newest few.
type Daily struct {
	// DB is the database file to back up.
	DB string
	// Dir is the directory backups are written to; it is created if
	// missing.
	Dir string
	// Keep is how many daily backups to keep; DefaultKeep when zero.
	Keep int
	// Clock tells the day and schedules the next backup; the system clock
	// when nil.
	Clock bot.Clock
	// Location is the time zone whose days count; UTC when nil.
	Location *time.Location
	// Log receives one line per backup made or failed.
	Log *slog.Logger
}

// Run makes today's backup if there is none yet, then one each day at
// 03:00 local time, until ctx ends. A failed backup is logged and tried
// again the next day.
func (d Daily) Run(ctx context.Context) error {
	clock := bot.OrSystemClock(d.Clock)
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	log := bot.OrDefaultLogger(d.Log)
	for {
		now := clock.Now().In(loc)
		if path, made, err := d.Once(ctx, now); err != nil {
			log.Error("daily backup failed", "dir", d.Dir, "err", err)
		} else if made {
			st, _ := os.Stat(path)
			var size int64
			if st != nil {
				size = st.Size()
			}
			log.Info("daily backup made", "file", path, "bytes", size)
		}
		next := time.Date(now.Year(), now.Month(), now.Day()+1, dailyHour, 0, 0, 0, loc)
		due := make(chan struct{})
		stop := bot.AfterFunc(clock, next.Sub(now), func() { close(due) })
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-due:
		}
	}
}

// Once makes the backup of day unless it exists, then removes the oldest
// daily backups beyond Keep. It returns the backup's path and whether it
// made it now.
func (d Daily) Once(ctx context.Context, day time.Time) (string, bool, error) {
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return "", false, fmt.Errorf("backup directory: %w", err)
	}
	path := filepath.Join(d.Dir, "unionhall-"+day.Format(time.DateOnly)+".db")
	made := true
	if err := Copy(ctx, d.DB, path); errors.Is(err, ErrExists) {
		made = false
	} else if err != nil {
		return path, false, err
	}
	return path, made, d.prune()
}

// prune removes the oldest daily backups beyond Keep.
func (d Daily) prune() error {
	entries, err := os.ReadDir(d.Dir)
	if err != nil {
		return fmt.Errorf("list backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && dailyName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	keep := bot.PositiveOr(d.Keep, DefaultKeep)
	for _, n := range names[:max(0, len(names)-keep)] {
		if err := os.Remove(filepath.Join(d.Dir, n)); err != nil {
			return fmt.Errorf("remove old backup: %w", err)
		}
	}
	return nil
}

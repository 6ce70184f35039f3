package reminders

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// Config is what a Service is built from.
type Config struct {
	// Store holds reminders and deadlines.
	Store Store
	// Poster posts reminders to the platforms' announcement channels: the
	// hub of connected platforms.
	Poster Poster
	// Clock tells the time; the system clock when nil.
	Clock bot.Clock
	// Location is the time zone members type and read times in; UTC when
	// nil.
	Location *time.Location
	// Grace is how late an occurrence missed while Union Hall was down may
	// be and still be posted (see Options.Grace); zero never posts one.
	Grace time.Duration
	// Log receives what the scheduler does; slog.Default when nil.
	Log *slog.Logger
	// Metrics counts reminder posts by outcome; bot.NoMetrics when nil.
	Metrics bot.Metrics
}

// New returns a Service over cfg.Store that posts through cfg.Poster once
// Run is called. The deadlines file is brought into the store separately,
// with SyncDeadlines.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Poster == nil {
		return nil, errors.New("reminders: a Store and a Poster are required")
	}
	sched := NewScheduler(cfg.Store, Options{Clock: cfg.Clock, Location: cfg.Location, Grace: cfg.Grace, Log: cfg.Log, Metrics: cfg.Metrics})
	// The commands read and show times as the scheduler does, with the
	// same defaults.
	cfg.Clock, cfg.Location, cfg.Log = sched.opts.Clock, sched.opts.Location, sched.opts.Log
	return &Service{Config: cfg, Notify: sched.Notify, sched: sched}, nil
}

// Run posts reminders as they come due until ctx ends (see Scheduler.Run).
func (s *Service) Run(ctx context.Context) error { return s.sched.Run(ctx, s.Poster) }

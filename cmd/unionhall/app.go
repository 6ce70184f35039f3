package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/faq"
	"github.com/unionhall/unionhall/metrics"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// service is a feature's background job, run beside the adapters (a poll
// closer, a reminder scheduler); it reaches members through the hub.
type service func(ctx context.Context) error

// app is one wired Union Hall: configuration, store, router, the hub the
// features post through, and the features registered on the router.
type app struct {
	cfg    config
	log    *slog.Logger
	clock  bot.Clock
	stores store.Stores
	// closeDB closes the database; nil when there is none.
	closeDB func() error
	router  *bot.Router
	// hub reaches the adapters that serve adds to it. Features are given
	// it when they are built.
	hub      *bot.Hub
	services []service
	// cards rebuilds poll cards from the store for the adapters (a
	// ranking clicked after a restart); set by registerPolls.
	cards *polls.Service
	// db answers the readiness check and counts open polls.
	db database
	// metrics counts what the features and adapters do.
	metrics *metrics.Recorder
	// adapters are the adapters being served, for the readiness check;
	// set by serve before anything runs.
	adapters []bot.Adapter
	// wakers wake the schedulers of each topic when another process
	// brings a schedule forward (see wakeOn).
	wakers map[string][]func()
}

// featureFiles are the features' settings and data files, read and checked
// before the store is opened, so that a mistake in any of them is reported
// before anything is written.
type featureFiles struct {
	kb        *faq.KB
	units     *polls.Coalition
	deadlines deadlinesFile
	grace     time.Duration
}

// loadFeatureFiles reads every feature's settings and files; now places
// deadlines given without a year.
func (c config) loadFeatureFiles(now time.Time) (featureFiles, error) {
	var f featureFiles
	var err error
	if f.kb, err = c.loadKB(); err != nil {
		return f, err
	}
	if f.units, err = c.loadUnits(); err != nil {
		return f, err
	}
	if f.deadlines, err = c.loadDeadlines(now); err != nil {
		return f, err
	}
	if f.grace, err = c.reminderGrace(); err != nil {
		return f, err
	}
	return f, nil
}

// newApp reads the features' files, then opens the store and registers
// every feature on a new router.
func newApp(ctx context.Context, cfg config, log *slog.Logger, clock bot.Clock) (*app, error) {
	files, err := cfg.loadFeatureFiles(clock.Now())
	if err != nil {
		return nil, err
	}
	backups, err := cfg.dailyBackups(clock, log)
	if err != nil {
		return nil, err
	}
	release, err := holdDatabase(cfg.DBPath)
	if err != nil {
		return nil, err
	}
	db, err := openDatabase(ctx, cfg.DBPath, clock)
	if err != nil {
		release()
		return nil, err
	}
	closeDB := func() error { return errors.Join(db.close(), release()) }
	a := &app{
		cfg: cfg, log: log, clock: clock, stores: db.stores, closeDB: closeDB, db: db,
		router: bot.NewRouter(cfg.Stewards, log), hub: bot.NewHub(), metrics: metrics.New(clock),
	}
	a.metrics.WatchOpenPolls(db.openPolls)
	if err := a.registerFeatures(ctx, files); err != nil {
		closeDB()
		return nil, err
	}
	if backups != nil {
		a.services = append(a.services, backups.Run)
	}
	return a, nil
}

// registerFeatures builds each feature on the store and the hub, and
// registers it; /help lists the commands in this order. Each feature's
// wiring lives in its own feature_*.go file.
func (a *app) registerFeatures(ctx context.Context, f featureFiles) error {
	if err := a.registerFAQ(ctx, f.kb); err != nil {
		return err
	}
	if err := a.registerPolls(f.units); err != nil {
		return err
	}
	return a.registerReminders(ctx, f.deadlines, f.grace)
}

// register puts a feature's commands on the router and keeps its
// background job, when it has one.
func (a *app) register(commands []bot.Command, job service) {
	for _, c := range commands {
		a.router.Register(c)
	}
	if job != nil {
		a.services = append(a.services, job)
	}
}

// Close releases the store.
func (a *app) Close() error {
	if a.closeDB == nil {
		return nil
	}
	return a.closeDB()
}

// serve adds the adapters to the hub and runs them and the background
// services until ctx ends or every adapter has returned (the console
// returns at end of input).
func (a *app) serve(ctx context.Context, adapters ...bot.Adapter) error {
	a.adapters = adapters
	for _, ad := range adapters {
		a.hub.Add(ad)
		a.metrics.AddPlatform(ad)
	}
	ops, err := a.opsServer()
	if err != nil {
		return err
	}
	if ops != nil {
		a.services = append(a.services, ops)
	}
	dispatcher := a.metrics.Dispatcher(a.router)
	svcCtx, stopServices := context.WithCancel(ctx)
	var svcWG sync.WaitGroup
	for _, s := range a.services {
		svcWG.Go(func() {
			if err := s(svcCtx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("background service stopped", "err", err)
			}
		})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(adapters))
	for i, ad := range adapters {
		wg.Go(func() {
			if err := ad.Run(ctx, dispatcher); err != nil {
				errs[i] = fmt.Errorf("%s adapter: %w", ad.Platform(), err)
			}
		})
	}
	wg.Wait()
	stopServices()
	svcWG.Wait()
	return errors.Join(errs...)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store/sqlite"
)

// service is a background job that runs beside the adapters (a scheduler,
// a poll closer) and reaches members through the hub.
type service func(ctx context.Context) error

// app is one wired Union Hall: configuration, store, router and the
// features registered on it.
type app struct {
	cfg      config
	log      *slog.Logger
	clock    bot.Clock
	db       *sqlite.DB
	router   *bot.Router
	hub      *bot.Hub
	services []service
	// unitNames are the configured union or bargaining units, for platforms
	// that offer them as choices (Discord's /unit autocomplete).
	unitNames []string
}

// newApp opens the store and registers every feature on a new router.
func newApp(ctx context.Context, cfg config, log *slog.Logger, clock bot.Clock) (*app, error) {
	db, err := sqlite.Open(ctx, cfg.DBPath, clock)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, clock: clock, db: db, router: bot.NewRouter(cfg.Stewards, log), hub: bot.NewHub()}
	if err := a.registerFeatures(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// registerFeatures wires each feature package to the router and store.
// Each feature's wiring lives in its own feature_*.go file.
func (a *app) registerFeatures(ctx context.Context) error {
	for _, register := range []func(context.Context) error{
		a.registerFAQ,
		a.registerPolls,
		a.registerReminders,
	} {
		if err := register(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the store.
func (a *app) Close() error { return a.db.Close() }

// serve runs the adapters and the background services until ctx ends or
// every adapter has returned (the console returns at end of input).
func (a *app) serve(ctx context.Context, adapters ...bot.Adapter) error {
	for _, ad := range adapters {
		a.hub.Add(ad)
	}
	svcCtx, stopServices := context.WithCancel(ctx)
	var svcWG sync.WaitGroup
	for _, s := range a.services {
		svcWG.Add(1)
		go func() {
			defer svcWG.Done()
			if err := s(svcCtx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("background service stopped", "err", err)
			}
		}()
	}
	var wg sync.WaitGroup
	errs := make([]error, len(adapters))
	for i, ad := range adapters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ad.Run(ctx, a.router); err != nil {
				errs[i] = fmt.Errorf("%s adapter: %w", ad.Platform(), err)
			}
		}()
	}
	wg.Wait()
	stopServices()
	svcWG.Wait()
	return errors.Join(errs...)
}

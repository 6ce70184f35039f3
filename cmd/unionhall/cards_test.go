package main

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
)

func TestStartUpPrunesOldCardLocations(t *testing.T) {
	// The app's clock runs behind by more than the retention while the
	// first location is saved.
	var behind atomic.Int64
	behind.Store(int64(store.CardLocationRetention + time.Hour))
	a, _ := fuzzAppAt(t, bot.ClockFunc(func() time.Time { return time.Now().Add(-time.Duration(behind.Load())) }))
	ctx := context.Background()
	locs := a.cardLocations()
	if locs == nil {
		t.Fatal("no card location store with a database")
	}
	if err := locs.SaveCardLocation(ctx, bot.PlatformSlack, "poll:1", "C1/1.000001"); err != nil {
		t.Fatal(err)
	}
	behind.Store(0)
	store := locs
	if err := store.SaveCardLocation(ctx, bot.PlatformSlack, "poll:2", "C1/2.000001"); err != nil {
		t.Fatal(err)
	}
	a.pruneCardLocations(ctx)
	if got, _ := store.CardLocations(ctx, bot.PlatformSlack, "poll:1"); len(got) != 0 {
		t.Errorf("old location kept: %v", got)
	}
	if got, _ := store.CardLocations(ctx, bot.PlatformSlack, "poll:2"); !slices.Equal(got, []string{"C1/2.000001"}) {
		t.Errorf("recent location pruned: %v", got)
	}
	if (&app{}).cardLocations() != nil {
		t.Error("an app without a database has a card location store")
	}
}

package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store/sqlite"
)

func TestStartUpPrunesOldCardLocations(t *testing.T) {
	a, _ := fuzzApp(t)
	ctx := context.Background()
	store := a.cardLocations()
	if store == nil {
		t.Fatal("no card location store with a database")
	}
	// A location saved long ago, and one saved now.
	now := a.db.Clock
	a.db.Clock = bot.ClockFunc(func() time.Time { return time.Now().Add(-sqlite.CardLocationRetention - time.Hour) })
	if err := store.SaveCardLocation(ctx, bot.PlatformSlack, "poll:1", "C1/1.000001"); err != nil {
		t.Fatal(err)
	}
	a.db.Clock = now
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

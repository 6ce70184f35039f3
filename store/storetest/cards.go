package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
)

// testCardLocationsSurviveRestart: locations are kept per platform and
// card, least recently saved first; saving one again only refreshes it;
// an empty part is refused; forgetting drops one location (an unknown
// one is no error).
func testCardLocationsSurviveRestart(t *testing.T, e Engine) {
	ctx := context.Background()
	clock := bot.NewManualClock(someDay)
	d := fresh(t, e, clock)
	first := d.open()
	s := first.Cards
	must(t, s.SaveCardLocation(ctx, "slack", "poll:1", "C1/1700000000.000001"))
	clock.Advance(time.Second)
	must(t, s.SaveCardLocation(ctx, "slack", "poll:1", "C2/1700000000.000002"))
	must(t, s.SaveCardLocation(ctx, "discord", "poll:1", "81/91"))
	must(t, s.SaveCardLocation(ctx, "slack", "poll:2", "C1/1700000000.000003"))
	// Saving a known location again only refreshes it.
	clock.Advance(time.Second)
	must(t, s.SaveCardLocation(ctx, "slack", "poll:1", "C1/1700000000.000001"))
	if err := s.SaveCardLocation(ctx, "slack", "poll:1", ""); err == nil {
		t.Error("an empty location was accepted")
	}

	// A restarted process finds them.
	closeStores(t, first)
	s = d.open().Cards
	get := func(platform, key string) []string {
		t.Helper()
		locs, err := s.CardLocations(ctx, platform, key)
		if err != nil {
			t.Fatal(err)
		}
		return locs
	}
	if got, want := get("slack", "poll:1"), []string{"C2/1700000000.000002", "C1/1700000000.000001"}; !slices.Equal(got, want) {
		t.Fatalf("slack poll:1 = %v, want %v (least recently saved first)", got, want)
	}
	if got := get("discord", "poll:1"); !slices.Equal(got, []string{"81/91"}) {
		t.Fatalf("discord poll:1 = %v", got)
	}
	if got := get("slack", "poll:3"); len(got) != 0 {
		t.Fatalf("unknown card has locations %v", got)
	}

	must(t, s.ForgetCardLocation(ctx, "slack", "poll:1", "C2/1700000000.000002"))
	must(t, s.ForgetCardLocation(ctx, "slack", "poll:1", "C9/never-saved"))
	if got := get("slack", "poll:1"); !slices.Equal(got, []string{"C1/1700000000.000001"}) {
		t.Fatalf("after forgetting: %v", got)
	}
	if got := get("slack", "poll:2"); len(got) != 1 {
		t.Fatalf("forgetting touched another card: %v", got)
	}
}

// testCardLocationsAreBounded: a card keeps its store.MaxCardLocationsPerKey
// most recently saved locations per platform, and Prune drops the
// locations not saved within its age, by the store's clock.
func testCardLocationsAreBounded(t *testing.T, e Engine) {
	ctx := context.Background()
	clock := bot.NewManualClock(someDay)
	s := fresh(t, e, clock).open().Cards

	// Per card: the most recently saved are kept.
	n := store.MaxCardLocationsPerKey + 5
	for i := range n {
		must(t, s.SaveCardLocation(ctx, "slack", "poll:1", fmt.Sprintf("C1/%d", i)))
		clock.Advance(time.Millisecond)
	}
	locs, err := s.CardLocations(ctx, "slack", "poll:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(locs) != store.MaxCardLocationsPerKey || locs[0] != "C1/5" || locs[len(locs)-1] != fmt.Sprintf("C1/%d", n-1) {
		t.Fatalf("kept %d: first %q last %q", len(locs), locs[0], locs[len(locs)-1])
	}

	// By age: Prune drops what was not saved within the retention.
	must(t, s.SaveCardLocation(ctx, "discord", "poll:2", "old/1"))
	clock.Advance(store.CardLocationRetention - time.Hour)
	must(t, s.SaveCardLocation(ctx, "discord", "poll:3", "new/1"))
	must(t, s.SaveCardLocation(ctx, "slack", "poll:1", "C1/24")) // refreshed: kept
	clock.Advance(2 * time.Hour)
	deleted, err := s.Prune(ctx, store.CardLocationRetention)
	if err != nil {
		t.Fatal(err)
	}
	if deleted != int64(store.MaxCardLocationsPerKey) { // 19 old poll:1 rows and poll:2
		t.Fatalf("pruned %d rows, want %d", deleted, store.MaxCardLocationsPerKey)
	}
	if got, _ := s.CardLocations(ctx, "slack", "poll:1"); !slices.Equal(got, []string{"C1/24"}) {
		t.Errorf("slack poll:1 after prune = %v, want only the refreshed location", got)
	}
	if got, _ := s.CardLocations(ctx, "discord", "poll:2"); len(got) != 0 {
		t.Errorf("old location kept: %v", got)
	}
	if got, _ := s.CardLocations(ctx, "discord", "poll:3"); !slices.Equal(got, []string{"new/1"}) {
		t.Errorf("recent location pruned: %v", got)
	}
}

// testCardLocationsConcurrent: replicas saving locations of one card at
// once never leave more than store.MaxCardLocationsPerKey of them.
func testCardLocationsConcurrent(t *testing.T, e Engine) {
	ctx := context.Background()
	handles := fresh(t, e, bot.NewManualClock(someDay)).openN(3)
	together(3*store.MaxCardLocationsPerKey, func(i int) {
		if err := handles[i%len(handles)].Cards.SaveCardLocation(ctx, "slack", "poll:1", fmt.Sprintf("C1/%d", i)); err != nil {
			t.Error(err)
		}
	})
	locs, err := handles[0].Cards.CardLocations(ctx, "slack", "poll:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(locs) != store.MaxCardLocationsPerKey {
		t.Fatalf("kept %d locations, want %d", len(locs), store.MaxCardLocationsPerKey)
	}
}

package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store/sqlite"
)

var _ bot.CardLocations = (*sqlite.CardLocations)(nil)

func TestCardLocationsSurviveReopenAndForget(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	clock := bot.NewManualClock(time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(ctx, path, clock)
	if err != nil {
		t.Fatal(err)
	}
	s := sqlite.NewCardLocations(db)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SaveCardLocation(ctx, "slack", "poll:1", "C1/1700000000.000001"))
	clock.Advance(time.Second)
	must(s.SaveCardLocation(ctx, "slack", "poll:1", "C2/1700000000.000002"))
	must(s.SaveCardLocation(ctx, "discord", "poll:1", "81/91"))
	must(s.SaveCardLocation(ctx, "slack", "poll:2", "C1/1700000000.000003"))
	// Saving a known location again only refreshes it.
	clock.Advance(time.Second)
	must(s.SaveCardLocation(ctx, "slack", "poll:1", "C1/1700000000.000001"))
	if err := s.SaveCardLocation(ctx, "slack", "poll:1", ""); err == nil {
		t.Error("an empty location was accepted")
	}
	db.Close()

	// A restarted process finds them.
	db, err = sqlite.Open(ctx, path, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s = sqlite.NewCardLocations(db)
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

	must(s.ForgetCardLocation(ctx, "slack", "poll:1", "C2/1700000000.000002"))
	must(s.ForgetCardLocation(ctx, "slack", "poll:1", "C9/never-saved"))
	if got := get("slack", "poll:1"); !slices.Equal(got, []string{"C1/1700000000.000001"}) {
		t.Fatalf("after forgetting: %v", got)
	}
	if got := get("slack", "poll:2"); len(got) != 1 {
		t.Fatalf("forgetting touched another card: %v", got)
	}
}

func TestCardLocationsAreBounded(t *testing.T) {
	ctx := context.Background()
	clock := bot.NewManualClock(time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := sqlite.NewCardLocations(db)

	// Per card: the most recently saved are kept.
	n := sqlite.MaxCardLocationsPerKey + 5
	for i := range n {
		if err := s.SaveCardLocation(ctx, "slack", "poll:1", fmt.Sprintf("C1/%d", i)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Millisecond)
	}
	locs, err := s.CardLocations(ctx, "slack", "poll:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(locs) != sqlite.MaxCardLocationsPerKey || locs[0] != "C1/5" || locs[len(locs)-1] != fmt.Sprintf("C1/%d", n-1) {
		t.Fatalf("kept %d: first %q last %q", len(locs), locs[0], locs[len(locs)-1])
	}

	// By age: Prune drops what was not saved within the retention.
	if err := s.SaveCardLocation(ctx, "discord", "poll:2", "old/1"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(sqlite.CardLocationRetention - time.Hour)
	if err := s.SaveCardLocation(ctx, "discord", "poll:3", "new/1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCardLocation(ctx, "slack", "poll:1", "C1/24"); err != nil { // refreshed: kept
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	deleted, err := s.Prune(ctx, sqlite.CardLocationRetention)
	if err != nil {
		t.Fatal(err)
	}
	if deleted != int64(sqlite.MaxCardLocationsPerKey) { // 19 old poll:1 rows and poll:2
		t.Fatalf("pruned %d rows, want %d", deleted, sqlite.MaxCardLocationsPerKey)
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

package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// testDeliveriesTakenOnOnce: many callers in several processes record the
// same delivery at once; exactly one is first. Another platform's
// delivery with the same ID is a different delivery. Within the TTL the
// delivery stays taken; after it, or once swept, it is new again. An
// engine without Deliveries (one process per database) skips the test.
func testDeliveriesTakenOnOnce(t *testing.T, e Engine) {
	ctx := context.Background()
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, time.UTC)
	clock := bot.NewManualClock(start)
	handles := fresh(t, e, clock).openN(4)
	if handles[0].Deliveries == nil {
		t.Skip("the engine serves one process; adapters remember deliveries in memory")
	}
	const ttl = time.Hour
	first := func(s *Stores, platform, id string) bool {
		t.Helper()
		ok, err := s.Deliveries.FirstDelivery(ctx, platform, id, clock.Now(), ttl)
		must(t, err)
		return ok
	}
	var mu sync.Mutex
	var wins []bool
	together(12, func(i int) {
		ok, err := handles[i%len(handles)].Deliveries.FirstDelivery(ctx, "slack", "event:Ev1", clock.Now(), ttl)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		wins = append(wins, ok)
		mu.Unlock()
	})
	if n := trues(wins); n != 1 {
		t.Fatalf("%d of 12 callers took on one delivery, want 1", n)
	}
	if !first(handles[1], "discord", "event:Ev1") {
		t.Error("another platform's delivery with the same ID was refused")
	}
	clock.Advance(ttl - time.Second)
	if first(handles[2], "slack", "event:Ev1") {
		t.Error("a delivery was taken on again within its TTL")
	}
	clock.Advance(2 * time.Second)
	if !first(handles[3], "slack", "event:Ev1") {
		t.Error("a delivery older than its TTL was refused")
	}
	clock.Advance(ttl + time.Second)
	n, err := handles[0].Deliveries.SweepDeliveries(ctx, clock.Now().Add(-ttl))
	must(t, err)
	if n != 2 {
		t.Errorf("swept %d records, want the 2 older than the TTL", n)
	}
	if !first(handles[0], "slack", "event:Ev1") {
		t.Error("a swept delivery was refused")
	}
}

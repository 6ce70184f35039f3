package slack

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// Deliveries records, for every process on one database, which
// deliveries from Slack some process has taken on. With it, a delivery
// that Slack retries to another process (an HTTP Events request behind a
// load balancer, a Socket Mode envelope redelivered on another
// connection) is handled once across all of them.
type Deliveries interface {
	// FirstDelivery records that the caller takes on the delivery id
	// from platform at now, and reports whether it is the first to
	// within ttl.
	FirstDelivery(ctx context.Context, platform, id string, now time.Time, ttl time.Duration) (bool, error)
	// SweepDeliveries deletes the records taken before before.
	SweepDeliveries(ctx context.Context, before time.Time) (int64, error)
}

// seenFilter reports whether a delivery ID is seen for the first time.
type seenFilter interface {
	first(id string) bool
}

// deliveryTimeout bounds one look-up in the shared record, which an
// acknowledged delivery waits for before it is handled.
const deliveryTimeout = 5 * time.Second

// sharedDedupe is the dedupe of a process that shares its database with
// others: an ID this process has seen is refused at once, and one it has
// not is taken on only if no other process took it on first. If the
// shared record cannot be reached, the delivery is handled: a first
// delivery is never dropped.
type sharedDedupe struct {
	local  *dedupe
	shared Deliveries
	clock  bot.Clock
	ttl    time.Duration
	log    *slog.Logger

	mu        sync.Mutex
	lastSweep time.Time
}

func newSharedDedupe(shared Deliveries, clock bot.Clock, ttl time.Duration, log *slog.Logger) *sharedDedupe {
	return &sharedDedupe{local: newDedupe(clock, ttl), shared: shared, clock: clock, ttl: ttl, log: log}
}

func (d *sharedDedupe) first(id string) bool {
	if !d.local.first(id) {
		return false
	}
	if id == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), deliveryTimeout)
	defer cancel()
	now := d.clock.Now()
	d.sweep(ctx, now)
	ok, err := d.shared.FirstDelivery(ctx, bot.PlatformSlack, id, now, d.ttl)
	if err != nil {
		d.log.Warn("could not check whether another process took on a delivery; handling it", "id", id, "err", err)
		return true
	}
	return ok
}

// sweep deletes the shared records older than the TTL, at most every
// quarter TTL per process.
func (d *sharedDedupe) sweep(ctx context.Context, now time.Time) {
	d.mu.Lock()
	due := now.Sub(d.lastSweep) > d.ttl/4
	if due {
		d.lastSweep = now
	}
	d.mu.Unlock()
	if !due {
		return
	}
	if _, err := d.shared.SweepDeliveries(ctx, now.Add(-d.ttl)); err != nil {
		d.log.Warn("could not delete old delivery records", "err", err)
	}
}

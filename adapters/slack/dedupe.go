package slack

import (
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// dedupeTTL is how long a delivery ID is remembered. Slack retries an
// event three times over about five minutes (immediately, after 1 minute
// and after 5 minutes); an hour leaves a wide margin.
const dedupeTTL = time.Hour

// dedupe remembers delivery IDs (event IDs, trigger IDs) so that a
// retried delivery is processed once. It only ever refuses an ID it has
// seen before, so a first delivery is never dropped.
type dedupe struct {
	clock bot.Clock
	ttl   time.Duration

	mu        sync.Mutex
	seen      map[string]time.Time
	lastSweep time.Time
}

func newDedupe(clock bot.Clock, ttl time.Duration) *dedupe {
	return &dedupe{clock: clock, ttl: ttl, seen: map[string]time.Time{}}
}

// first records id and reports whether this is the first time it was seen
// within the TTL. An empty id is always first: without an ID nothing can
// be deduplicated, and dropping it could lose a message.
func (d *dedupe) first(id string) bool {
	if id == "" {
		return true
	}
	now := d.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if now.Sub(d.lastSweep) > d.ttl/4 {
		for k, t := range d.seen {
			if now.Sub(t) > d.ttl {
				delete(d.seen, k)
			}
		}
		d.lastSweep = now
	}
	if t, ok := d.seen[id]; ok && now.Sub(t) <= d.ttl {
		return false
	}
	d.seen[id] = now
	return true
}

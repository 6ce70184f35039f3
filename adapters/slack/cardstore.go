package slack

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// Bounds of the writes to Options.CardLocations.
const (
	// storeTimeout bounds one call to the card location store.
	storeTimeout = 10 * time.Second
	// maxPendingStoreOps bounds the writes waiting for the store; past it,
	// new ones are dropped (and logged), never blocking a post.
	maxPendingStoreOps = 1000
)

// storeOp is one write to the card location store.
type storeOp struct {
	forget        bool
	key, location string
}

// cardStore writes card locations to Options.CardLocations off the paths
// that post messages and acknowledge clicks: writes go, in order, through
// a queue that one goroutine serves while there is work, and failures are
// only logged. A nil *cardStore (no store configured) does nothing.
type cardStore struct {
	platform string
	store    bot.CardLocations
	log      *slog.Logger

	// loadMu serialises reads of stored locations, so that two updates of
	// a card not yet loaded do not both adopt its messages.
	loadMu sync.Mutex

	mu      sync.Mutex
	ops     []storeOp
	running bool
	idle    chan struct{} // closed when the queue empties; nil if no one waits
}

func newCardStore(platform string, store bot.CardLocations, log *slog.Logger) *cardStore {
	if store == nil {
		return nil
	}
	return &cardStore{platform: platform, store: store, log: log}
}

// save records, in the background, that location shows card key.
func (s *cardStore) save(key, location string) {
	s.enqueue(storeOp{key: key, location: location})
}

// forget drops, in the background, a location that no longer shows key.
func (s *cardStore) forget(key, location string) {
	s.enqueue(storeOp{forget: true, key: key, location: location})
}

func (s *cardStore) enqueue(op storeOp) {
	if s == nil || op.key == "" || op.location == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ops) >= maxPendingStoreOps {
		s.log.Warn("too many card locations waiting to be stored; dropping one", "card", op.key, "forget", op.forget)
		return
	}
	s.ops = append(s.ops, op)
	if !s.running {
		s.running = true
		go s.run()
	}
}

// run serves the queue until it is empty.
func (s *cardStore) run() {
	for {
		s.mu.Lock()
		if len(s.ops) == 0 {
			s.running = false
			if s.idle != nil {
				close(s.idle)
				s.idle = nil
			}
			s.mu.Unlock()
			return
		}
		op := s.ops[0]
		s.ops = s.ops[1:]
		s.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		var err error
		if op.forget {
			err = s.store.ForgetCardLocation(ctx, s.platform, op.key, op.location)
		} else {
			err = s.store.SaveCardLocation(ctx, s.platform, op.key, op.location)
		}
		cancel()
		if err != nil {
			s.log.Warn("could not store where a card is shown; it will update again once someone clicks it", "card", op.key, "forget", op.forget, "err", err)
		}
	}
}

// wait returns once every queued write is done, or ctx ends.
func (s *cardStore) wait(ctx context.Context) error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return nil
	}
	if s.idle == nil {
		s.idle = make(chan struct{})
	}
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// locations reads the stored locations of card key.
func (s *cardStore) locations(ctx context.Context, key string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	return s.store.CardLocations(ctx, s.platform, key)
}

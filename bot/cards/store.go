package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Bounds of the writes to a CardLocations store.
const (
	// cardStoreTimeout bounds one call to the card location store.
	cardStoreTimeout = 10 * time.Second
	// maxPendingCardOps bounds the writes waiting for the store; past it,
	// new ones are dropped (and logged), never blocking a post.
	maxPendingCardOps = 1000
)

// cardOp is one write to the card location store.
type cardOp struct {
	forget        bool
	key, location string
}

// CardLocationQueue is how adapters use a CardLocations store without
// slowing down the paths that post messages and acknowledge clicks: writes
// go, in order, through a queue that one goroutine serves while there is
// work, and failures are only logged. A nil *CardLocationQueue (no store
// configured) does nothing.
type CardLocationQueue struct {
	platform string
	store    CardLocations
	log      *slog.Logger

	// loadMu serialises reads of stored locations, so that two updates of
	// a card not yet loaded do not both adopt its messages.
	loadMu sync.Mutex

	mu      sync.Mutex
	ops     []cardOp
	running bool
	idle    chan struct{} // closed when the queue empties; nil if no one waits
}

// NewCardLocationQueue returns a queue over store for one platform, or nil
// when store is nil.
func NewCardLocationQueue(platform string, store CardLocations, log *slog.Logger) *CardLocationQueue {
	if store == nil {
		return nil
	}
	if log == nil {
		log = slog.Default()
	}
	return &CardLocationQueue{platform: platform, store: store, log: log}
}

// Save records, in the background, that location shows card key.
func (s *CardLocationQueue) Save(key, location string) {
	s.enqueue(cardOp{key: key, location: location})
}

// Forget drops, in the background, a location that no longer shows key.
func (s *CardLocationQueue) Forget(key, location string) {
	s.enqueue(cardOp{forget: true, key: key, location: location})
}

func (s *CardLocationQueue) enqueue(op cardOp) {
	if s == nil || op.key == "" || op.location == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ops) >= maxPendingCardOps {
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
func (s *CardLocationQueue) run() {
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

		ctx, cancel := context.WithTimeout(context.Background(), cardStoreTimeout)
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

// Wait returns once every queued write is done, or ctx ends.
func (s *CardLocationQueue) Wait(ctx context.Context) error {
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

// Load reads the stored locations of card key and passes them to adopt,
// unless loaded reports the key is already known. Loads are serialised
// and loaded is asked again under the lock, so two updates of a card not
// yet loaded never both adopt its messages. It does nothing on a nil
// queue.
func (s *CardLocationQueue) Load(ctx context.Context, key string, loaded func() bool, adopt func(locations []string)) error {
	if s == nil || key == "" || loaded() {
		return nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if loaded() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, cardStoreTimeout)
	defer cancel()
	locs, err := s.store.CardLocations(ctx, s.platform, key)
	if err != nil {
		return fmt.Errorf("read where card %s is shown on %s: %w", key, s.platform, err)
	}
	adopt(locs)
	return nil
}

package cards

import (
	"context"
	"log/slog"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/lanes"
)

// Bounds of the writes to a bot.CardLocations store.
const (
	// cardStoreTimeout bounds one call to the card location store.
	cardStoreTimeout = 10 * time.Second
	// emptyRecheck is how long the store's answer that a card is shown
	// nowhere is trusted. Another process that has just posted the card
	// saves its location a moment later; reading again after this long
	// finds it, at a read a second for a card no process has posted.
	emptyRecheck = time.Second
	// maxPendingCardOps bounds the writes waiting for the store; past it,
	// new ones are dropped (and logged), never blocking a post.
	maxPendingCardOps = 1000
)

// writeLane is the one lane of a locationStore's writes.
const writeLane = "writes"

// locationStore is how the Updater writes to a bot.CardLocations store
// without slowing down the paths that post messages and acknowledge
// clicks: writes go, in order, through a lane of their own, and failures
// are only logged. A nil *locationStore (no store configured) does
// nothing.
type locationStore struct {
	platform string
	store    bot.CardLocations
	log      *slog.Logger
	writes   *lanes.Group
}

// newLocationStore returns a write queue over store for one platform, or
// nil when store is nil.
func newLocationStore(platform string, store bot.CardLocations, log *slog.Logger) *locationStore {
	if store == nil {
		return nil
	}
	return &locationStore{platform: platform, store: store, log: log, writes: lanes.New(1)}
}

// Save records, in the background, that location shows card key.
func (s *locationStore) Save(key, location string) {
	s.enqueue(false, key, location)
}

// Forget drops, in the background, a location that no longer shows key.
func (s *locationStore) Forget(key, location string) {
	s.enqueue(true, key, location)
}

func (s *locationStore) enqueue(forget bool, key, location string) {
	if s == nil || key == "" || location == "" {
		return
	}
	if s.writes.Queued(writeLane) >= maxPendingCardOps {
		s.log.Warn("too many card locations waiting to be stored; dropping one", "card", key, "forget", forget)
		return
	}
	s.writes.Add(writeLane, func() {
		ctx, cancel := context.WithTimeout(context.Background(), cardStoreTimeout)
		defer cancel()
		var err error
		if forget {
			err = s.store.ForgetCardLocation(ctx, s.platform, key, location)
		} else {
			err = s.store.SaveCardLocation(ctx, s.platform, key, location)
		}
		if err != nil {
			s.log.Warn("could not store where a card is shown; it will update again once someone clicks it", "card", key, "forget", forget, "err", err)
		}
	})
}

// Wait returns once every queued write is done, or ctx ends.
func (s *locationStore) Wait(ctx context.Context) error {
	if s == nil {
		return nil
	}
	return s.writes.Wait(ctx)
}

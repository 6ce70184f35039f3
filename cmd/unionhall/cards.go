package main

import (
	"context"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
)

// cardLocations returns the store in which the Slack and Discord adapters
// remember which messages show which card, so that cards posted before a
// restart are still updated; nil when the app has no database.
func (a *app) cardLocations() bot.CardLocations {
	if a.stores.Cards == nil {
		return nil
	}
	return a.stores.Cards
}

// pruneCardLocations deletes, at start-up, the card locations not saved
// for store.CardLocationRetention. A failure is logged: the rows are
// only kept longer.
func (a *app) pruneCardLocations(ctx context.Context) {
	if a.stores.Cards == nil {
		return
	}
	n, err := a.stores.Cards.Prune(ctx, store.CardLocationRetention)
	if err != nil {
		a.log.Warn("could not prune old card locations", "err", err)
		return
	}
	if n > 0 {
		a.log.Info("pruned old card locations", "rows", n)
	}
}

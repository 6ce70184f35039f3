package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/unionhall/unionhall/store"
)

// Limits of the card location store: those of every store (see package
// store), named here too for this package's callers.
const (
	MaxCardLocationsPerKey = store.MaxCardLocationsPerKey
	CardLocationRetention  = store.CardLocationRetention
)

// CardLocations implements store.CardLocations: it remembers which platform
// messages show which card, so that adapters can update cards they posted
// before a restart. Each card keeps at most MaxCardLocationsPerKey
// locations per platform; Prune deletes locations not saved for a long
// time.
type CardLocations struct {
	db *DB
}

// NewCardLocations returns the card location store of db.
func NewCardLocations(db *DB) *CardLocations { return &CardLocations{db: db} }

// SaveCardLocation records that location on platform shows the card key,
// refreshing its time when it is already known, and forgets the least
// recently saved locations of the card beyond MaxCardLocationsPerKey.
func (s *CardLocations) SaveCardLocation(ctx context.Context, platform, key, location string) error {
	if err := store.CheckCardLocation(platform, key, location); err != nil {
		return err
	}
	now := ts(s.db.Now())
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO card_locations (platform, key, location, saved_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (platform, key, location) DO UPDATE SET saved_at = excluded.saved_at`,
			platform, key, location, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM card_locations WHERE platform = ? AND key = ? AND rowid NOT IN (
			SELECT rowid FROM card_locations WHERE platform = ? AND key = ? ORDER BY saved_at DESC, rowid DESC LIMIT ?)`,
			platform, key, platform, key, MaxCardLocationsPerKey)
		return err
	})
	if err != nil {
		return fmt.Errorf("save location of card %s on %s: %w", key, platform, err)
	}
	return nil
}

// CardLocations returns the locations of card key on platform, least
// recently saved first.
func (s *CardLocations) CardLocations(ctx context.Context, platform, key string) ([]string, error) {
	return queryAll(ctx, s.db.read, fmt.Sprintf("read locations of card %s on %s", key, platform),
		func(row scanner) (loc string, err error) { return loc, row.Scan(&loc) },
		`SELECT location FROM card_locations WHERE platform = ? AND key = ? ORDER BY saved_at, rowid`, platform, key)
}

// ForgetCardLocation drops one location of card key on platform.
func (s *CardLocations) ForgetCardLocation(ctx context.Context, platform, key, location string) error {
	_, err := s.db.exec(ctx, fmt.Sprintf("forget location of card %s on %s", key, platform),
		`DELETE FROM card_locations WHERE platform = ? AND key = ? AND location = ?`, platform, key, location)
	return err
}

// Prune deletes the locations last saved more than maxAge ago and reports
// how many it deleted. Union Hall runs it at start-up with
// CardLocationRetention.
func (s *CardLocations) Prune(ctx context.Context, maxAge time.Duration) (int64, error) {
	return s.db.exec(ctx, "prune card locations", `DELETE FROM card_locations WHERE saved_at < ?`, ts(s.db.Now().Add(-maxAge)))
}

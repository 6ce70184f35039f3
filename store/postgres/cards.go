package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
)

// cardLockClass is the first key of the transaction advisory locks that
// serialise saves of one card's locations ("UnHC" in ASCII); the second is
// a hash of the platform and card.
const cardLockClass int32 = 0x556e4843

// CardLocations implements store.CardLocations: it remembers which
// platform messages show which card, so that adapters can update cards
// they posted before a restart. Each card keeps at most
// store.MaxCardLocationsPerKey locations per platform; Prune deletes
// locations not saved for a long time.
type CardLocations struct {
	db *DB
}

var (
	_ store.CardLocations = (*CardLocations)(nil)
	_ bot.CardRevisions   = (*CardLocations)(nil)
)

// NewCardLocations returns the card location store of db.
func NewCardLocations(db *DB) *CardLocations { return &CardLocations{db: db} }

// SaveCardLocation records that location on platform shows the card key,
// refreshing its time when it is already known, and forgets the least
// recently saved locations of the card beyond store.MaxCardLocationsPerKey.
// Saves of one card, from any process, take turns under a transaction
// advisory lock, so that two of them cannot each keep the limit while
// together exceeding it.
func (s *CardLocations) SaveCardLocation(ctx context.Context, platform, key, location string) error {
	if err := store.CheckCardLocation(platform, key, location); err != nil {
		return err
	}
	err := s.db.tx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock($1, hashtext($2::text || ' ' || $3::text))`, cardLockClass, platform, key)
		b.Queue(`INSERT INTO card_locations (platform, key, location, saved_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (platform, key, location) DO UPDATE SET saved_at = excluded.saved_at`,
			platform, key, location, stamp(s.db.Now(), toMilli))
		b.Queue(`DELETE FROM card_locations WHERE platform = $1 AND key = $2 AND id NOT IN (
			SELECT id FROM card_locations WHERE platform = $1 AND key = $2 ORDER BY saved_at DESC, id DESC LIMIT $3)`,
			platform, key, store.MaxCardLocationsPerKey)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("save location of card %s on %s: %w", key, platform, err)
	}
	return nil
}

// CardLocations returns the locations of card key on platform, least
// recently saved first.
func (s *CardLocations) CardLocations(ctx context.Context, platform, key string) ([]string, error) {
	return queryAll(ctx, s.db.pool, fmt.Sprintf("read locations of card %s on %s", key, platform),
		func(row pgx.CollectableRow, loc *string) error { return row.Scan(loc) },
		`SELECT location FROM card_locations WHERE platform = $1 AND key = $2 ORDER BY saved_at, id`, platform, key)
}

// ForgetCardLocation drops one location of card key on platform.
func (s *CardLocations) ForgetCardLocation(ctx context.Context, platform, key, location string) error {
	_, err := s.db.exec(ctx, fmt.Sprintf("forget location of card %s on %s", key, platform),
		`DELETE FROM card_locations WHERE platform = $1 AND key = $2 AND location = $3`, platform, key, location)
	return err
}

// Prune deletes the locations last saved more than maxAge ago, by the
// store's clock, and reports how many it deleted. Union Hall runs it at
// start-up with store.CardLocationRetention. It passes over rows that
// another process holds (FOR UPDATE SKIP LOCKED): those are being saved
// again, so they are not old, and waiting for them could deadlock with
// a save that waits for rows this prune holds.
func (s *CardLocations) Prune(ctx context.Context, maxAge time.Duration) (int64, error) {
	return s.db.exec(ctx, "prune card locations", `DELETE FROM card_locations WHERE id IN (
		SELECT id FROM card_locations WHERE saved_at < $1 FOR UPDATE SKIP LOCKED)`, stamp(s.db.Now().Add(-maxAge), toMilli))
}

// EditCardRevision implements bot.CardRevisions: it calls edit unless
// the message at location already shows a newer revision of card key,
// and records revision once edit succeeds. The location's row stays
// locked (FOR UPDATE) while edit runs, so that edits of one message from
// several processes take turns, each seeing the revision the last one
// recorded: a newer edit that waits goes on after, an older one finds a
// newer revision and is skipped. If edit fails nothing is recorded. A
// location the store does not know is edited without a record. The
// transaction runs on a pool of its own (editConns connections), so
// that slow edits never hold up votes.
func (s *CardLocations) EditCardRevision(ctx context.Context, platform, key, location string, revision int64, edit func(context.Context) error) (bool, error) {
	edited := false
	err := pgx.BeginFunc(ctx, s.db.edits, func(tx pgx.Tx) error {
		var shown int64
		err := tx.QueryRow(ctx, `SELECT revision FROM card_locations WHERE platform = $1 AND key = $2 AND location = $3 FOR UPDATE`,
			platform, key, location).Scan(&shown)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			edited = true
			return edit(ctx)
		case err != nil:
			return fmt.Errorf("read the revision shown: %w", err)
		case shown > revision:
			return nil
		}
		edited = true
		if err := edit(ctx); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE card_locations SET revision = $4 WHERE platform = $1 AND key = $2 AND location = $3`,
			platform, key, location, revision)
		return err
	})
	if err != nil {
		return edited, fmt.Errorf("edit card %s at %s on %s to revision %d: %w", key, location, platform, revision, err)
	}
	return edited, nil
}

package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/store"
)

// Setting returns the value stored under key and whether it exists.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v *string
	if err := db.pool.QueryRow(ctx, `SELECT (SELECT value FROM settings WHERE key = $1)`, key).Scan(&v); err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	if v == nil {
		return "", false, nil
	}
	return *v, true, nil
}

// SettingOrInit returns the value stored under key, first storing
// init() there when the key is absent. Concurrent callers, in any
// process, all see the same stored value: the insert does nothing when
// the key exists (after waiting for a concurrent insert of it to commit),
// and the read that follows, with a snapshot of its own, sees whichever
// value was stored first.
func (db *DB) SettingOrInit(ctx context.Context, key string, init func() (string, error)) (string, error) {
	return store.SettingOrInit(ctx, db, key, init, db.keepSetting)
}

// keepSetting stores value under key unless the key has a value, and
// returns the value stored, in one round trip.
func (db *DB) keepSetting(ctx context.Context, key, value string) (string, error) {
	var v string
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value)
	b.Queue(`SELECT value FROM settings WHERE key = $1`, key).QueryRow(func(row pgx.Row) error { return row.Scan(&v) })
	return v, db.pool.SendBatch(ctx, b).Close()
}

package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Setting returns the value stored under key and whether it exists.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, true, nil
}

// SettingOrInit returns the value stored under key, first storing
// init() there when the key is absent. Concurrent callers, in any
// process, all see the same stored value: the insert does nothing when
// the key exists (after waiting for a concurrent insert of it to commit),
// and the read that follows, with a snapshot of its own, sees whichever
// value was stored first.
func (db *DB) SettingOrInit(ctx context.Context, key string, init func() (string, error)) (string, error) {
	if v, ok, err := db.Setting(ctx, key); err != nil || ok {
		return v, err
	}
	fresh, err := init()
	if err != nil {
		return "", fmt.Errorf("initialise setting %s: %w", key, err)
	}
	var v string
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, fresh)
	b.Queue(`SELECT value FROM settings WHERE key = $1`, key).QueryRow(func(row pgx.Row) error { return row.Scan(&v) })
	if err := db.pool.SendBatch(ctx, b).Close(); err != nil {
		return "", fmt.Errorf("store setting %s: %w", key, err)
	}
	return v, nil
}

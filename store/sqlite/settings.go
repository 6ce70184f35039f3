package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/unionhall/unionhall/store"
)

// Setting returns the value stored under key and whether it exists.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, true, nil
}

// SettingOrInit returns the value stored under key, first storing
// init() there when the key is absent. Concurrent callers all see the
// same stored value.
func (db *DB) SettingOrInit(ctx context.Context, key string, init func() (string, error)) (string, error) {
	return store.SettingOrInit(ctx, db, key, init, db.keepSetting)
}

// keepSetting stores value under key unless the key has a value, and
// returns the value stored, in one write transaction.
func (db *DB) keepSetting(ctx context.Context, key, value string) (string, error) {
	var v string
	err := db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	})
	return v, err
}

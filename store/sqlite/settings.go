package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	if v, ok, err := db.Setting(ctx, key); err != nil || ok {
		return v, err
	}
	fresh, err := init()
	if err != nil {
		return "", fmt.Errorf("initialise setting %s: %w", key, err)
	}
	var v string
	err = db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	})
	if err != nil {
		return "", fmt.Errorf("store setting %s: %w", key, err)
	}
	return v, nil
}

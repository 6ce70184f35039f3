// Package backup copies a Union Hall SQLite database while the bot runs,
// checks that a file is a Union Hall database this version can open, and
// puts a copy back in place of the database.
//
// A copy is made with SQLite's VACUUM INTO: one read transaction, so it is
// a consistent snapshot that includes every commit made before it began
// (in the database file or still in its write-ahead log) and none after,
// while writers carry on. The copy is a single self-contained file in
// rollback-journal mode, with no write-ahead log beside it, and VACUUM
// rebuilds every table, so it keeps none of the free pages where deleted
// rows could linger: it holds what the database holds and no more, which
// keeps secret ballots as unlinkable in a backup as in the database.
//
// PostgreSQL installations are backed up with pg_dump instead.
package backup

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver

	"github.com/unionhall/unionhall/store/sqlite"
)

// ErrExists is returned when a backup would overwrite a file.
var ErrExists = errors.New("file exists")

// Copy writes a consistent copy of the SQLite database at src to dst,
// which must not exist. The copy appears under dst complete or not at
// all.
func Copy(ctx context.Context, src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("backup to %s: %w (choose a new name; a backup never overwrites a file)", dst, ErrExists)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup of %s: %w", src, err)
	}
	tmp, err := partialName(dst)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := vacuumInto(ctx, src, tmp); err != nil {
		return fmt.Errorf("backup of %s: %w", src, err)
	}
	if err := rollbackJournal(ctx, tmp); err != nil {
		return fmt.Errorf("backup of %s: %w", src, err)
	}
	if err := syncPath(tmp); err != nil {
		return fmt.Errorf("backup of %s: %w", src, err)
	}
	// A hard link, unlike a rename, fails when dst appeared meanwhile.
	if err := os.Link(tmp, dst); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("backup to %s: %w", dst, ErrExists)
		}
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	return syncPath(filepath.Dir(dst))
}

// vacuumInto copies src into the new file dst in one read transaction.
func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := sql.Open("sqlite3", dsn(src, "rw"))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	return nil
}

// rollbackJournal puts the database at path in rollback-journal mode,
// which first copies any write-ahead log into the database: the file is
// then whole by itself, and no log is created beside it until the bot
// opens it again.
func rollbackJournal(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", dsn(path, "rw"))
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil {
		return fmt.Errorf("set the journal mode of %s: %w", path, err)
	}
	if mode != "delete" {
		return fmt.Errorf("the journal mode of %s is %q, not delete", path, mode)
	}
	return nil
}

// dsn opens path in mode (ro, rw) without creating it, waiting for locks
// as the bot does.
func dsn(path, mode string) string {
	q := url.Values{}
	q.Set("mode", mode)
	q.Set("_busy_timeout", fmt.Sprint(sqlite.BusyTimeout.Milliseconds()))
	return "file:" + path + "?" + q.Encode()
}

// partialName returns a fresh name beside dst for a file being written.
func partialName(dst string) (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("name a temporary file: %w", err)
	}
	return filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".partial-"+hex.EncodeToString(b)), nil
}

// syncPath flushes a file's contents, or a directory's names, to disk, so
// that they survive a crash.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

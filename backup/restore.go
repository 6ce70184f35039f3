package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// BeforeRestoreSuffix is added to the database's name to keep the
// database a restore replaced.
const BeforeRestoreSuffix = ".before-restore"

// Restore replaces the SQLite database at db with a copy of the backup
// file, after checking that file is a Union Hall database this version
// knows. It refuses while a bot runs on db (see InUse), and when a kept
// database from an earlier restore would be overwritten. The database
// replaced is kept as db+BeforeRestoreSuffix (none when db did not
// exist). The swap is atomic: db names the old database or the new one,
// never a mixture or nothing. It returns the kept file's name, or "".
func Restore(ctx context.Context, file, db string) (kept string, err error) {
	if _, err := Check(ctx, file); err != nil {
		return "", err
	}
	lock, err := lockFile(db, syscall.LOCK_EX)
	if errors.Is(err, ErrInUse) {
		return "", fmt.Errorf("restore %s: %w: Union Hall is running on it; stop it first", db, ErrInUse)
	}
	if err != nil {
		return "", fmt.Errorf("restore %s: %w", db, err)
	}
	defer lock.Close()

	_, statErr := os.Stat(db)
	exists := statErr == nil
	if exists {
		kept = db + BeforeRestoreSuffix
		if _, err := os.Lstat(kept); err == nil {
			return "", fmt.Errorf("restore %s: %s is kept from an earlier restore: move it away first: %w", db, kept, ErrExists)
		}
	} else if !errors.Is(statErr, fs.ErrNotExist) {
		return "", fmt.Errorf("restore %s: %w", db, statErr)
	}

	tmp, err := partialName(db)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	if err := copyFile(file, tmp); err != nil {
		return "", fmt.Errorf("restore %s: %w", db, err)
	}
	if exists {
		// The old database's write-ahead log goes back into it, so that
		// the kept file is whole and no log is left to pair with the new
		// file.
		if err := rollbackJournal(ctx, db); err != nil {
			return "", fmt.Errorf("restore %s: fold the write-ahead log into the old database: %w", db, err)
		}
		if err := os.Link(db, kept); err != nil {
			return "", fmt.Errorf("restore %s: keep the old database: %w", db, err)
		}
	}
	if err := os.Rename(tmp, db); err != nil {
		return "", fmt.Errorf("restore %s: %w", db, err)
	}
	for _, leftover := range []string{db + "-wal", db + "-shm"} {
		if err := os.Remove(leftover); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return kept, fmt.Errorf("restore %s: remove %s: %w", db, leftover, err)
		}
	}
	return kept, syncPath(filepath.Dir(db))
}

// copyFile copies src to the new file dst and flushes it to disk.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("sync %s: %w", dst, err)
	}
	return out.Close()
}

package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// ErrInUse is returned by Restore while a Union Hall runs on the
// database, and by InUse while a restore replaces it.
var ErrInUse = errors.New("database in use")

// lockPath is the lock file beside the database at db.
func lockPath(db string) string { return db + ".lock" }

// InUse marks the SQLite database at db as in use by a running bot, until
// release is called or the process ends (the operating system drops the
// lock of a process that dies). Any number of processes may hold it at
// once; Restore refuses to run while one does.
func InUse(db string) (release func() error, err error) {
	f, err := lockFile(db, syscall.LOCK_SH)
	if errors.Is(err, ErrInUse) {
		return nil, fmt.Errorf("database %s is being restored from a backup; start Union Hall once the restore has finished: %w", db, err)
	}
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		// No file can be created beside the database, so no restore can
		// replace it either: there is nothing to guard against.
		return func() error { return nil }, nil
	}
	if err != nil {
		return nil, fmt.Errorf("database %s (check the path exists and is writable, or set UNIONHALL_DB): %w", db, err)
	}
	return f.Close, nil
}

// lockFile opens the database's lock file and takes a lock of the given
// kind without waiting; ErrInUse when another process holds a lock that
// excludes it.
func lockFile(db string, how int) (*os.File, error) {
	f, err := os.OpenFile(lockPath(db), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("lock %s: %w", lockPath(db), err)
	}
	return f, nil
}

package sqlite

import (
	"github.com/unionhall/unionhall/store"
)

// KnownVersion returns the newest schema version this build applies: a
// database at a higher version was written by a newer Union Hall.
func KnownVersion() (int, error) {
	migs, err := store.Migrations(migrationFS, "migrations")
	if err != nil {
		return 0, err
	}
	return store.LatestVersion(migs), nil
}

package store

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one change to an engine's schema, applied once and
// recorded with its version.
type Migration struct {
	// Version orders the migrations; it is the number the file name
	// starts with.
	Version int
	// Name is the file name, e.g. "0003_polls.sql".
	Name string
	// SQL is the file's content.
	SQL string
}

// Migrations reads an engine's migrations from the files in dir of fsys,
// named NNNN_what.sql, and returns them in version order. Each engine
// embeds its own: the two SQL dialects differ, the steps do not.
func Migrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and an underscore", e.Name())
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// CheckNotNewer returns an error when a database's highest applied
// migration is beyond the ones this binary knows: a newer version of
// Union Hall wrote it, and this one must not run on it, for it would
// read and write tables whose meaning it does not know. database names it
// for the operator, e.g. "database unionhall.db".
func CheckNotNewer(database string, applied int, known []Migration) error {
	if last := LatestVersion(known); applied > last {
		return fmt.Errorf("%s was written by a newer version of Union Hall (schema %d; this binary knows schemas up to %d): upgrade this binary to that version or a later one, or set UNIONHALL_DB to another database", database, applied, last)
	}
	return nil
}

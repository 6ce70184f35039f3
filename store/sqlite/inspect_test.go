package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/unionhall/unionhall/store"
	"github.com/unionhall/unionhall/store/sqlite"
)

// TestInspectChangesNothing checks that Inspect never creates a missing
// database, reads an empty file as schema 0 and an opened one as current.
func TestInspectChangesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hall.db")
	if _, _, err := sqlite.Inspect(ctx, path); err == nil {
		t.Error("Inspect of a missing file succeeded")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("Inspect created the file: %v", err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if applied, known, err := sqlite.Inspect(ctx, path); err != nil || applied != 0 || len(known) == 0 {
		t.Errorf("an empty file: applied %d, %d known, %v", applied, len(known), err)
	}
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if applied, known, err := sqlite.Inspect(ctx, path); err != nil || applied != store.LatestVersion(known) || applied == 0 {
		t.Errorf("an opened database: applied %d of %d, %v", applied, store.LatestVersion(known), err)
	}
}

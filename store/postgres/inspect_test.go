package postgres_test

import (
	"context"
	"testing"

	"github.com/unionhall/unionhall/store"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// TestInspectChangesNothing checks that Inspect reads an empty database as
// schema 0 without creating any table, and an opened one as current.
func TestInspectChangesNothing(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.Fresh(t)
	for range 2 {
		applied, known, err := postgres.Inspect(ctx, dbURL)
		if err != nil || applied != 0 || len(known) != migrationFiles(t) {
			t.Fatalf("a fresh database: applied %d, %d known, %v", applied, len(known), err)
		}
	}
	db, err := postgres.Open(ctx, dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	applied, known, err := postgres.Inspect(ctx, dbURL)
	if err != nil || applied != store.LatestVersion(known) {
		t.Errorf("an opened database: applied %d of %d, %v", applied, store.LatestVersion(known), err)
	}
}

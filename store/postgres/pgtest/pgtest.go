// Package pgtest gives tests a fresh PostgreSQL database each, on the
// server named by UNIONHALL_TEST_POSTGRES, so that tests on PostgreSQL run
// in parallel without seeing each other's data. Tests never use a mock:
// without a server they skip, saying how to run them, or fail where a
// server is required (UNIONHALL_TEST_REQUIRE_POSTGRES=1, as in CI).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Environment variables that configure the PostgreSQL tests.
const (
	// ServerEnv holds a postgres:// URL of a server where the tests may
	// create and drop databases, e.g.
	// postgres://postgres@127.0.0.1:5432/postgres.
	ServerEnv = "UNIONHALL_TEST_POSTGRES"
	// RequireEnv set to 1 makes the tests fail, rather than skip, when
	// ServerEnv is unset: in CI a skipped test is a failure.
	RequireEnv = "UNIONHALL_TEST_REQUIRE_POSTGRES"
)

// Server returns the URL of the test server. Without one, it skips the
// test with a message saying how to run it, or fails it when RequireEnv
// is 1.
func Server(t testing.TB) string {
	t.Helper()
	server := os.Getenv(ServerEnv)
	if server != "" {
		return server
	}
	msg := fmt.Sprintf("PostgreSQL tests need a server: set %s to a postgres:// URL of a server where they may create and drop databases "+
		"(e.g. postgres://postgres@127.0.0.1:5432/postgres), or run .ci/run, which starts one", ServerEnv)
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s is 1, but %s is not set. %s", RequireEnv, ServerEnv, msg)
	}
	t.Skip(msg)
	return ""
}

// Fresh creates an empty database with a random name on the test server,
// drops it when the test ends, and returns its URL.
func Fresh(t testing.TB) string {
	t.Helper()
	server := Server(t)
	ctx := context.Background()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", ServerEnv, err)
	}
	var random [8]byte
	rand.Read(random[:])
	name := "unionhall_test_" + hex.EncodeToString(random[:])
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to the test server (%s): %v", ServerEnv, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("connect to the test server to drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// FutureVersion is the schema version MarkNewer records: one no version
// of Union Hall knows.
const FutureVersion = 9999

// MarkNewer records in the migrated database at url a migration
// (FutureVersion) that no version of Union Hall knows, as a newer version
// would have left it.
func MarkNewer(t testing.TB, url string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to mark the schema newer: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations VALUES ($1, '9999_future.sql', now())`, FutureVersion); err != nil {
		t.Fatalf("mark the schema newer: %v", err)
	}
}

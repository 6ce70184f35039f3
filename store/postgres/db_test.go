package postgres_test

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// migrationFiles counts the migrations in the source tree and returns
// the highest version among them (versions may leave gaps).
func migrationFiles(t *testing.T) (n, newest int) {
	t.Helper()
	files, err := fs.Glob(os.DirFS("."), "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration files: %v", err)
	}
	for _, f := range files {
		v, err := strconv.Atoi(strings.SplitN(path.Base(f), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s: %v", f, err)
		}
		newest = max(newest, v)
	}
	return len(files), newest
}

// TestMigrationsRunOnceAcrossReplicas opens one fresh database from
// several processes at once, as replicas starting together do, and again
// later: every migration is applied once, and all of them open.
func TestMigrationsRunOnceAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.Fresh(t)
	started := time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
	clock := bot.NewManualClock(started)
	var wg sync.WaitGroup
	dbs := make([]*postgres.DB, 6)
	for i := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(ctx, dbURL, clock)
			if err != nil {
				t.Error(err)
				return
			}
			dbs[i] = db
		}()
	}
	wg.Wait()
	for _, db := range dbs {
		if db != nil {
			db.Close()
		}
	}
	clock.Advance(time.Hour)
	db, err := postgres.Open(ctx, dbURL, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, highest int
	var last time.Time
	if err := db.Pool().QueryRow(ctx, `SELECT count(*), max(version), max(applied_at) FROM schema_migrations`).Scan(&n, &highest, &last); err != nil {
		t.Fatal(err)
	}
	want, newest := migrationFiles(t)
	if n != want {
		t.Fatalf("%d migration rows for %d migration files", n, want)
	}
	if !last.Equal(started) {
		t.Fatalf("migrations applied at %v, want %v, the time of the first start (from its clock)", last, started)
	}
	// Versions may leave gaps; the schema's version is the highest.
	if v, err := db.SchemaVersion(ctx); err != nil || v != newest || v != highest {
		t.Fatalf("schema version %d, %v", v, err)
	}
}

// TestNewerSchemaRefused: a database that a newer Union Hall migrated is
// not opened.
func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.Fresh(t)
	db, err := postgres.Open(ctx, dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	pgtest.MarkNewer(t, dbURL)
	_, err = postgres.Open(ctx, dbURL, nil)
	_, known, kerr := postgres.Inspect(ctx, dbURL)
	if kerr != nil {
		t.Fatal(kerr)
	}
	want := fmt.Sprintf("was written by a newer version of Union Hall (schema 9999; this binary knows schemas up to %d): upgrade this binary", store.LatestVersion(known))
	if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "database ") {
		t.Fatalf("opening a database of a newer schema: %v, want %q", err, want)
	}
}

// TestOpenErrorsSayWhatIsWrongWithoutThePassword opens databases that
// cannot be opened, with a password in each URL: the error says what is
// wrong and where, and never shows the password.
func TestOpenErrorsSayWhatIsWrongWithoutThePassword(t *testing.T) {
	ctx := context.Background()
	const password = "s3cret-Passw0rd"
	server, err := url.Parse(pgtest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	withPassword := func(host, database string) string {
		u := *server
		u.User = url.UserPassword(server.User.Username(), password)
		if host != "" {
			u.Host = host
		}
		u.Path = "/" + database
		return u.String()
	}
	// A port where nothing listens.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().String()
	l.Close()

	for _, c := range []struct {
		name, url string
		want      []string
	}{
		{"unreadable URL", "postgres://" + server.User.Username() + ":" + password + "@127.0.0.1:notaport/x", []string{"PostgreSQL URL cannot be read"}},
		{"no server", withPassword(closedPort, "unionhall"), []string{"cannot be reached", closedPort, "database unionhall"}},
		{"no database", withPassword("", "unionhall_missing_database"), []string{"does not exist", "database unionhall_missing_database", server.Host}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			db, err := postgres.Open(ctx, c.url, nil)
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			msg := err.Error()
			if strings.Contains(msg, password) {
				t.Fatalf("the error shows the password: %s", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
		})
	}
}

// TestUpgradeWaitsForEveryOlderProcess: a later version of Union Hall
// that would upgrade the schema refuses to start while a process of this
// version runs on the database, saying so, and applies nothing; once
// that process has stopped, it upgrades the schema, and this version then
// refuses the database.
func TestUpgradeWaitsForEveryOlderProcess(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.Fresh(t)
	old, err := postgres.Open(ctx, dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	current, err := old.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := store.Migration{Version: 9000, Name: "9000_next.sql", SQL: `CREATE TABLE next_version (id integer)`}
	_, err = postgres.OpenNewer(ctx, dbURL, next)
	want := fmt.Sprintf("is in use by a process of an earlier version of Union Hall (schema %d), which would not understand the schema this binary brings it to (9000): stop every process of the earlier version, then start this one", current)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("a later version starting beside this one: %v, want %q", err, want)
	}
	var exists bool
	if err := old.Pool().QueryRow(ctx, `SELECT to_regclass('next_version') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Fatalf("the refused upgrade left its table: %v, %v", exists, err)
	}

	old.Close()
	newer, err := postgres.OpenNewer(ctx, dbURL, next)
	if err != nil {
		t.Fatalf("the later version once this one stopped: %v", err)
	}
	defer newer.Close()
	if v, err := newer.SchemaVersion(ctx); err != nil || v != 9000 {
		t.Fatalf("schema after the upgrade: %d, %v", v, err)
	}
	if _, err := postgres.Open(ctx, dbURL, nil); err == nil || !strings.Contains(err.Error(), "upgrade this binary") {
		t.Fatalf("this version after the upgrade: %v", err)
	}
	// Processes of one version start beside each other.
	other, err := postgres.OpenNewer(ctx, dbURL, next)
	if err != nil {
		t.Fatalf("a second process of the later version: %v", err)
	}
	other.Close()
}

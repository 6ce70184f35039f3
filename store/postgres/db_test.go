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
	_, err = db.Pool().Exec(ctx, `INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', now())`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
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

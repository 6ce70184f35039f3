package backup_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/unionhall/unionhall/backup"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/sqlite"
	"github.com/unionhall/unionhall/store/storetest"
)

// openDB opens a fresh database in dir, closed when the test ends.
func openDB(t *testing.T, path string, clock bot.Clock) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// wantSelfContained fails unless the file at path is a SQLite database in
// rollback-journal mode with no write-ahead log beside it.
func wantSelfContained(t *testing.T, path string) {
	t.Helper()
	head := make([]byte, 20)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Read(head); err != nil {
		t.Fatal(err)
	}
	// Bytes 18 and 19 of the header are 1 in rollback-journal mode, 2 in
	// WAL mode.
	if !bytes.HasPrefix(head, []byte("SQLite format 3\x00")) || head[18] != 1 || head[19] != 1 {
		t.Errorf("%s: header %q, want a SQLite database in rollback-journal mode", path, head)
	}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + side); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s%s exists beside the backup (err %v)", path, side, err)
		}
	}
}

func TestBackupDuringAVoteBurstHoldsEveryVoteConfirmedBeforeIt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := bot.NewManualClock(storetest.PollsStart())
	db := openDB(t, filepath.Join(dir, "unionhall.db"), clock)
	svc, err := polls.New(polls.Config{Store: db.Stores().Polls, Poster: bottest.NewHub(clock), Clock: clock, Log: bottest.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Open(ctx, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}, Platform: "console", Channel: "console", By: bot.User{ID: "console:steward"}})
	if err != nil {
		t.Fatal(err)
	}

	const workers, each = 8, 40
	var mu sync.Mutex
	var confirmed []string
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("console:w%d-%d", w, i)
				if _, err := svc.Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: id}, Choices: []int{1 + i%2}}); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				confirmed = append(confirmed, id)
				if len(confirmed) == workers*each/4 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		})
	}
	<-enough
	mu.Lock()
	before := append([]string(nil), confirmed...)
	mu.Unlock()
	copyPath := filepath.Join(dir, "copy.db")
	if err := backup.Copy(ctx, db.Path, copyPath); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if len(before) == workers*each {
		t.Log("every vote was confirmed before the backup began; the burst did not overlap it")
	}

	wantSelfContained(t, copyPath)
	cp := openDB(t, copyPath, clock)
	ballots, err := cp.Stores().Polls.Ballots(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, b := range ballots {
		in[b.Voter] = true
	}
	for _, id := range before {
		if !in[id] {
			t.Errorf("vote of %s was confirmed before the backup began but is not in it", id)
		}
	}
	if len(ballots) < len(before) || len(ballots) > workers*each {
		t.Errorf("backup holds %d ballots; %d were confirmed before it, %d in all", len(ballots), len(before), workers*each)
	}
	if err := backup.Copy(ctx, db.Path, copyPath); !errors.Is(err, backup.ErrExists) {
		t.Errorf("a second backup to the same file: %v, want ErrExists", err)
	}
}

// secretBackup votes a secret ballot in a fresh database, leaves it open
// as a running bot would, and returns the bytes of a backup of it.
func secretBackup(t *testing.T, voters, units []string, choices []int) []byte {
	t.Helper()
	dir := t.TempDir()
	clock := bot.NewManualClock(storetest.PollsStart())
	engine := storetest.NewEngine(func(testing.TB) string { return filepath.Join(dir, "unionhall.db") }, sqlite.Open,
		func(context.Context, *sqlite.DB, int64, bool) (storetest.PollRows, error) {
			return storetest.PollRows{}, errors.New("not read by this test")
		})
	s, err := engine.Open(context.Background(), engine.Fresh(t), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.VoteSecretBallot(t, s, clock, voters, units, choices)
	path := filepath.Join(dir, "backup.db")
	if err := backup.Copy(context.Background(), filepath.Join(dir, "unionhall.db"), path); err != nil {
		t.Fatal(err)
	}
	wantSelfContained(t, path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBackupOfSecretBallotCannotBeLinked is the store's linking test on
// backups: the same members vote in the same order with the same totals
// per unit, but the choices dealt out differently among them; backups
// taken while the database is open are the same byte for byte, so
// nothing in a backup links a ballot to its voter.
func TestBackupOfSecretBallotCannotBeLinked(t *testing.T) {
	voters, units, choices, shuffled := storetest.SecretBallots()
	a := secretBackup(t, voters, units, choices)
	b := secretBackup(t, voters, units, shuffled)
	if !bytes.Equal(a, b) {
		t.Fatal("the backups differ, so something in them links ballots to voters")
	}
}

// writeDB makes a database at path holding one poll with the given
// question, and closes it.
func writeDB(t *testing.T, path, question string) {
	t.Helper()
	clock := bot.NewManualClock(storetest.PollsStart())
	db, err := sqlite.Open(context.Background(), path, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Stores().Polls.CreatePoll(context.Background(), &polls.Poll{Question: question, Options: []string{"Yes", "No"}, MaxChoices: 1,
		Platform: "console", Channel: "console", OpenedBy: "console:steward", OpenedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
}

// question returns the question of poll 1 in the database at path.
func question(t *testing.T, path string) string {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.Stores().Polls.Poll(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return p.Question
}

func TestRestoreReplacesTheDatabaseAndKeepsTheOldOne(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live, saved := filepath.Join(dir, "unionhall.db"), filepath.Join(dir, "saved.db")
	writeDB(t, live, "Old?")
	if err := backup.Copy(ctx, live, saved); err != nil {
		t.Fatal(err)
	}
	os.Remove(live)
	writeDB(t, live, "New?")

	// A running bot holds the database: restore refuses.
	release, err := backup.InUse(live)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, saved, live); !errors.Is(err, backup.ErrInUse) {
		t.Fatalf("restore while running: %v, want ErrInUse", err)
	}
	if got := question(t, live); got != "New?" {
		t.Fatalf("a refused restore changed the database: %q", got)
	}
	release()

	kept, err := backup.Restore(ctx, saved, live)
	if err != nil {
		t.Fatal(err)
	}
	if kept != live+backup.BeforeRestoreSuffix {
		t.Errorf("kept %q", kept)
	}
	if got := question(t, live); got != "Old?" {
		t.Errorf("restored database has %q, want the backup's Old?", got)
	}
	if got := question(t, kept); got != "New?" {
		t.Errorf("kept database has %q, want the replaced New?", got)
	}
	// A second restore would overwrite the kept database: refused.
	if _, err := backup.Restore(ctx, saved, live); !errors.Is(err, backup.ErrExists) {
		t.Errorf("restore over a kept database: %v, want ErrExists", err)
	}
}

func TestRestoreRefusesWhatIsNotAUnionHallDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "unionhall.db")
	writeDB(t, live, "Live?")

	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte(strings.Repeat("not a database\n", 400)), 0o600)
	other := filepath.Join(dir, "other.db")
	raw, err := sql.Open("sqlite3", "file:"+other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	newer := filepath.Join(dir, "newer.db")
	writeDB(t, newer, "Future?")
	raw, err = sql.Open("sqlite3", "file:"+newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2099-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	for _, f := range []string{text, other, newer, filepath.Join(dir, "missing.db")} {
		if _, err := backup.Restore(ctx, f, live); err == nil {
			t.Errorf("restore from %s succeeded", filepath.Base(f))
		}
	}
	if got := question(t, live); got != "Live?" {
		t.Errorf("a refused restore changed the database: %q", got)
	}
	if _, err := os.Stat(live + backup.BeforeRestoreSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused restore kept a copy: %v", err)
	}
}

func TestDailyBackupsKeepTheNewest(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "unionhall.db")
	writeDB(t, live, "Daily?")
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	clock := bot.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, ny))
	logs := &bottest.LogBuffer{}
	backups := filepath.Join(dir, "backups")
	d := backup.Daily{DB: live, Dir: backups, Keep: 2, Clock: clock, Location: ny, Log: logs.Logger()}
	bottest.Start(t, d.Run)

	names := func() string {
		entries, _ := os.ReadDir(backups)
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return strings.Join(out, " ")
	}
	bottest.WaitFor(t, "the first day's backup", func() bool { return names() == "unionhall-2026-03-02.db" && clock.Timers() == 1 })
	for _, want := range []string{
		"unionhall-2026-03-02.db unionhall-2026-03-03.db",
		"unionhall-2026-03-03.db unionhall-2026-03-04.db",
	} {
		clock.Advance(24 * time.Hour)
		bottest.WaitFor(t, want, func() bool { return names() == want && clock.Timers() == 1 })
	}
	if n := strings.Count(logs.String(), "daily backup made"); n != 3 {
		t.Errorf("%d lines logged for 3 backups:\n%s", n, logs.String())
	}
	wantSelfContained(t, filepath.Join(backups, "unionhall-2026-03-04.db"))
}

func TestABotCannotStartDuringARestore(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "unionhall.db")
	// Two bots may run on one database at once.
	first, err := backup.InUse(live)
	if err != nil {
		t.Fatal(err)
	}
	second, err := backup.InUse(live)
	if err != nil {
		t.Fatalf("a second bot on the database: %v", err)
	}
	first()
	second()
	// A lock taken as restore takes it keeps bots out.
	f, err := os.OpenFile(live+".lock", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.InUse(live); !errors.Is(err, backup.ErrInUse) || !strings.Contains(err.Error(), "being restored") {
		t.Errorf("a bot starting during a restore: %v, want ErrInUse", err)
	}
	if _, err := backup.InUse(filepath.Join(dir, "missing", "unionhall.db")); err == nil || errors.Is(err, backup.ErrInUse) || !strings.Contains(err.Error(), "check the path") {
		t.Errorf("a database in a missing directory: %v", err)
	}
}

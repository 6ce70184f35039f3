package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/sqlite"
)

var pollsStart = time.Date(2011, time.July, 18, 9, 0, 0, 0, time.UTC)

// pollsEnv is the polls service on a database, with a router.
type pollsEnv struct {
	db     *sqlite.DB
	store  *sqlite.PollStore
	svc    *polls.Service
	router *bot.Router
	clock  *bot.ManualClock
}

func newPollsEnv(t testing.TB, path string) *pollsEnv {
	t.Helper()
	clock := bot.NewManualClock(pollsStart)
	db, err := sqlite.Open(context.Background(), path, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := sqlite.NewPollStore(db)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	units := &polls.Coalition{Units: []polls.Unit{{Name: "P-2", Members: 100}, {Name: "P-4", Members: 100}}, UnitsNeeded: 2, PercentNeeded: 80}
	svc, err := polls.New(polls.Config{Store: store, Poster: bot.NewHub(), Clock: clock, Location: time.UTC, Units: units, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	stewards, _ := bot.ParseStewards("console:steward")
	r := bot.NewRouter(stewards, log)
	for _, c := range svc.Commands() {
		r.Register(c)
	}
	return &pollsEnv{db: db, store: store, svc: svc, router: r, clock: clock}
}

func (e *pollsEnv) openPoll(t testing.TB, req polls.OpenRequest) *polls.Poll {
	t.Helper()
	if req.Platform == "" {
		req.Platform, req.Channel = bot.PlatformConsole, "console"
	}
	req.By = bot.User{ID: "console:steward", Name: "steward"}
	p, err := e.svc.Open(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *pollsEnv) say(user, text string) string {
	rec := &bottest.Recorder{}
	e.router.Dispatch(context.Background(), rec, bottest.Message(user, text))
	return rec.Text()
}

// consistent checks that a poll's counters agree with its ballots (open
// ballots) or its participants (secret ballots), i.e. no vote was counted
// twice or half-recorded.
func consistent(t *testing.T, db *sql.DB, pollID int64, secret bool) (voters int, counts map[int]int) {
	t.Helper()
	var stored, sumVotes int
	if err := db.QueryRow(`SELECT voters FROM polls WHERE id = ?`, pollID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	table := "poll_ballots"
	if secret {
		table = "poll_participants"
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE poll_id = ?`, pollID).Scan(&voters); err != nil {
		t.Fatal(err)
	}
	if voters != stored {
		t.Fatalf("poll %d: %d ballots but voters = %d", pollID, voters, stored)
	}
	counts = map[int]int{}
	rows, err := db.Query(`SELECT option, SUM(votes) FROM poll_tally WHERE poll_id = ? GROUP BY option`, pollID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o, n int
		rows.Scan(&o, &n)
		counts[o] = n
		sumVotes += n
	}
	rows.Close()
	if !secret {
		fromBallots := map[int]int{}
		rows, err := db.Query(`SELECT choices FROM poll_ballots WHERE poll_id = ?`, pollID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var cs string
			rows.Scan(&cs)
			for _, f := range strings.Fields(cs) {
				var o int
				fmt.Sscan(f, &o)
				fromBallots[o]++
			}
		}
		rows.Close()
		for o := range max(len(counts), len(fromBallots)) + 1 {
			if counts[o] != fromBallots[o] {
				t.Fatalf("poll %d option %d: counter %d, ballots %d", pollID, o, counts[o], fromBallots[o])
			}
		}
	} else if sumVotes != voters {
		t.Fatalf("secret poll %d: %d counted choices from %d participants", pollID, sumVotes, voters)
	}
	return voters, counts
}

// TestConcurrentVotes has 500 members vote at once through the router, some
// clicking twice at the same moment and some changing their vote, on an
// open and a secret ballot. The tallies must come out exact.
func TestConcurrentVotes(t *testing.T) {
	e := newPollsEnv(t, filepath.Join(t.TempDir(), "u.db"))
	open := e.openPoll(t, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No", "Undecided"}})
	secret := e.openPoll(t, polls.OpenRequest{Question: "Ratify (secret)?", Options: []string{"Yes", "No", "Undecided"}, Secret: true})
	const members = 500
	first := func(i int) int { return i%3 + 1 }
	changes := func(i int) bool { return i%7 == 0 }
	twice := func(i int) bool { return i%5 == 0 }
	second := func(i int) int { return (i+1)%3 + 1 }

	type answer struct{ open, secret []string }
	answers := make([]answer, members)
	var mu sync.Mutex
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := fmt.Sprintf("m%03d", i)
			<-gate
			var inner sync.WaitGroup
			clicks := 1
			if twice(i) {
				clicks = 2
			}
			for range clicks {
				inner.Add(2)
				go func() {
					defer inner.Done()
					a := e.say(user, fmt.Sprintf("/vote %d %d", open.ID, first(i)))
					mu.Lock()
					answers[i].open = append(answers[i].open, a)
					mu.Unlock()
				}()
				go func() {
					defer inner.Done()
					a := e.say(user, fmt.Sprintf("/vote %d %d", secret.ID, first(i)))
					mu.Lock()
					answers[i].secret = append(answers[i].secret, a)
					mu.Unlock()
				}()
			}
			inner.Wait()
			if changes(i) {
				a := e.say(user, fmt.Sprintf("/vote %d %d", open.ID, second(i)))
				b := e.say(user, fmt.Sprintf("/vote %d %d", secret.ID, second(i)))
				mu.Lock()
				answers[i].open = append(answers[i].open, a)
				answers[i].secret = append(answers[i].secret, b)
				mu.Unlock()
			}
		}()
	}
	close(gate)
	wg.Wait()

	wantOpen := map[int]int{}
	wantSecret := map[int]int{}
	for i := range members {
		final := first(i)
		if changes(i) {
			final = second(i)
		}
		wantOpen[final]++
		wantSecret[first(i)]++
		a := answers[i]
		recorded := 0
		for _, s := range a.open[:len(a.open)-btoi(changes(i))] {
			switch {
			case strings.Contains(s, "is recorded"):
				recorded++
			case !strings.Contains(s, "already counted"):
				t.Fatalf("member %d: unexpected answer %q", i, s)
			}
		}
		if recorded != 1 {
			t.Fatalf("member %d: %d open votes recorded: %q", i, recorded, a.open)
		}
		if changes(i) && !strings.Contains(a.open[len(a.open)-1], "is changed from") {
			t.Fatalf("member %d: change answered %q", i, a.open[len(a.open)-1])
		}
		recorded = 0
		for _, s := range a.secret {
			switch {
			case strings.Contains(s, "secret ballot in poll"):
				recorded++
			case !strings.Contains(s, "already counted"):
				t.Fatalf("member %d: unexpected secret answer %q", i, s)
			}
		}
		if recorded != 1 {
			t.Fatalf("member %d: %d secret votes recorded: %q", i, recorded, a.secret)
		}
	}
	for _, c := range []struct {
		id   int64
		want map[int]int
	}{{open.ID, wantOpen}, {secret.ID, wantSecret}} {
		res, err := e.svc.Results(context.Background(), c.id)
		if err != nil {
			t.Fatal(err)
		}
		if res.Voters != members {
			t.Fatalf("poll %d: %d voters", c.id, res.Voters)
		}
		for o := 1; o <= 3; o++ {
			if res.Options[o-1] != c.want[o] {
				t.Fatalf("poll %d option %d: %d votes, want %d", c.id, o, res.Options[o-1], c.want[o])
			}
		}
	}
	consistent(t, e.db.Reader(), open.ID, false)
	consistent(t, e.db.Reader(), secret.ID, true)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestGroupedVotesFailIndependently commits votes that are refused in the
// same transactions as votes that are accepted.
func TestGroupedVotesFailIndependently(t *testing.T) {
	e := newPollsEnv(t, filepath.Join(t.TempDir(), "u.db"))
	ctx := context.Background()
	p := e.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"}})
	closed := e.openPoll(t, polls.OpenRequest{Question: "Closed?", Options: []string{"A", "B"}})
	if ok, err := e.store.ClosePoll(ctx, closed.ID, "console:steward", pollsStart); !ok || err != nil {
		t.Fatal(ok, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 300)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := p.ID
			switch i % 3 {
			case 1:
				id = closed.ID
			case 2:
				id = 999
			}
			_, errs[i] = e.svc.Vote(ctx, polls.VoteRequest{PollID: id, Voter: bot.User{ID: fmt.Sprintf("console:v%d", i)}, Choices: []int{1 + i%2}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		switch i % 3 {
		case 0:
			if err != nil {
				t.Fatalf("vote %d: %v", i, err)
			}
		case 1:
			if bot.ErrorCode(err) != bot.ECONFLICT {
				t.Fatalf("vote %d on a closed poll: %v", i, err)
			}
		case 2:
			if bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Fatalf("vote %d on a missing poll: %v", i, err)
			}
		}
	}
	if n, _ := consistent(t, e.db.Reader(), p.ID, false); n != 100 {
		t.Fatalf("%d voters, want 100", n)
	}
	if n, _ := consistent(t, e.db.Reader(), closed.ID, false); n != 0 {
		t.Fatalf("%d votes on a closed poll", n)
	}
}

func TestClosePollOnce(t *testing.T) {
	e := newPollsEnv(t, filepath.Join(t.TempDir(), "u.db"))
	ctx := context.Background()
	p := e.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"}, ClosesAt: pollsStart.Add(time.Hour)})
	if next, ok, err := e.store.NextClose(ctx); err != nil || !ok || !next.Equal(pollsStart.Add(time.Hour)) {
		t.Fatalf("next close %v %v %v", next, ok, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	winners := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			won, err := e.store.ClosePoll(ctx, p.ID, "schedule", pollsStart)
			if err != nil {
				t.Error(err)
			}
			if won {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if winners != 1 {
		t.Fatalf("%d callers closed the poll", winners)
	}
	if _, ok, _ := e.store.NextClose(ctx); ok {
		t.Fatal("a closed poll still has a deadline pending")
	}
}

// crashEnv names the database the crash test's child process votes in.
const crashEnv = "UNIONHALL_TEST_POLLS_CRASH_DB"

// TestPollsCrashChild is the child process of TestCrashKeepsConfirmedVotes:
// it votes until it is killed, printing each confirmed vote. It does
// nothing when run as an ordinary test.
func TestPollsCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		return
	}
	db, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	svc, err := polls.New(polls.Config{Store: sqlite.NewPollStore(db), Poster: bot.NewHub(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		os.Exit(3)
	}
	var out sync.Mutex
	confirm := func(format string, args ...any) {
		out.Lock()
		defer out.Unlock()
		// One write per line: the parent sees whole lines only.
		os.Stdout.WriteString(fmt.Sprintf(format, args...) + "\n")
	}
	var next sync.Mutex
	n := 0
	for range 16 {
		go func() {
			for {
				next.Lock()
				i := n
				n++
				next.Unlock()
				voter := bot.User{ID: fmt.Sprintf("console:m%d", i)}
				a, b := 1+i%2, 2-i%2
				ctx := context.Background()
				if _, err := svc.Vote(ctx, polls.VoteRequest{PollID: 1, Voter: voter, Choices: []int{a}}); err == nil {
					confirm("open %d %d", i, a)
				}
				if _, err := svc.Vote(ctx, polls.VoteRequest{PollID: 2, Voter: voter, Choices: []int{a}}); err == nil {
					confirm("secret %d %d", i, a)
				}
				if _, err := svc.Vote(ctx, polls.VoteRequest{PollID: 1, Voter: voter, Choices: []int{b}}); err == nil {
					confirm("open %d %d", i, b)
				}
			}
		}()
	}
	select {}
}

// TestCrashKeepsConfirmedVotes kills (SIGKILL) a process while members vote
// in it, then checks that every vote it confirmed is in the database and
// none is counted twice.
func TestCrashKeepsConfirmedVotes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crash.db")
	e := newPollsEnv(t, path)
	e.openPoll(t, polls.OpenRequest{Question: "Open?", Options: []string{"Yes", "No"}})
	e.openPoll(t, polls.OpenRequest{Question: "Secret?", Options: []string{"Yes", "No"}, Secret: true})
	e.db.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestPollsCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	openConfirmed := map[int][]int{} // member -> confirmed choices in order
	secretConfirmed := map[int]int{}
	sc := bufio.NewScanner(stdout)
	lines, killed := 0, false
	for sc.Scan() {
		var kind string
		var i, c int
		if _, err := fmt.Sscan(sc.Text(), &kind, &i, &c); err != nil {
			t.Fatalf("child said %q (stderr %s)", sc.Text(), stderr.String())
		}
		if kind == "open" {
			openConfirmed[i] = append(openConfirmed[i], c)
		} else {
			secretConfirmed[c]++
		}
		if lines++; lines == 1500 && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended before it was killed: %v, stderr %s", err, stderr.String())
	}

	db, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlite.NewPollStore(db)
	ballots, err := store.Ballots(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int][]int{}
	for _, b := range ballots {
		var i int
		fmt.Sscanf(b.Voter, "console:m%d", &i)
		stored[i] = b.Choices
	}
	for i, cs := range openConfirmed {
		got, ok := stored[i]
		if !ok {
			t.Fatalf("member %d's confirmed vote %v is lost", i, cs)
		}
		last := cs[len(cs)-1]
		// The change after a confirmed first vote may have committed
		// without its confirmation being printed; nothing else may.
		a, b := 1+i%2, 2-i%2
		okState := slices.Equal(got, []int{last}) || len(cs) == 1 && last == a && slices.Equal(got, []int{b})
		if !okState {
			t.Fatalf("member %d: confirmed %v, stored %v", i, cs, got)
		}
	}
	_, secretCounts := consistent(t, db.Reader(), 2, true)
	inFlight := 16
	for c, n := range secretConfirmed {
		if secretCounts[c] < n || secretCounts[c] > n+inFlight {
			t.Fatalf("secret option %d: %d confirmed, %d stored", c, n, secretCounts[c])
		}
	}
	consistent(t, db.Reader(), 1, false)
	t.Logf("killed after %d confirmations: %d open-ballot members, %d secret votes stored", lines, len(stored), secretCounts[1]+secretCounts[2])
}

// secretRun votes in a fresh database: voters[i] chooses choices[i], in
// order, on a secret ballot, and the poll closes. It returns the path.
func secretRun(t *testing.T, voters []string, units []string, choices []int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret.db")
	e := newPollsEnv(t, path)
	ctx := context.Background()
	p := e.openPoll(t, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No", "Undecided"}, Secret: true, Rule: polls.RuleCoalition})
	for i, v := range voters {
		if units[i] != "" {
			if err := e.store.SetUnit(ctx, v, units[i]); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(time.Second)
		if _, err := e.svc.Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: v, Name: v}, Choices: []int{choices[i]}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.ClosePoll(ctx, p.ID, "console:steward", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// dump returns every row of every table in storage order, with rowids
// where tables have them.
func dump(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct{ name, sql string }
	var tables []table
	for rows.Next() {
		var tb table
		rows.Scan(&tb.name, &tb.sql)
		tables = append(tables, tb)
	}
	rows.Close()
	var b strings.Builder
	for _, tb := range tables {
		q := `SELECT rowid, * FROM "` + tb.name + `"`
		if strings.Contains(tb.sql, "WITHOUT ROWID") {
			q = `SELECT * FROM "` + tb.name + `"`
		}
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "== %s %v\n", tb.name, cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Fprintf(&b, "%v\n", vals)
		}
		rows.Close()
	}
	return b.String()
}

// TestSecretBallotCannotBeLinked votes twice with the same members in the
// same order and the same totals per unit, but with the choices dealt out
// differently among the members. Anything in the database that linked a
// ballot to its voter would differ between the two; the test finds
// nothing: every table, row, rowid and value is the same, and so is the
// database file byte for byte.
func TestSecretBallotCannotBeLinked(t *testing.T) {
	const n = 120
	voters := make([]string, n)
	units := make([]string, n)
	choices := make([]int, n)
	for i := range voters {
		voters[i] = fmt.Sprintf("console:member%03d", (i*37)%n) // not in key order
		units[i] = []string{"P-2", "P-4", ""}[i%3]
		choices[i] = 1 + (i/3)%3
	}
	// Deal the same choices to different members of each unit.
	shuffled := slices.Clone(choices)
	rng := rand.New(rand.NewPCG(1, 2))
	for u := range 3 {
		var idx []int
		for i := u; i < n; i += 3 {
			idx = append(idx, i)
		}
		perm := rng.Perm(len(idx))
		for k, i := range idx {
			shuffled[i] = choices[idx[perm[k]]]
		}
	}
	if slices.Equal(choices, shuffled) {
		t.Fatal("the shuffle changed nothing")
	}
	a := secretRun(t, voters, units, choices)
	b := secretRun(t, voters, units, shuffled)

	da, db := dump(t, a), dump(t, b)
	if da != db {
		t.Fatalf("the databases differ, so something links ballots to voters:\n%s\n----\n%s", da, db)
	}
	for _, want := range []string{"== poll_participants [poll_id voter]", "== poll_tally [poll_id option unit votes]"} {
		if !strings.Contains(da, want) {
			t.Fatalf("dump lacks %q:\n%s", want, da)
		}
	}
	// The participants table has no rowid that could give away the order
	// of voting.
	raw, err := sql.Open("sqlite3", "file:"+a+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`SELECT rowid FROM poll_participants`); err == nil {
		t.Fatal("poll_participants has a rowid")
	}
	if _, err := raw.Exec(`SELECT rowid FROM poll_tally`); err == nil {
		t.Fatal("poll_tally has a rowid")
	}
	fa, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fa, fb) {
		for pg := 0; pg*4096 < len(fa); pg++ {
			x, y := fa[pg*4096:min(len(fa), pg*4096+4096)], fb[pg*4096:min(len(fb), pg*4096+4096)]
			if !bytes.Equal(x, y) {
				for k := range x {
					if x[k] != y[k] {
						t.Logf("page %d differs at %d: %x vs %x", pg+1, k, x[max(0, k-8):min(len(x), k+24)], y[max(0, k-8):min(len(y), k+24)])
						break
					}
				}
			}
		}
		t.Fatal("the database files differ byte for byte")
	}
	for _, p := range []string{a, b} {
		if st, err := os.Stat(p + "-wal"); err == nil && st.Size() > 0 {
			t.Fatalf("%s-wal kept %d bytes after close", p, st.Size())
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
}

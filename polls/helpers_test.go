package polls_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/sqlite"
)

// start is the time every test begins at.
var start = time.Date(2011, time.July, 18, 9, 0, 0, 0, time.UTC)

// testUnits is a small coalition: 4 units, 3 needed, 80 percent.
func testUnits() *polls.Coalition {
	return &polls.Coalition{
		Name: "Test coalition",
		Units: []polls.Unit{
			{Name: "P-2", Members: 4000},
			{Name: "P-4", Members: 2600, Aliases: []string{"Engineering, Scientific & Technical Council"}},
			{Name: "AFSCME Local 2663", Members: 400},
			{Name: "CSEA/SEIU Local 2001", Members: 3000},
		},
		UnitsNeeded:   3,
		PercentNeeded: 80,
	}
}

// env is a polls service on a fresh database with a router, a manual
// clock and a captured log.
type env struct {
	t      *testing.T
	clock  *bot.ManualClock
	path   string
	db     *sqlite.DB
	store  *sqlite.PollStore
	svc    *polls.Service
	router *bot.Router
	logs   *bottest.LogBuffer
	// hub is what the service posts through outside a request; a new one
	// at every start.
	hub *bottest.Hub
	// charter draws result charts when set before start.
	charter polls.Charter
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := bot.NewManualClock(start)
	path := filepath.Join(t.TempDir(), "polls.db")
	e := &env{t: t, clock: clock, path: path, logs: &bottest.LogBuffer{}}
	e.start()
	return e
}

// start opens the database and starts the service on it, as Union Hall
// does at start-up.
func (e *env) start() {
	t := e.t
	t.Helper()
	ctx := context.Background()
	clock, logs := e.clock, e.logs
	db, err := sqlite.Open(ctx, e.path, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := logs.Logger()
	store := sqlite.NewPollStore(db)
	hub := bottest.NewHub(clock)
	svc, err := polls.New(polls.Config{Store: store, Poster: hub, Clock: clock, Location: time.UTC, Units: testUnits(), Log: log, Charter: e.charter})
	if err != nil {
		t.Fatal(err)
	}
	stewards, _ := bot.ParseStewards("console:steward")
	r := bot.NewRouter(stewards, log)
	for _, c := range svc.Commands() {
		r.Register(c)
	}
	e.db, e.store, e.svc, e.router, e.hub = db, store, svc, r, hub
}

// restart closes the database and starts afresh on the same file, as
// after Union Hall is stopped and started again.
func (e *env) restart() {
	e.t.Helper()
	if err := e.db.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.start()
}

// say sends text as user and returns what the bot answered.
func (e *env) say(user, text string) *bottest.Recorder {
	e.t.Helper()
	rec := &bottest.Recorder{}
	e.router.Dispatch(context.Background(), rec, bottest.Message(user, text))
	return rec
}

// mustSay sends text and fails the test unless the answer contains want.
func (e *env) mustSay(user, text, want string) *bottest.Recorder {
	e.t.Helper()
	rec := e.say(user, text)
	if !strings.Contains(rec.Text(), want) {
		e.t.Fatalf("%s> %s\n got: %s\nwant it to contain: %s", user, text, rec.Text(), want)
	}
	return rec
}

// open opens a poll as the steward and returns its card.
func (e *env) open(cmd string) *bot.Card {
	e.t.Helper()
	rec := e.say("steward", cmd)
	rs := rec.Replies()
	if len(rs) != 1 || rs[0].Card == nil {
		e.t.Fatalf("%s: want one card, got %s", cmd, rec.Text())
	}
	return rs[0].Card
}

// counts returns the overall votes per option of poll id.
func (e *env) counts(id int64) []int {
	e.t.Helper()
	res, err := e.svc.Results(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Options
}

// resultPost returns the stored state of poll id's result post.
func (e *env) resultPost(id int64) polls.ResultPost {
	e.t.Helper()
	rp, err := e.store.ResultPost(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return rp
}

// closeDue runs the close job once and fails the test on an error.
func (e *env) closeDue() {
	e.t.Helper()
	if err := e.svc.CloseDue(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// closeDueConcurrently runs the close job n times at once, as closers
// racing each other do, and fails the test on an error.
func (e *env) closeDueConcurrently(n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if err := e.svc.CloseDue(context.Background()); err != nil {
				e.t.Error(err)
			}
		})
	}
	wg.Wait()
}

// runCloser starts the service's background job, as Union Hall does once
// the adapters are up.
func (e *env) runCloser() *bottest.Running[error] {
	return bottest.Start(e.t, e.svc.Run)
}

// closeUnposted opens poll 1, closing in an hour, makes the next failing
// posts fail (see bottest.Hub.FailPosts), lets the hour pass and runs the
// close job. It returns the time the poll closed.
func (e *env) closeUnposted(failing int) time.Time {
	e.t.Helper()
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h`)
	e.hub.FailPosts(failing)
	closed := e.clock.Advance(time.Hour)
	e.closeDue()
	return closed
}

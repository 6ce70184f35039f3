package polls_test

import (
	"context"
	"errors"
	"log/slog"
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
	hub *fakeHub
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
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store := sqlite.NewPollStore(db)
	hub := newFakeHub()
	svc, err := polls.New(polls.Config{Store: store, Poster: hub, Clock: clock, Location: time.UTC, Units: testUnits(), Log: log})
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

// fakeHub records what a closer posts.
type fakeHub struct {
	mu      sync.Mutex
	sent    []sentReply
	updates []bot.Card
	fail    error
	posted  chan struct{}
	// failSends and failCards make that many of the next posts or card
	// updates fail, like a platform that is unreachable for a while.
	failSends, failCards int
	// sendAttempts counts every call of Send, failed or not.
	sendAttempts int
}

// errUnreachable is what a failing fakeHub returns.
var errUnreachable = errors.New("platform unreachable")

type sentReply struct {
	platform string
	to       bot.Destination
	reply    bot.Reply
}

func newFakeHub() *fakeHub { return &fakeHub{posted: make(chan struct{}, 100)} }

func (h *fakeHub) Send(_ context.Context, platform string, to bot.Destination, r bot.Reply) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sendAttempts++
	if h.fail != nil {
		return h.fail
	}
	if h.failSends > 0 {
		h.failSends--
		return errUnreachable
	}
	h.sent = append(h.sent, sentReply{platform, to, r})
	h.posted <- struct{}{}
	return nil
}

func (h *fakeHub) UpdateCard(_ context.Context, _ string, c bot.Card) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failCards > 0 {
		h.failCards--
		return errUnreachable
	}
	h.updates = append(h.updates, c)
	return nil
}

func (h *fakeHub) Sent() []sentReply {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]sentReply(nil), h.sent...)
}

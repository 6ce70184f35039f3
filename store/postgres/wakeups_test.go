package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/reminders"
	"github.com/unionhall/unionhall/store"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// process is one Union Hall process's schedulers on a database: the
// reminder scheduler and the poll closer, woken by the database's
// notifications as "unionhall run" wires them, posting to a hub of its
// own.
type process struct {
	db    *postgres.DB
	hub   *bottest.Hub
	wakes sync.WaitGroup
	mu    sync.Mutex
	heard map[string]int // wake-ups by topic
}

// startProcess runs the schedulers of one process on db until the test
// ends. Their periodic check is the default minute, on the system clock,
// so only a wake-up makes them look sooner.
func startProcess(t *testing.T, db *postgres.DB, clock bot.Clock) *process {
	t.Helper()
	p := &process{db: db, hub: bottest.NewHub(clock, "slack"), heard: map[string]int{}}
	st := db.Stores()
	rem, err := reminders.New(reminders.Config{Store: st.Reminders, Poster: p.hub, Clock: clock, Grace: reminders.DefaultGrace, Log: bottest.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := polls.New(polls.Config{Store: st.Polls, Poster: p.hub, Clock: clock, Log: bottest.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	wake := map[string]func(){store.WakeReminders: rem.Notify, store.WakePolls: pol.Wake}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { rem.Run(ctx) })
	wg.Go(func() { pol.Run(ctx) })
	wg.Go(func() {
		st.Wakeups.ListenWakeups(ctx, bottest.DiscardLogger(), func(topic string) {
			p.mu.Lock()
			p.heard[topic]++
			p.mu.Unlock()
			wake[topic]()
		})
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return p
}

// wokenBy returns how many wake-ups of topic p has heard.
func (p *process) wokenBy(topic string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.heard[topic]
}

// postsOf counts the posts on every process that contain text.
func postsOf(procs []*process, text string) int {
	n := 0
	for _, p := range procs {
		for _, post := range p.hub.Posts() {
			if strings.Contains(post.Reply.Text, text) {
				n++
			}
		}
	}
	return n
}

// TestScheduleChangesWakeEveryProcess runs the schedulers of two
// processes on one database, each of which would otherwise look at the
// database once a minute, and schedules through a third connection, as a
// steward's command on another process would: a reminder due now and a
// poll whose deadline has come. Each is handled once, by one of the two,
// within seconds. Then the connections that listen are cut; once they
// have reconnected, a second reminder is posted as quickly.
func TestScheduleChangesWakeEveryProcess(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, time.UTC)
	clock := bot.NewManualClock(start)
	dbs := openProcesses(t, pgtest.Fresh(t), clock, 3)
	procs := []*process{startProcess(t, dbs[0], clock), startProcess(t, dbs[1], clock)}
	for _, p := range procs {
		bottest.WaitFor(t, "each process listening", func() bool { return p.wokenBy(store.WakeReminders) > 0 })
	}
	steward := dbs[2].Stores()
	clock.Advance(time.Second)

	addReminder := func(text string) {
		t.Helper()
		now := clock.Now()
		r := &reminders.Reminder{Kind: reminders.KindOnce, Text: text, Zone: "UTC", At: now, Next: now, CreatedBy: "slack:USTEWARD", CreatedAt: now}
		if err := steward.Reminders.CreateReminder(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	began := time.Now()
	addReminder("Ballots are due")
	poll := &polls.Poll{Question: "Overtime?", Options: []string{"Yes", "No"}, MaxChoices: 1, Rule: polls.RuleMajority, Favour: 1, Against: 2,
		Platform: "slack", Channel: "C1", OpenedBy: "slack:USTEWARD", OpenedAt: clock.Now().Add(-time.Hour), ClosesAt: clock.Now()}
	if err := steward.Polls.CreatePoll(ctx, poll); err != nil {
		t.Fatal(err)
	}
	bottest.WaitFor(t, "the reminder and the poll's result", func() bool {
		return postsOf(procs, "Ballots are due") > 0 && postsOf(procs, "has closed. Final result") > 0
	})
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("the reminder and the result took %s, want a few seconds, not the minute of the periodic check", took)
	}

	// Cut every listening connection, as a database restart would.
	heard := make([]int, len(procs))
	for i, p := range procs {
		heard[i] = p.wokenBy(store.WakeReminders)
	}
	var cut int
	if err := steward.Wakeups.(*postgres.DB).Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'unionhall wake-ups'`).Scan(&cut); err != nil || cut != 2 {
		t.Fatalf("cut %d listening connections (%v), want 2", cut, err)
	}
	// Each waits on the clock before it connects again, and wakes every
	// scheduler once it has.
	for i, p := range procs {
		bottest.WaitFor(t, "each process listening again", func() bool {
			clock.Advance(time.Second)
			return p.wokenBy(store.WakeReminders) > heard[i]
		})
	}
	began = time.Now()
	addReminder("Second call")
	bottest.WaitFor(t, "the second reminder", func() bool { return postsOf(procs, "Second call") > 0 })
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("the second reminder took %s after the reconnection, want a few seconds", took)
	}

	if n := postsOf(procs, "Ballots are due"); n != 1 {
		t.Errorf("the first reminder was posted %d times, want once", n)
	}
	if n := postsOf(procs, "Second call"); n != 1 {
		t.Errorf("the second reminder was posted %d times, want once", n)
	}
	if n := postsOf(procs, "has closed. Final result"); n != 1 {
		t.Errorf("the poll's result was posted %d times, want once", n)
	}
}

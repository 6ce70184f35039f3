package storetest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/reminders"
)

var ny = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

// count returns how many posts on platform that h took contain s.
func count(h *bottest.Hub, platform, s string) int {
	n := 0
	for _, p := range h.Posts() {
		if p.Platform == platform && strings.Contains(p.Reply.Text, s) {
			n++
		}
	}
	return n
}

// env is one test's database, which the test opens, closes and opens
// again (a restart), with the reminders store of the open handle.
type env struct {
	t     *testing.T
	db    *database
	clock *bot.ManualClock
	open  *Stores
	store reminders.Store
}

func newEnv(t *testing.T, eng Engine, start time.Time) *env {
	t.Helper()
	clock := bot.NewManualClock(start)
	e := &env{t: t, db: fresh(t, eng, clock), clock: clock}
	e.open = e.db.open()
	e.store = e.open.Reminders
	return e
}

// restart closes the database and opens it again, as a new process would.
func (e *env) restart() {
	e.t.Helper()
	closeStores(e.t, e.open)
	e.open = e.db.open()
	e.store = e.open.Reminders
}

func (e *env) scheduler(store reminders.Store, grace time.Duration) *reminders.Scheduler {
	if store == nil {
		store = e.store
	}
	return reminders.NewScheduler(store, reminders.Options{Clock: e.clock, Location: ny, Grace: grace, Log: quiet})
}

// add stores a reminder added by a steward with /remind add.
func (e *env) add(raw string) *reminders.Reminder {
	e.t.Helper()
	r, err := reminders.ParseAdd(raw, e.clock.Now(), ny)
	if err != nil {
		e.t.Fatalf("ParseAdd(%q): %v", raw, err)
	}
	r.CreatedBy, r.CreatedAt = "console:steward", e.clock.Now()
	if err := e.store.CreateReminder(context.Background(), r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func runDue(t *testing.T, s *reminders.Scheduler, p reminders.Poster) reminders.Result {
	t.Helper()
	res, err := s.RunDue(context.Background(), p)
	if err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	return res
}

// runAfter advances the clock by dt and runs s once, which must have the
// result want.
func (e *env) runAfter(s *reminders.Scheduler, p reminders.Poster, dt time.Duration, want reminders.Result) {
	e.t.Helper()
	e.clock.Advance(dt)
	if res := runDue(e.t, s, p); res != want {
		e.t.Fatalf("%s later: result %+v, want %+v", dt, res, want)
	}
}

// crashStore simulates the process dying at one step of the protocol:
// from that step on, nothing more reaches the database.
type crashStore struct {
	reminders.Store
	step string
}

var errCrash = errors.New("simulated crash")

func (c *crashStore) ClaimOccurrences(ctx context.Context, claims []reminders.Claim, now time.Time) ([]reminders.Delivery, error) {
	switch c.step {
	case "before claim":
		return nil, errCrash // the transaction never commits
	case "after claim, before send":
		if _, err := c.Store.ClaimOccurrences(ctx, claims, now); err != nil {
			return nil, err
		}
		return nil, errCrash // committed, then died before posting
	}
	return c.Store.ClaimOccurrences(ctx, claims, now)
}

func (c *crashStore) FinishDelivery(ctx context.Context, d reminders.Delivery, now time.Time) error {
	if c.step == "after send, before record" {
		return nil // posted, then died before the outcome was written
	}
	return c.Store.FinishDelivery(ctx, d, now)
}

// testRestartAtEveryStep kills the scheduler at each step of the claim
// protocol, restarts it on the same database file, and checks that no
// occurrence is ever posted twice, and that one not posted is either
// posted after the restart or reported.
func testRestartAtEveryStep(t *testing.T, eng Engine) {
	cases := []struct {
		step          string
		postedBefore  int  // posts before the crash
		postedAfter   int  // posts of the same occurrence after the restart
		reportedAfter bool // listed under "needs attention"
	}{
		{step: "before claim", postedBefore: 0, postedAfter: 1},
		{step: "after claim, before send", postedBefore: 0, postedAfter: 0, reportedAfter: true},
		{step: "after send, before record", postedBefore: 1, postedAfter: 0, reportedAfter: true},
		{step: "after record", postedBefore: 1, postedAfter: 0},
	}
	for _, c := range cases {
		t.Run(c.step, func(t *testing.T) {
			start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny) // a Monday
			e := newEnv(t, eng, start)
			e.add("0 9 * * MON Weekly vote status")
			e.add("2026-08-03 09:00 One-off: ballots go out today")
			p := bottest.NewHub(e.clock, "console", "slack")

			e.clock.Set(time.Date(2026, 8, 3, 9, 0, 0, 0, ny))
			first := e.scheduler(&crashStore{Store: e.store, step: c.step}, reminders.DefaultGrace)
			first.RunDue(context.Background(), p) // may report the simulated crash
			for _, pl := range p.Announcers() {
				if n := count(p, pl, "Weekly vote status"); n != c.postedBefore {
					t.Fatalf("before the crash: %d posts on %s, want %d", n, pl, c.postedBefore)
				}
			}

			e.restart()
			e.clock.Advance(10 * time.Minute)
			second := e.scheduler(nil, reminders.DefaultGrace)
			res := runDue(t, second, p)
			runDue(t, second, p) // and again: nothing more
			for _, pl := range p.Announcers() {
				for _, text := range []string{"Weekly vote status", "ballots go out today"} {
					if n := count(p, pl, text); n != c.postedBefore+c.postedAfter {
						t.Errorf("after the restart: %d posts of %q on %s, want %d", n, text, pl, c.postedBefore+c.postedAfter)
					}
				}
			}
			if c.postedAfter == 1 && count(p, "console", "(late: was due at Mon Aug 3, 2026 9:00 AM EDT)") != 2 {
				t.Errorf("catch-up posts lack the late note: %+v", p.Posts())
			}
			problems, err := e.store.Problems(context.Background(), start)
			if err != nil {
				t.Fatal(err)
			}
			if c.reportedAfter {
				if res.Uncertain != 4 || len(problems) != 4 {
					t.Fatalf("uncertain posts: result %d, problems %d, want 4 each", res.Uncertain, len(problems))
				}
				for _, d := range problems {
					if d.State != reminders.StateUncertain {
						t.Errorf("problem %+v, want uncertain", d)
					}
				}
			} else if len(problems) != 0 || res.Uncertain != 0 {
				t.Fatalf("unexpected problems: %+v", problems)
			}

			// Scheduling carries on: next Monday's occurrence is posted once.
			e.clock.Set(time.Date(2026, 8, 10, 9, 0, 0, 0, ny))
			runDue(t, second, p)
			runDue(t, second, p)
			for _, pl := range p.Announcers() {
				if n := count(p, pl, "Weekly vote status"); n != c.postedBefore+c.postedAfter+1 {
					t.Errorf("next week: %d posts on %s, want %d", n, pl, c.postedBefore+c.postedAfter+1)
				}
			}
		})
	}
}

func testCatchUpWithinGraceAndSkipBeyond(t *testing.T, eng Engine) {
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny)
	e := newEnv(t, eng, start)
	early := e.add("2026-08-03 09:00 Due at nine")
	e.add("2026-08-03 14:00 Due at two")
	p := bottest.NewHub(e.clock, "console")

	// The bot was down from 8:00 until 15:30: "nine" is 6.5 h late, more
	// than the 6 h grace period; "two" is 1.5 h late.
	e.restart()
	e.clock.Set(time.Date(2026, 8, 3, 15, 30, 0, 0, ny))
	res := runDue(t, e.scheduler(nil, 6*time.Hour), p)
	if res.Posted != 1 || res.Skipped != 1 {
		t.Fatalf("result %+v, want 1 posted, 1 skipped", res)
	}
	posts := p.Posts()
	if len(posts) != 1 || posts[0].Reply.Text != "Reminder: Due at two\n(late: was due at Mon Aug 3, 2026 2:00 PM EDT)" {
		t.Fatalf("posts %+v", posts)
	}
	problems, err := e.store.Problems(context.Background(), start)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].ReminderID != early.ID || problems[0].State != reminders.StateSkipped ||
		problems[0].Error != "Union Hall was not running when it came due, and was 6 hours 30 minutes late, more than the 6 hours grace period" {
		t.Fatalf("problems %+v, want the skipped 9:00 reminder", problems)
	}
	up, _ := e.store.UpcomingReminders(context.Background())
	if len(up) != 0 {
		t.Fatalf("one-off reminders still upcoming: %+v", up)
	}
}

func testMissedRecurringOccurrencesCollapse(t *testing.T, eng Engine) {
	start := time.Date(2026, 8, 3, 7, 30, 0, 0, ny)
	e := newEnv(t, eng, start)
	hourly := e.add("0 * * * * Hourly check")
	daily := e.add("0 9 * * * Daily check")
	p := bottest.NewHub(e.clock, "console")

	// Down from 7:30 on Monday until 12:20 on Wednesday: 52 hourly and 3
	// daily occurrences missed.
	e.clock.Set(time.Date(2026, 8, 5, 12, 20, 0, 0, ny))
	s := e.scheduler(nil, 6*time.Hour)
	res := runDue(t, s, p)
	if res.Posted != 2 {
		t.Fatalf("result %+v, want one post per reminder", res)
	}
	if n := count(p, "console", "Hourly check\n(late: was due at Wed Aug 5, 2026 12:00 PM EDT)"); n != 1 {
		t.Errorf("hourly: %d posts of the latest occurrence: %+v", n, p.Posts())
	}
	if n := count(p, "console", "Daily check\n(late: was due at Wed Aug 5, 2026 9:00 AM EDT)"); n != 1 {
		t.Errorf("daily: %d posts of the latest occurrence: %+v", n, p.Posts())
	}
	r1, _ := e.store.Reminder(context.Background(), hourly.ID)
	r2, _ := e.store.Reminder(context.Background(), daily.ID)
	if got := r1.Next.In(ny).Format("Jan 2 15:04"); got != "Aug 5 13:00" {
		t.Errorf("hourly next %s", got)
	}
	if got := r2.Next.In(ny).Format("Jan 2 15:04"); got != "Aug 6 09:00" {
		t.Errorf("daily next %s", got)
	}
	if len(p.Posts()) != 2 {
		t.Fatalf("posts %+v", p.Posts())
	}
}

// drive moves the clock from one due time to the next, as Run does, and
// runs the scheduler at each, until until.
func drive(t *testing.T, e *env, s *reminders.Scheduler, p reminders.Poster, until time.Time) {
	t.Helper()
	for i := 0; i < 10000; i++ {
		runDue(t, s, p)
		next, err := e.store.NextWake(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if next.IsZero() || next.After(until) {
			e.clock.Set(until)
			runDue(t, s, p)
			return
		}
		e.clock.Set(next)
	}
	t.Fatal("the schedule never reached its end")
}

func testDaylightSavingThroughScheduler(t *testing.T, eng Engine) {
	for _, c := range []struct {
		name, spec  string
		from, until time.Time
		want        []string
	}{
		{"spring forward, daily 9:00", "0 9 * * * Daily",
			time.Date(2026, 3, 6, 12, 0, 0, 0, ny), time.Date(2026, 3, 10, 12, 0, 0, 0, ny),
			[]string{"Mar 7 09:00 EST", "Mar 8 09:00 EDT", "Mar 9 09:00 EDT", "Mar 10 09:00 EDT"}},
		{"fall back, daily 9:00", "0 9 * * * Daily",
			time.Date(2026, 10, 30, 12, 0, 0, 0, ny), time.Date(2026, 11, 3, 12, 0, 0, 0, ny),
			[]string{"Oct 31 09:00 EDT", "Nov 1 09:00 EST", "Nov 2 09:00 EST", "Nov 3 09:00 EST"}},
		{"spring forward, skipped hour", "30 2 * * * Night shift",
			time.Date(2026, 3, 6, 12, 0, 0, 0, ny), time.Date(2026, 3, 9, 12, 0, 0, 0, ny),
			[]string{"Mar 7 02:30 EST", "Mar 8 03:00 EDT", "Mar 9 02:30 EDT"}},
		{"fall back, repeated hour", "30 1 * * * Night shift",
			time.Date(2026, 10, 30, 12, 0, 0, 0, ny), time.Date(2026, 11, 2, 12, 0, 0, 0, ny),
			[]string{"Oct 31 01:30 EDT", "Nov 1 01:30 EDT", "Nov 2 01:30 EST"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, eng, c.from)
			e.add(c.spec)
			p := bottest.NewHub(e.clock, "console")
			drive(t, e, e.scheduler(nil, reminders.DefaultGrace), p, c.until)
			var got []string
			for _, x := range p.Posts() {
				if strings.Contains(x.Reply.Text, "late") {
					t.Errorf("post marked late: %q", x.Reply.Text)
				}
				got = append(got, x.At.In(ny).Format("Jan 2 15:04 MST"))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("posted at\n %v\nwant\n %v", got, c.want)
			}
		})
	}
}

// testThousandAtTheSameSecond posts 1,000 reminders due at the same
// second on two platforms, with three schedulers racing for them, two in
// one process and one in another: each occurrence is posted exactly once.
func testThousandAtTheSameSecond(t *testing.T, eng Engine) {
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny)
	e := newEnv(t, eng, start)
	const n = 1000
	ctx := context.Background()
	due := time.Date(2026, 8, 3, 9, 0, 0, 0, ny)
	for i := range n {
		r := &reminders.Reminder{Kind: reminders.KindOnce, Text: fmt.Sprintf("Reminder number %04d.", i), Zone: "America/New_York",
			At: due, Next: due, CreatedBy: "console:steward", CreatedAt: start}
		if err := e.store.CreateReminder(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	p := bottest.NewHub(e.clock, "console", "discord")
	e.clock.Set(due)
	replica := e.db.open()
	stores := []reminders.Store{e.store, e.store, replica.Reminders}
	results := make([]reminders.Result, len(stores))
	together(len(stores), func(i int) {
		results[i] = runDue(t, e.scheduler(stores[i], reminders.DefaultGrace), p)
	})
	runDue(t, e.scheduler(nil, reminders.DefaultGrace), p)
	if got := results[0].Posted + results[1].Posted + results[2].Posted; got != 2*n {
		t.Fatalf("posted %d, want %d", got, 2*n)
	}
	seen := map[string]int{}
	for _, x := range p.Posts() {
		seen[x.Platform+"|"+x.Reply.Text]++
	}
	if len(seen) != 2*n {
		t.Fatalf("%d distinct posts, want %d", len(seen), 2*n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("%q posted %d times", k, c)
		}
	}
}

func testFailedPostsAreRetriedWithBackoff(t *testing.T, eng Engine) {
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny)
	e := newEnv(t, eng, start)
	e.add("2026-08-03 09:00 Ballots go out today")
	p := bottest.NewHub(e.clock, "console", "slack")
	p.FailWhen(func(platform string, _ bot.Reply, n int) error {
		if platform == "slack" && n <= 3 {
			return errors.New("slack is down")
		}
		return nil
	})
	e.clock.Set(time.Date(2026, 8, 3, 9, 0, 0, 0, ny))
	s := e.scheduler(nil, reminders.DefaultGrace)
	res := runDue(t, s, p)
	if res.Posted != 1 || res.Retrying != 1 || count(p, "console", "Ballots") != 1 {
		t.Fatalf("first run %+v, posts %+v: the console post must not wait for Slack", res, p.Posts())
	}
	// Not yet: the first retry is 10 s later.
	e.runAfter(s, p, 9*time.Second, reminders.Result{})
	e.runAfter(s, p, time.Second, reminders.Result{Retrying: 1})
	// The retry survives a restart; the third attempt is 20 s after the
	// second, the fourth 40 s after the third.
	e.restart()
	s = e.scheduler(nil, reminders.DefaultGrace)
	e.runAfter(s, p, 19*time.Second, reminders.Result{})
	e.runAfter(s, p, time.Second, reminders.Result{Retrying: 1})
	e.runAfter(s, p, 40*time.Second, reminders.Result{Posted: 1})
	if count(p, "slack", "Ballots go out today") != 1 || count(p, "console", "Ballots go out today") != 1 {
		t.Fatalf("posts %+v", p.Posts())
	}
	// The first attempt was on time; the fourth, 70 s late, says so.
	if got := p.Posts(); got[0].Reply.Text != "Reminder: Ballots go out today" ||
		got[1].Reply.Text != "Reminder: Ballots go out today\n(late: was due at Mon Aug 3, 2026 9:00 AM EDT)" {
		t.Errorf("posts %+v", got)
	}
	e.runAfter(s, p, time.Hour, reminders.Result{})
	if len(p.Posts()) != 2 {
		t.Fatalf("posted again: %+v", p.Posts())
	}
}

func testPanickingPlatformIsRetried(t *testing.T, eng Engine) {
	e := newEnv(t, eng, time.Date(2026, 8, 3, 8, 0, 0, 0, ny))
	e.add("2026-08-03 09:00 Ballots go out today")
	p := bottest.NewHub(e.clock, "console", "discord")
	p.FailWhen(func(platform string, _ bot.Reply, n int) error {
		if platform == "discord" && n == 1 {
			panic("adapter bug")
		}
		return nil
	})
	e.clock.Set(time.Date(2026, 8, 3, 9, 0, 0, 0, ny))
	s := e.scheduler(nil, reminders.DefaultGrace)
	e.runAfter(s, p, 0, reminders.Result{Posted: 1, Retrying: 1})
	e.runAfter(s, p, 10*time.Second, reminders.Result{Posted: 1})
	if count(p, "discord", "Ballots") != 1 || count(p, "console", "Ballots") != 1 {
		t.Fatalf("posts %+v", p.Posts())
	}
}

func testFailingPostGivesUpAndIsReported(t *testing.T, eng Engine) {
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny)
	e := newEnv(t, eng, start)
	e.add("2026-08-03 09:00 Ballots go out today")
	p := bottest.NewHub(e.clock, "discord")
	p.FailWhen(func(string, bot.Reply, int) error { return errors.New("missing access to the announcement channel") })
	e.clock.Set(time.Date(2026, 8, 3, 9, 0, 0, 0, ny))
	s := e.scheduler(nil, time.Hour)
	attempts, failed := 0, 0
	for i := 0; i < 1000 && failed == 0; i++ {
		res := runDue(t, s, p)
		attempts += res.Retrying + res.Failed
		failed += res.Failed
		next, _ := e.store.NextWake(context.Background())
		if next.IsZero() {
			break
		}
		e.clock.Set(next)
	}
	if failed != 1 {
		t.Fatalf("never gave up (%d attempts)", attempts)
	}
	if late := e.clock.Now().Sub(time.Date(2026, 8, 3, 9, 0, 0, 0, ny)); late > time.Hour+5*time.Minute {
		t.Errorf("kept retrying for %s, past the hour of grace", late)
	}
	problems, _ := e.store.Problems(context.Background(), start)
	if len(problems) != 1 || problems[0].State != reminders.StateFailed || !strings.Contains(problems[0].Error, "missing access") {
		t.Fatalf("problems %+v", problems)
	}
	if next, _ := e.store.NextWake(context.Background()); !next.IsZero() {
		t.Fatalf("still scheduled at %s", next)
	}
}

func testDeleteCancelsRetries(t *testing.T, eng Engine) {
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny)
	e := newEnv(t, eng, start)
	r := e.add("0 9 * * * Daily")
	p := bottest.NewHub(e.clock, "slack")
	p.FailWhen(func(string, bot.Reply, int) error { return errors.New("down") })
	e.clock.Set(time.Date(2026, 8, 3, 9, 0, 0, 0, ny))
	s := e.scheduler(nil, reminders.DefaultGrace)
	if res := runDue(t, s, p); res.Retrying != 1 {
		t.Fatalf("%+v", res)
	}
	ctx := context.Background()
	if err := e.store.DeleteReminder(ctx, r.ID, "console:steward", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.store.DeleteReminder(ctx, r.ID, "console:steward", e.clock.Now()); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("second delete: %v", err)
	}
	if next, _ := e.store.NextWake(ctx); !next.IsZero() {
		t.Fatalf("deleted reminder still wakes the scheduler at %s", next)
	}
	e.clock.Advance(48 * time.Hour)
	p.FailWhen(nil)
	if res := runDue(t, s, p); res != (reminders.Result{}) || len(p.Posts()) != 0 {
		t.Fatalf("deleted reminder posted: %+v %+v", res, p.Posts())
	}
}

func testNoAnnouncementChannelIsLoggedNotPosted(t *testing.T, eng Engine) {
	e := newEnv(t, eng, time.Date(2026, 8, 3, 8, 0, 0, 0, ny))
	e.add("2026-08-03 09:00 Nowhere to go")
	e.clock.Set(time.Date(2026, 8, 3, 9, 0, 0, 0, ny))
	var logs bottest.LogBuffer
	s := reminders.NewScheduler(e.store, reminders.Options{Clock: e.clock, Location: ny, Grace: time.Hour,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if res := runDue(t, s, bottest.NewHub(e.clock)); res != (reminders.Result{Skipped: 1}) {
		t.Fatalf("%+v", res)
	}
	if !strings.Contains(logs.String(), "no platform has an announcement channel") {
		t.Fatalf("not logged: %s", logs.String())
	}
	problems, err := e.store.Problems(context.Background(), e.clock.Now().Add(-time.Hour))
	if err != nil || len(problems) != 1 || problems[0].Platform != reminders.NoPlatform || problems[0].State != reminders.StateSkipped {
		t.Fatalf("not recorded: %+v %v", problems, err)
	}
}

func ratification(at time.Time, leads ...time.Duration) reminders.DeadlineDef {
	return reminders.DeadlineDef{Key: "ratification-aug-31", Name: "Ratification deadline", At: at, Zone: "America/New_York",
		Yearly: true, Leads: leads, Note: "The legislature gave the unions until Aug. 31 to ratify an agreement."}
}

func testSyncDeadlinesIsIdempotent(t *testing.T, eng Engine) {
	const day = 24 * time.Hour
	ctx := context.Background()
	start := time.Date(2026, 8, 1, 12, 0, 0, 0, ny)
	e := newEnv(t, eng, start)
	aug31 := time.Date(2026, 8, 31, 17, 0, 0, 0, ny)
	def := ratification(aug31, 14*day, 7*day, day, 2*time.Hour)
	sync := func(defs ...reminders.DeadlineDef) {
		t.Helper()
		if err := reminders.SyncDeadlines(ctx, e.store, defs, e.clock.Now(), quiet); err != nil {
			t.Fatal(err)
		}
	}
	upcoming := func() []string {
		t.Helper()
		rs, err := e.store.UpcomingReminders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, fmt.Sprintf("#%d %s", r.ID, r.Next.In(ny).Format("2006 Jan 2 15:04")))
		}
		return out
	}
	sync(def)
	want := []string{"#1 2026 Aug 17 17:00", "#2 2026 Aug 24 17:00", "#3 2026 Aug 30 17:00", "#4 2026 Aug 31 15:00"}
	if got := upcoming(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after first sync: %v", got)
	}
	e.restart()
	sync(def)
	if got := upcoming(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after second sync: %v", got)
	}

	// The 14-day reminder is posted; a restart later that day re-seeds
	// without re-arming it.
	p := bottest.NewHub(e.clock, "console")
	e.clock.Set(time.Date(2026, 8, 17, 17, 0, 0, 0, ny))
	if res := runDue(t, e.scheduler(nil, reminders.DefaultGrace), p); res.Posted != 1 {
		t.Fatalf("%+v", res)
	}
	if got := p.Posts()[0].Reply.Text; got != "Reminder: Ratification deadline is in 14 days, on Mon Aug 31, 2026 5:00 PM EDT.\nThe legislature gave the unions until Aug. 31 to ratify an agreement." {
		t.Fatalf("post %q", got)
	}
	e.restart()
	e.clock.Advance(time.Hour)
	sync(ratification(time.Date(2026, 8, 31, 17, 0, 0, 0, ny), 14*day, 7*day, day, 2*time.Hour))
	if res := runDue(t, e.scheduler(nil, reminders.DefaultGrace), p); res.Posted != 0 {
		t.Fatalf("re-armed: %+v", res)
	}
	if got := upcoming(); got[len(got)-1] != "#1 2027 Aug 17 17:00" || len(got) != 4 {
		t.Fatalf("after the 14-day post: %v", got)
	}

	// A steward deletes the 2-hour reminder; the file adds a 3-day one.
	if err := e.store.DeleteReminder(ctx, 4, "console:steward", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	sync(ratification(aug31, 14*day, 7*day, 3*day, day, 2*time.Hour))
	if got := upcoming(); fmt.Sprint(got) != fmt.Sprint([]string{"#2 2026 Aug 24 17:00", "#5 2026 Aug 28 17:00", "#3 2026 Aug 30 17:00", "#1 2027 Aug 17 17:00"}) {
		t.Fatalf("after changing the file: %v", got)
	}

	// Removed from the file: deleted. Back in the file: restored.
	sync()
	if got := upcoming(); len(got) != 0 {
		t.Fatalf("after removing from the file: %v", got)
	}
	sync(def)
	if got := upcoming(); len(got) != 3 {
		t.Fatalf("after restoring: %v", got)
	}
	ds, _ := e.store.Deadlines(ctx)
	if len(ds) != 1 {
		t.Fatalf("%d deadlines, want 1", len(ds))
	}

	// Deleted by a steward: stays deleted.
	if err := e.store.DeleteDeadline(ctx, ds[0].ID, "console:steward", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	sync(def)
	if got := upcoming(); len(got) != 0 {
		t.Fatalf("steward's deletion undone: %v", got)
	}
}

// testRunLoop drives the production loop with a fake timer: it sleeps until
// the next due time, wakes on Notify, and returns when its context ends.
func testRunLoop(t *testing.T, eng Engine) {
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny)
	e := newEnv(t, eng, start)
	e.add("in 10s First")
	sleeps := make(chan time.Duration)
	fire := make(chan time.Time)
	s := reminders.NewScheduler(e.store, reminders.Options{Clock: e.clock, Location: ny, Grace: time.Hour, Log: quiet,
		After: func(d time.Duration) <-chan time.Time { sleeps <- d; return fire }})
	p := bottest.NewHub(e.clock, "console")
	run := bottest.Start(t, func(ctx context.Context) error { return s.Run(ctx, p) })

	expect := func(want time.Duration) {
		t.Helper()
		if d := receive(t, "sleep of the loop", sleeps); d != want {
			t.Fatalf("sleeps %s, want %s", d, want)
		}
	}
	expect(10 * time.Second)
	e.clock.Advance(10 * time.Second)
	fire <- e.clock.Now()
	expect(reminders.DefaultRecheck) // nothing left
	bottest.WaitFor(t, "the first reminder's post", func() bool { return count(p, "console", "First") == 1 })

	// A reminder added meanwhile wakes the loop.
	e.add("in 30s Second")
	s.Notify()
	expect(30 * time.Second)
	e.clock.Advance(30 * time.Second)
	fire <- e.clock.Now()
	expect(reminders.DefaultRecheck)
	bottest.WaitFor(t, "the second reminder's post", func() bool { return count(p, "console", "Second") == 1 })

	if err := run.Stop(); err != nil {
		t.Fatalf("Run returned %v", err)
	}
}

// BenchmarkRunDue1000 measures claiming, posting and recording 1,000
// reminders due at the same second on one platform, each iteration on a
// fresh database.
func BenchmarkRunDue1000(b *testing.B, eng Engine) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny)
		clock := bot.NewManualClock(start)
		stores := fresh(b, eng, clock).open()
		store := stores.Reminders
		due := start.Add(time.Hour)
		for i := range 1000 {
			r := &reminders.Reminder{Kind: reminders.KindOnce, Text: fmt.Sprint("Reminder ", i), Zone: "UTC", At: due, Next: due,
				CreatedBy: "console:steward", CreatedAt: start}
			if err := store.CreateReminder(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		clock.Set(due)
		s := reminders.NewScheduler(store, reminders.Options{Clock: clock, Grace: time.Hour, Log: quiet})
		p := bottest.NewHub(clock, "console")
		b.StartTimer()
		res, err := s.RunDue(ctx, p)
		if err != nil || res.Posted != 1000 {
			b.Fatalf("%+v %v", res, err)
		}
		b.StopTimer()
		closeStores(b, stores)
		b.StartTimer()
	}
}

// testZeroGracePostsWhatComesDueWhileRunning: the grace period is about
// occurrences missed while Union Hall was down (or held up for long); one
// that comes due while the scheduler runs is posted however small it is.
func testZeroGracePostsWhatComesDueWhileRunning(t *testing.T, eng Engine) {
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny)
	e := newEnv(t, eng, start)
	p := bottest.NewHub(e.clock, "console")
	s := e.scheduler(nil, 0)
	runDue(t, s, p) // the scheduler starts

	e.add("in 2s On time")
	e.clock.Advance(2 * time.Second)
	if res := runDue(t, s, p); res.Posted != 1 || res.Skipped != 0 {
		t.Fatalf("due exactly now: result %+v, want 1 posted", res)
	}
	e.add("in 10s A little late")
	e.clock.Advance(10*time.Second + 500*time.Millisecond)
	if res := runDue(t, s, p); res.Posted != 1 || res.Skipped != 0 {
		t.Fatalf("half a second late: result %+v, want 1 posted", res)
	}
	e.add("in 1m Busy machine")
	e.clock.Advance(time.Minute + 90*time.Second)
	if res := runDue(t, s, p); res.Posted != 1 || res.Skipped != 0 {
		t.Fatalf("90 s late: result %+v, want 1 posted", res)
	}
	want := []string{
		"Reminder: On time",
		"Reminder: A little late",
		"Reminder: Busy machine\n(late: was due at Mon Aug 3, 2026 8:01 AM EDT)",
	}
	posts := p.Posts()
	if len(posts) != len(want) {
		t.Fatalf("posts %+v, want %q", posts, want)
	}
	for i, w := range want {
		if posts[i].Reply.Text != w {
			t.Errorf("post %d = %q, want %q", i, posts[i].Reply.Text, w)
		}
	}

	// Held up for hours (the machine slept): the grace period applies.
	slept := e.add("in 1m Slept through")
	e.clock.Advance(time.Minute + 3*time.Hour)
	if res := runDue(t, s, p); res.Posted != 0 || res.Skipped != 1 {
		t.Fatalf("3 h late while running: result %+v, want 1 skipped", res)
	}
	// Missed while down: with no grace it is skipped, as configured.
	down := e.add("in 1m Missed while down")
	e.restart()
	e.clock.Advance(2 * time.Minute)
	if res := runDue(t, e.scheduler(nil, 0), p); res.Posted != 0 || res.Skipped != 1 {
		t.Fatalf("missed while down: result %+v, want 1 skipped", res)
	}
	problems, err := e.store.Problems(context.Background(), start)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[int64]string{}
	for _, pr := range problems {
		notes[pr.ReminderID] = pr.Error
	}
	if got := notes[slept.ID]; !strings.HasPrefix(got, "Union Hall was held up") {
		t.Errorf("slept: note %q", got)
	}
	if got := notes[down.ID]; !strings.HasPrefix(got, "Union Hall was not running when it came due") {
		t.Errorf("down: note %q", got)
	}
	if len(p.Posts()) != 3 {
		t.Errorf("posts %+v", p.Posts())
	}
}

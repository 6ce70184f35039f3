package reminders

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
)

// Defaults of the Scheduler's options.
const (
	// DefaultGrace is how late a missed occurrence may be and still be
	// posted.
	DefaultGrace = 6 * time.Hour
	// DefaultWorkers is how many posts run at once on each platform.
	DefaultWorkers = 4
	// DefaultSendTimeout bounds one post.
	DefaultSendTimeout = 20 * time.Second
	// DefaultRecheck is the longest the loop sleeps without looking at the
	// database, so that changes made outside this process and wall-clock
	// jumps are noticed.
	DefaultRecheck = time.Minute
	// MinRetryWindow is the shortest time failed posts are retried for,
	// whatever the grace period.
	MinRetryWindow = 30 * time.Minute
	// Tolerance is how late an occurrence that came due while the
	// scheduler was running may be handled and still be posted, whatever
	// the grace period (twice Recheck, if that is longer). The loop wakes
	// at each due time, so such posts are normally a fraction of a second
	// late; the tolerance covers a busy machine, a reminder added by
	// another process (noticed at the next Recheck) and the like. Only a
	// scheduler held up for longer (the machine slept) falls back on the
	// grace period.
	Tolerance = 2 * time.Minute
)

// NoPlatform is the platform recorded for an occurrence that came due when
// no platform had an announcement channel.
const NoPlatform = "(none)"

// batchSize is how many due reminders (or retries) are claimed in one
// transaction.
const batchSize = 500

// maxCollapse bounds the walk over missed occurrences of one reminder.
const maxCollapse = 100000

// Poster posts to the announcement channels of the connected platforms.
// *bot.Hub is a Poster.
type Poster interface {
	// Announcers returns the platforms that have an announcement channel.
	Announcers() []string
	// AnnouncePlatform posts r to one platform's announcement channel.
	AnnouncePlatform(ctx context.Context, platform string, r bot.Reply) error
}

// Options configure a Scheduler.
type Options struct {
	// Clock is where the time comes from; the system clock when nil.
	Clock bot.Clock
	// Location is the time zone times are shown in; UTC when nil.
	Location *time.Location
	// Grace is how late an occurrence missed while the scheduler was not
	// running may be and still be posted (with a "late" note). Zero means
	// missed occurrences are never posted; use DefaultGrace for the
	// default. Occurrences that come due while the scheduler runs are
	// posted however small the grace period (see Tolerance).
	Grace time.Duration
	// Log receives what the scheduler does; slog.Default when nil.
	Log *slog.Logger
	// Metrics counts posts by outcome; bot.NoMetrics when nil.
	Metrics bot.Metrics
	// Workers is how many posts run at once per platform; DefaultWorkers
	// when zero.
	Workers int
	// SendTimeout bounds one post; DefaultSendTimeout when zero.
	SendTimeout time.Duration
	// Recheck is the longest Run sleeps; DefaultRecheck when zero.
	Recheck time.Duration
	// After returns a channel that receives once d has passed; time.After
	// when nil. Tests replace it to drive Run without waiting.
	After func(d time.Duration) <-chan time.Time
}

// Scheduler posts due reminders exactly once each. The database is its
// only state: any number of Schedulers may be created over the same Store
// one after the other (a restart), and a due occurrence is posted by
// exactly one of them.
type Scheduler struct {
	store Store
	opts  Options
	log   *slog.Logger
	wake  chan struct{}

	startMu   sync.Mutex
	started   bool
	startedAt time.Time // when the scheduler first looked at the database

	semMu sync.Mutex
	sems  map[string]chan struct{}
}

// NewScheduler returns a Scheduler over store.
func NewScheduler(store Store, opts Options) *Scheduler {
	opts.Clock = bot.OrSystemClock(opts.Clock)
	opts.Location = cmp.Or(opts.Location, time.UTC)
	opts.Grace = max(opts.Grace, 0)
	opts.Log = bot.OrDefaultLogger(opts.Log)
	opts.Metrics = bot.OrNoMetrics(opts.Metrics)
	opts.Workers = bot.PositiveOr(opts.Workers, DefaultWorkers)
	opts.SendTimeout = bot.PositiveOr(opts.SendTimeout, DefaultSendTimeout)
	opts.Recheck = bot.PositiveOr(opts.Recheck, DefaultRecheck)
	if opts.After == nil {
		opts.After = time.After
	}
	return &Scheduler{
		store: store,
		opts:  opts,
		log:   opts.Log.With("component", "reminders"),
		wake:  make(chan struct{}, 1),
		sems:  map[string]chan struct{}{},
	}
}

// Notify wakes Run to look at the database now, e.g. after a reminder was
// added. It never blocks.
func (s *Scheduler) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Result counts what RunDue did.
type Result struct {
	// Posted is the number of posts the platforms accepted.
	Posted int
	// Retrying is the number of failed posts scheduled for another try.
	Retrying int
	// Failed is the number of posts given up on.
	Failed int
	// Skipped is the number of occurrences skipped for being too late.
	Skipped int
	// Uncertain is the number of interrupted posts found at start-up.
	Uncertain int
}

// RunDue handles everything due at the clock's current time and waits for
// the posts to finish: it claims due occurrences, posts them, records the
// outcomes and handles due retries. Tests call it with a ManualClock; Run
// calls the same steps.
func (s *Scheduler) RunDue(ctx context.Context, p Poster) (Result, error) {
	var res Result
	jobs, err := s.claimDue(ctx, p, &res)
	var mu sync.Mutex
	s.deliverAll(ctx, p, jobs, func(st State) {
		mu.Lock()
		defer mu.Unlock()
		res.count(st)
	})
	return res, err
}

func (r *Result) count(st State) {
	switch st {
	case StateSent:
		r.Posted++
	case StateRetry:
		r.Retrying++
	case StateFailed:
		r.Failed++
	case StateSkipped:
		r.Skipped++
	case StateUncertain:
		r.Uncertain++
	}
}

// Run posts reminders as they come due until ctx ends. It sleeps until the
// next due time (or Notify, or Recheck at most), and lets posts run in the
// background so that a slow platform never delays the next due reminder.
// On return every post it started has finished and been recorded.
func (s *Scheduler) Run(ctx context.Context, p Poster) error {
	if len(p.Announcers()) == 0 {
		s.log.Warn("no platform has an announcement channel: reminders that come due will be logged as not posted")
	}
	var inflight sync.WaitGroup
	defer inflight.Wait()
	for {
		ok := s.cycle(ctx, p, &inflight)
		if ctx.Err() != nil {
			return nil
		}
		wait := s.untilNext(ctx, ok)
		select {
		case <-ctx.Done():
			return nil
		case <-s.opts.After(wait):
		case <-s.wake:
		}
	}
}

// cycle claims what is due and starts posting it. It reports false when
// something failed, so that Run waits a little before trying again. A
// panic is logged, not propagated.
func (s *Scheduler) cycle(ctx context.Context, p Poster, inflight *sync.WaitGroup) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("reminder scheduler panicked; carrying on", "panic", fmt.Sprint(v))
			ok = false
		}
	}()
	var res Result
	jobs, err := s.claimDue(ctx, p, &res)
	if err != nil && ctx.Err() == nil {
		s.log.Error("could not claim due reminders", "err", err)
	}
	if len(jobs) > 0 {
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			s.deliverAll(ctx, p, jobs, nil)
		}()
	}
	return err == nil
}

// untilNext returns how long Run sleeps: until the next due time, at most
// Recheck, and a moment at least when something that should have been
// handled is still due (so a persistent failure cannot spin).
func (s *Scheduler) untilNext(ctx context.Context, ok bool) time.Duration {
	const pause = 50 * time.Millisecond
	if !ok {
		return min(5*time.Second, s.opts.Recheck)
	}
	next, err := s.store.NextWake(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("could not read the next reminder time", "err", err)
		}
		return min(5*time.Second, s.opts.Recheck)
	}
	if next.IsZero() {
		return s.opts.Recheck
	}
	d := next.Sub(s.opts.Clock.Now())
	switch {
	case d <= 0:
		return pause
	case d > s.opts.Recheck:
		return s.opts.Recheck
	}
	return d
}

// start marks deliveries interrupted by the previous run, once, before
// anything is claimed.
func (s *Scheduler) start(ctx context.Context, res *Result) error {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	if s.started {
		return nil
	}
	ds, err := s.store.MarkInterrupted(ctx, s.opts.Clock.Now())
	if err != nil {
		return fmt.Errorf("mark interrupted deliveries: %w", err)
	}
	for _, d := range ds {
		res.Uncertain++
		s.opts.Metrics.ReminderPost(bot.ReminderUncertain)
		s.log.Error("a reminder was being posted when Union Hall stopped; it may or may not have gone out and is not posted again (check the channel)",
			"reminder", d.ReminderID, "due", d.Occurrence.Format(time.RFC3339), "platform", d.Platform)
	}
	s.started, s.startedAt = true, s.opts.Clock.Now()
	return nil
}

// since returns the time the scheduler started.
func (s *Scheduler) since() time.Time {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	return s.startedAt
}

// tolerance returns how late an occurrence that came due while the
// scheduler ran may be posted, whatever the grace period.
func (s *Scheduler) tolerance() time.Duration {
	return max(Tolerance, 2*s.opts.Recheck)
}

// earliest returns the time after which an occurrence due by now is still
// posted: one missed while the scheduler was not running if it is within
// the grace period, one that came due while it ran if it is within the
// grace period or the tolerance.
func (s *Scheduler) earliest(now time.Time) time.Time {
	lo := now.Add(-s.opts.Grace)
	if running := maxTime(s.since(), now.Add(-s.tolerance())); running.Before(lo) {
		lo = running
	}
	return lo
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// claimDue claims due occurrences and due retries and returns the posts to
// make.
func (s *Scheduler) claimDue(ctx context.Context, p Poster, res *Result) ([]Delivery, error) {
	if err := s.start(ctx, res); err != nil {
		return nil, err
	}
	now := s.opts.Clock.Now()
	platforms := p.Announcers()
	var jobs []Delivery
	for {
		due, err := s.store.DueReminders(ctx, now, batchSize)
		if err != nil {
			return jobs, fmt.Errorf("read due reminders: %w", err)
		}
		if len(due) == 0 {
			break
		}
		byID := make(map[int64]*Reminder, len(due))
		claims := make([]Claim, 0, len(due))
		for _, r := range due {
			byID[r.ID] = r
			c := s.plan(r, now, platforms)
			if c.State == StateSkipped {
				res.Skipped += len(c.Platforms)
			}
			claims = append(claims, c)
		}
		ds, err := s.store.ClaimOccurrences(ctx, claims, now)
		if err != nil {
			return jobs, fmt.Errorf("claim due reminders: %w", err)
		}
		for _, d := range ds {
			d.Reminder = byID[d.ReminderID]
			jobs = append(jobs, d)
		}
		if len(due) < batchSize {
			break
		}
	}
	retries, err := s.store.DueRetries(ctx, now, batchSize)
	if err != nil {
		return jobs, fmt.Errorf("read due retries: %w", err)
	}
	for _, d := range retries {
		ok, err := s.store.ClaimRetry(ctx, d, now)
		if err != nil {
			return jobs, fmt.Errorf("claim retry: %w", err)
		}
		if !ok {
			continue
		}
		d.State = StateSending
		if d.Reminder == nil || !d.Reminder.DeletedAt.IsZero() {
			d.State, d.Error = StateCancelled, "reminder deleted"
			s.finish(ctx, d)
			continue
		}
		if now.Sub(d.Occurrence) > s.retryWindow() {
			d.State = StateFailed
			s.finish(ctx, d)
			res.Failed++
			s.log.Error("gave up posting a reminder: every attempt failed", "reminder", d.ReminderID,
				"due", d.Occurrence.Format(time.RFC3339), "platform", d.Platform, "attempts", d.Attempts, "err", d.Error)
			continue
		}
		jobs = append(jobs, d)
	}
	return jobs, nil
}

// plan decides what to do with a due reminder: which occurrence to post
// (the latest one due, if it came due while the scheduler ran or is
// within the grace period), or to skip, and the next occurrence.
func (s *Scheduler) plan(r *Reminder, now time.Time, platforms []string) Claim {
	c := Claim{ReminderID: r.ID, From: r.Next, Occurrence: r.Next, Platforms: platforms}
	sch, err := r.Schedule()
	if err != nil {
		c.State, c.Note = StateFailed, "cannot compute the schedule: "+err.Error()
		s.log.Error("reminder disabled: its schedule cannot be computed", "reminder", r.ID, "err", err)
		return c
	}
	c.Next = sch.Next(now)
	lo := s.earliest(now)
	occ := r.Next
	if !occ.After(lo) {
		occ = sch.Next(lo)
		if !occ.IsZero() && occ.After(now) {
			occ = time.Time{}
		}
	}
	if len(platforms) == 0 {
		// Record it all the same, so that /remind list shows it.
		c.Platforms = []string{NoPlatform}
	}
	if occ.IsZero() {
		c.State = StateSkipped
		why := "Union Hall was not running when it came due"
		if r.Next.After(s.since()) {
			why = "Union Hall was held up (the machine may have slept)"
		}
		c.Note = fmt.Sprintf("%s, and was %s late, more than the %s grace period",
			why, FormatLead(now.Sub(r.Next).Round(time.Minute)), FormatLead(s.opts.Grace))
		s.log.Warn("skipped a missed reminder: it is older than the grace period", "reminder", r.ID,
			"due", r.Next.Format(time.RFC3339), "late", now.Sub(r.Next).Round(time.Second).String(), "grace", s.opts.Grace.String())
		return c
	}
	collapsed := 0
	if occ.After(r.Next) {
		collapsed = 1 // r.Next itself at least
	}
	for range maxCollapse {
		n := sch.Next(occ)
		if n.IsZero() || n.After(now) {
			break
		}
		occ = n
		collapsed++
	}
	if collapsed > 0 {
		s.log.Info("missed occurrences of a recurring reminder collapse into one post", "reminder", r.ID,
			"first_missed", r.Next.Format(time.RFC3339), "posting", occ.Format(time.RFC3339))
	}
	if len(platforms) == 0 {
		s.log.Error("a reminder came due but no platform has an announcement channel; it is not posted",
			"reminder", r.ID, "due", occ.Format(time.RFC3339))
		c.Occurrence, c.State, c.Note = occ, StateSkipped, "no platform has an announcement channel"
		return c
	}
	c.Occurrence, c.State = occ, StateSending
	return c
}

// retryWindow is how long after its occurrence a failed post is retried.
func (s *Scheduler) retryWindow() time.Duration {
	return max(s.opts.Grace, MinRetryWindow)
}

// Backoff returns the wait before attempt n+1 after n failed attempts:
// 10 s, 20 s, 40 s, ... at most 5 minutes.
func Backoff(n int) time.Duration {
	return backoff.Policy{Initial: 10 * time.Second, Max: 5 * time.Minute}.Delay(n)
}

// sem returns the platform's worker slots.
func (s *Scheduler) sem(platform string) chan struct{} {
	s.semMu.Lock()
	defer s.semMu.Unlock()
	c, ok := s.sems[platform]
	if !ok {
		c = make(chan struct{}, s.opts.Workers)
		s.sems[platform] = c
	}
	return c
}

// deliverAll posts every job, each platform with its own workers, and
// waits for them. done, when set, receives each outcome.
func (s *Scheduler) deliverAll(ctx context.Context, p Poster, jobs []Delivery, done func(State)) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem := s.sem(j.Platform)
			sem <- struct{}{}
			defer func() { <-sem }()
			defer func() {
				if v := recover(); v != nil {
					// The delivery stays "sending": the next start-up
					// reports it as uncertain.
					s.log.Error("reminder post panicked", "reminder", j.ReminderID, "platform", j.Platform, "panic", fmt.Sprint(v))
				}
			}()
			st := s.deliver(ctx, p, j)
			if done != nil {
				done(st)
			}
		}()
	}
	wg.Wait()
}

// deliver posts one delivery and records the outcome. Posting is not
// interrupted by ctx ending (shutdown waits for it, up to SendTimeout), so
// that an outcome is always recorded.
func (s *Scheduler) deliver(ctx context.Context, p Poster, d Delivery) State {
	ctx = context.WithoutCancel(ctx)
	text := PostText(d.Reminder, d.Occurrence, s.opts.Clock.Now(), s.opts.Location)
	err := s.post(ctx, p, d.Platform, bot.Reply{Text: text})
	d.Attempts++
	now := s.opts.Clock.Now()
	if err == nil {
		d.State, d.Error = StateSent, ""
		s.log.Info("reminder posted", "reminder", d.ReminderID, "due", d.Occurrence.Format(time.RFC3339),
			"platform", d.Platform, "late", now.Sub(d.Occurrence).String())
	} else {
		d.Error = err.Error()
		next := now.Add(Backoff(d.Attempts))
		if next.Sub(d.Occurrence) > s.retryWindow() {
			d.State = StateFailed
			s.log.Error("gave up posting a reminder: every attempt failed", "reminder", d.ReminderID,
				"due", d.Occurrence.Format(time.RFC3339), "platform", d.Platform, "attempts", d.Attempts, "err", err)
		} else {
			d.State, d.NextTry = StateRetry, next
			s.log.Warn("could not post a reminder; will retry", "reminder", d.ReminderID,
				"due", d.Occurrence.Format(time.RFC3339), "platform", d.Platform, "attempt", d.Attempts,
				"retry_at", next.Format(time.RFC3339), "err", err)
		}
	}
	s.finish(ctx, d)
	s.opts.Metrics.ReminderPost(postOutcome[d.State])
	if d.State == StateRetry {
		s.Notify()
	}
	return d.State
}

// postOutcome names the outcome of one post attempt for Metrics.
var postOutcome = map[State]string{StateSent: bot.ReminderPosted, StateRetry: bot.ReminderRetried, StateFailed: bot.ReminderFailed}

// post calls the platform with a timeout, turning a panic into an error.
func (s *Scheduler) post(ctx context.Context, p Poster, platform string, r bot.Reply) (err error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.SendTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic while posting: %v", v)
		}
	}()
	return p.AnnouncePlatform(ctx, platform, r)
}

// finish records a delivery's outcome, trying a few times: a post that
// went out but could not be recorded would be reported as uncertain after
// the next restart.
func (s *Scheduler) finish(ctx context.Context, d Delivery) {
	// Four attempts, 0.1 s, 0.4 s and 1.6 s apart.
	record := backoff.Policy{Initial: 100 * time.Millisecond, Factor: 4, Attempts: 4}
	err := record.Retry(context.WithoutCancel(ctx), s.opts.Clock, func(ctx context.Context) error {
		return s.store.FinishDelivery(ctx, d, s.opts.Clock.Now())
	}, nil)
	if err == nil {
		return
	}
	s.log.Error("could not record the outcome of a reminder post; after a restart it will be reported as uncertain",
		"reminder", d.ReminderID, "due", d.Occurrence.Format(time.RFC3339), "platform", d.Platform,
		"state", string(d.State), "err", err)
}

package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/reminders"
	"github.com/unionhall/unionhall/store/sqlite"
)

// defaultDeadlines is the deadlines file used when UNIONHALL_DEADLINES_FILE
// is unset: the Aug. 31 ratification deadline of the default knowledge
// base.
//
//go:embed deadlines.yaml
var defaultDeadlines []byte

// registerReminders wires deadlines, reminders and their scheduler.
func (a *app) registerReminders(ctx context.Context) error {
	grace, err := parseGrace(a.cfg.vars.or("UNIONHALL_REMINDER_GRACE", "6h"))
	if err != nil {
		return fmt.Errorf("UNIONHALL_REMINDER_GRACE: %w", err)
	}
	now := a.clock.Now()
	name, data := "the embedded deadlines file", defaultDeadlines
	if path := a.cfg.vars.get("UNIONHALL_DEADLINES_FILE"); path != "" {
		if data, err = os.ReadFile(path); err != nil {
			return fmt.Errorf("UNIONHALL_DEADLINES_FILE: %w", err)
		}
		name = path
	}
	defs, err := parseDeadlines(data, now, a.cfg.Location)
	if err != nil {
		return fmt.Errorf("UNIONHALL_DEADLINES_FILE: %s: %w", name, err)
	}
	store := sqlite.NewReminderStore(a.db)
	if err := reminders.SyncDeadlines(ctx, store, defs, now, a.log); err != nil {
		return fmt.Errorf("load deadlines from %s: %w", name, err)
	}
	sched := reminders.NewScheduler(store, reminders.Options{Clock: a.clock, Location: a.cfg.Location, Grace: grace, Log: a.log})
	svc := &reminders.Service{Store: store, Clock: a.clock, Location: a.cfg.Location, Notify: sched.Notify}
	for _, c := range svc.Commands() {
		a.router.Register(c)
	}
	a.services = append(a.services, func(ctx context.Context) error { return sched.Run(ctx, a.hub) })
	return nil
}

// parseGrace reads UNIONHALL_REMINDER_GRACE: "6h", "90m", "1d", "0".
func parseGrace(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if d, err := bot.ParseDuration(s); err == nil {
		return d, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (use e.g. 6h, 90m, 1d, or 0 to never post missed reminders)", s)
	}
	return d, nil
}

// deadlinesFile is the format of the deadlines file.
type deadlinesFile struct {
	Deadlines []deadlineEntry `yaml:"deadlines"`
}

type deadlineEntry struct {
	Key      string   `yaml:"key"`
	Name     string   `yaml:"name"`
	When     string   `yaml:"when"`
	Timezone string   `yaml:"timezone"`
	Leads    []string `yaml:"leads"`
	Note     string   `yaml:"note"`
}

var (
	reYear     = regexp.MustCompile(`\b\d{4}\b`)
	reRelative = regexp.MustCompile(`(?i)^\s*(in\s|today|tomorrow)`)
)

// parseDeadlines reads a deadlines file. A date without a year is the next
// such date after now, and the deadline repeats every year.
func parseDeadlines(data []byte, now time.Time, def *time.Location) ([]reminders.DeadlineDef, error) {
	var f deadlinesFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("not a valid deadlines file: %w", err)
	}
	var out []reminders.DeadlineDef
	for i, e := range f.Deadlines {
		d, err := e.def(now, def)
		if err != nil {
			label := strings.TrimSpace(e.Key)
			if label == "" {
				label = fmt.Sprintf("number %d", i+1)
			}
			return nil, fmt.Errorf("deadline %s: %w", label, err)
		}
		if slices.ContainsFunc(out, func(o reminders.DeadlineDef) bool { return o.Key == d.Key }) {
			return nil, fmt.Errorf("deadline %s: the key is used twice", d.Key)
		}
		out = append(out, d)
	}
	return out, nil
}

func (e deadlineEntry) def(now time.Time, def *time.Location) (reminders.DeadlineDef, error) {
	d := reminders.DeadlineDef{Key: strings.TrimSpace(e.Key), Name: strings.TrimSpace(e.Name), Note: strings.TrimSpace(e.Note)}
	switch {
	case d.Key == "":
		return d, errors.New("key is missing")
	case d.Name == "":
		return d, errors.New("name is missing")
	case strings.TrimSpace(e.When) == "":
		return d, errors.New(`when is missing (e.g. when: "Aug 31 17:00")`)
	case reRelative.MatchString(e.When):
		return d, fmt.Errorf("when %q is relative to the start-up time; give a calendar date such as \"Aug 31 17:00\"", e.When)
	}
	zone := def
	if tz := strings.TrimSpace(e.Timezone); tz != "" {
		loc, err := reminders.LoadZone(tz)
		if err != nil {
			return d, fmt.Errorf("timezone: %s", bot.ErrorMessage(err))
		}
		zone = loc
	}
	at, err := bot.ParseWhen(e.When, now, zone)
	if err != nil {
		return d, fmt.Errorf("when: %s", bot.ErrorMessage(err))
	}
	for _, l := range e.Leads {
		lead, err := bot.ParseDuration(l)
		if err != nil {
			return d, fmt.Errorf("leads: %s", bot.ErrorMessage(err))
		}
		if lead > reminders.MaxLead {
			return d, fmt.Errorf("leads: %s is longer than a year", l)
		}
		d.Leads = append(d.Leads, lead)
	}
	d.At, d.Zone, d.Yearly = at, zone.String(), !reYear.MatchString(e.When)
	return d, nil
}

// cmdRemindAccuracy measures how close to their time reminders are posted
// with the real clock: it schedules reminders a few seconds ahead in a
// temporary database, runs the production scheduler loop, and reports how
// late each post was. It fails when any post is more than --max late.
func cmdRemindAccuracy(ctx context.Context, args []string, std stdio) error {
	fs := flag.NewFlagSet("remind-accuracy", flag.ContinueOnError)
	fs.SetOutput(std.err)
	n := fs.Int("n", 20, "number of reminders")
	ahead := fs.Duration("ahead", 2*time.Second, "how far ahead the first reminder is due")
	spread := fs.Duration("spread", 3*time.Second, "reminders are due evenly over this span after the first (0: all at the same instant)")
	limit := fs.Duration("max", time.Second, "the lateness that fails the check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *n > 100000 || *ahead < 0 || *spread < 0 {
		return errors.New("remind-accuracy: --n must be 1 to 100000, --ahead and --spread not negative")
	}
	dir, err := os.MkdirTemp("", "unionhall-accuracy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	clock := bot.SystemClock{}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "accuracy.db"), clock)
	if err != nil {
		return err
	}
	defer db.Close()
	store := sqlite.NewReminderStore(db)
	p := &timingPoster{got: map[string]time.Time{}, done: make(chan struct{}), want: *n}
	sched := reminders.NewScheduler(store, reminders.Options{Clock: clock, Grace: time.Hour,
		Log: slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- sched.Run(runCtx, p) }()

	// Reminders are added while the loop runs, each followed by Notify,
	// as /remind add does.
	due := map[string]time.Time{}
	first := time.Now().Add(*ahead)
	for i := range *n {
		at := first
		if *n > 1 {
			at = first.Add(*spread * time.Duration(i) / time.Duration(*n-1))
		}
		at = at.Truncate(time.Millisecond)
		r := &reminders.Reminder{Kind: reminders.KindOnce, Text: fmt.Sprintf("accuracy check %d", i), Zone: "UTC",
			At: at, Next: at, CreatedBy: "accuracy", CreatedAt: time.Now()}
		if err := store.CreateReminder(ctx, r); err != nil {
			return err
		}
		due["Reminder: "+r.Text] = at
		sched.Notify()
	}
	select {
	case <-p.done:
	case <-time.After(*ahead + *spread + 30*time.Second):
		return fmt.Errorf("remind-accuracy: only %d of %d reminders were posted", p.count(), *n)
	case <-ctx.Done():
		return ctx.Err()
	}
	stop()
	if err := <-ran; err != nil {
		return err
	}
	var late []time.Duration
	p.mu.Lock()
	for text, at := range p.got {
		late = append(late, at.Sub(due[text]))
	}
	dups := p.posts - len(p.got)
	p.mu.Unlock()
	if dups > 0 {
		return fmt.Errorf("remind-accuracy: FAIL: %d reminders were posted twice", dups)
	}
	slices.Sort(late)
	pct := func(q float64) time.Duration { return late[min(len(late)-1, int(q*float64(len(late))))] }
	fmt.Fprintf(std.out, "reminders: %d, due over %s starting %s ahead\nlateness: min %s, median %s, p95 %s, max %s\n",
		len(late), *spread, *ahead, late[0].Round(time.Microsecond), pct(0.5).Round(time.Microsecond),
		pct(0.95).Round(time.Microsecond), late[len(late)-1].Round(time.Microsecond))
	if worst := late[len(late)-1]; worst > *limit || late[0] < 0 {
		return fmt.Errorf("remind-accuracy: FAIL: a reminder was posted %s from its time (limit %s)", worst, *limit)
	}
	fmt.Fprintf(std.out, "PASS: every reminder was posted within %s of its time\n", *limit)
	return nil
}

// timingPoster records when each announcement was made.
type timingPoster struct {
	mu    sync.Mutex
	got   map[string]time.Time
	posts int
	want  int
	done  chan struct{}
}

func (p *timingPoster) Announcers() []string { return []string{"timing"} }

func (p *timingPoster) AnnouncePlatform(_ context.Context, _ string, r bot.Reply) error {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts++
	if _, dup := p.got[r.Text]; dup {
		return nil
	}
	p.got[r.Text] = now
	if len(p.got) == p.want {
		close(p.done)
	}
	return nil
}

func (p *timingPoster) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got)
}

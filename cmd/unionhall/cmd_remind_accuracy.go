package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/reminders"
	"github.com/unionhall/unionhall/store/sqlite"
)

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
	svc, err := reminders.New(reminders.Config{Store: store, Poster: p, Clock: clock, Grace: time.Hour,
		Log: slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- svc.Run(runCtx) }()

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
		svc.Notify()
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

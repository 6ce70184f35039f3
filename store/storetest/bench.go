package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/reminders"
)

// BenchmarkRunDue1000OnReplicas measures how long n processes on one
// database, each running its scheduler at once, take to post 1,000
// reminders due at the same second, and checks that each is posted
// exactly once among them. Each iteration runs on a fresh database.
func BenchmarkRunDue1000OnReplicas(b *testing.B, eng Engine, n int) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		start := time.Date(2026, 8, 3, 8, 0, 0, 0, ny)
		clock := bot.NewManualClock(start)
		handles := fresh(b, eng, clock).openN(n)
		due := start.Add(time.Hour)
		for i := range 1000 {
			r := &reminders.Reminder{Kind: reminders.KindOnce, Text: fmt.Sprint("Reminder ", i), Zone: "UTC", At: due, Next: due,
				CreatedBy: "console:steward", CreatedAt: start}
			must(b, handles[0].Reminders.CreateReminder(ctx, r))
		}
		clock.Set(due)
		hubs := make([]*bottest.Hub, n)
		scheds := make([]*reminders.Scheduler, n)
		for i, h := range handles {
			hubs[i] = bottest.NewHub(clock, "console")
			scheds[i] = reminders.NewScheduler(h.Reminders, reminders.Options{Clock: clock, Grace: time.Hour, Log: quiet})
		}
		var mu sync.Mutex
		posted := 0
		b.StartTimer()
		together(n, func(i int) {
			for {
				res, err := scheds[i].RunDue(ctx, hubs[i])
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				posted += res.Posted
				mu.Unlock()
				if res.Posted == 0 {
					return
				}
			}
		})
		b.StopTimer()
		seen := map[string]int{}
		for _, h := range hubs {
			for _, p := range h.Posts() {
				seen[p.Reply.Text]++
			}
		}
		if posted != 1000 || len(seen) != 1000 {
			b.Fatalf("%d posts of %d distinct reminders, want 1,000 of 1,000", posted, len(seen))
		}
		for _, h := range handles {
			closeStores(b, h)
		}
		b.StartTimer()
	}
}

// Concurrently runs fn(i) for i in [0, n) on workers goroutines, as
// members acting at once, and returns the elapsed time; the first error
// fails the benchmark.
func Concurrently(b *testing.B, n, workers int, fn func(i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	begin := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	return elapsed
}

// ReportVotes checks that poll pollID of svc counted b.N voters, and
// reports the votes per second (b.N in service), the baseline
// transactions per second (b.N in baseline) and their ratio.
func ReportVotes(b *testing.B, svc *polls.Service, pollID int64, service, baseline time.Duration) {
	res, err := svc.Results(context.Background(), pollID)
	if err != nil {
		b.Fatal(err)
	}
	if res.Voters != b.N {
		b.Fatalf("%d votes counted, want %d", res.Voters, b.N)
	}
	votesPerSec := float64(b.N) / service.Seconds()
	basePerSec := float64(b.N) / baseline.Seconds()
	b.ReportMetric(votesPerSec, "votes/s")
	b.ReportMetric(basePerSec, "baseline-tx/s")
	b.ReportMetric(100*votesPerSec/basePerSec, "%-of-baseline")
	b.ReportMetric(0, "ns/op")
}

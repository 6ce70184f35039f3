package lanes_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/lanes"
)

func TestLanesKeepOrderPerKeyAndRunKeysConcurrently(t *testing.T) {
	g := lanes.New(4)
	var mu sync.Mutex
	got := map[string][]int{}
	block := make(chan struct{})
	g.Add("slow", func() { <-block })
	for i := range 200 {
		key := fmt.Sprintf("k%d", i%3)
		g.Add(key, func() {
			mu.Lock()
			got[key] = append(got[key], i)
			mu.Unlock()
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), bottest.WaitTimeout)
	defer cancel()
	bottest.WaitFor(t, "the other lanes while one is blocked", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got["k0"])+len(got["k1"])+len(got["k2"]) == 200
	})
	if n := g.Queued("slow"); n != 0 {
		t.Errorf("%d jobs queued behind the running one, want 0", n)
	}
	g.Add("slow", func() {})
	if n := g.Queued("slow"); n != 1 {
		t.Errorf("%d jobs queued behind the running one, want 1", n)
	}
	if n := g.Pending(); n != 2 {
		t.Errorf("%d jobs pending (the blocked one and the one behind it), want 2", n)
	}
	close(block)
	if err := g.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := g.Pending(); n != 0 {
		t.Errorf("%d jobs pending once all ran, want 0", n)
	}
	for k, seq := range got {
		if !slices.IsSorted(seq) {
			t.Errorf("lane %s ran out of order: %v", k, seq)
		}
	}
	// A panicking job does not stop its lane.
	var panics atomic.Int32
	g.OnPanic = func(any) { panics.Add(1) }
	ran := false
	g.Add("p", func() { panic("boom") })
	g.Add("p", func() { ran = true })
	if err := g.Wait(ctx); err != nil || !ran || panics.Load() != 1 {
		t.Errorf("after a panic: ran %v, panics %d, err %v", ran, panics.Load(), err)
	}
}

func TestLimitBoundsJobsAcrossLanes(t *testing.T) {
	for _, limit := range []int{2, 0} {
		g := lanes.New(limit)
		var running, most atomic.Int32
		release := make(chan struct{})
		for i := range 6 {
			g.Add(fmt.Sprint(i), func() {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				<-release
				running.Add(-1)
			})
		}
		want := int32(limit)
		if limit == 0 {
			want = 6
		}
		bottest.WaitFor(t, "the jobs to start", func() bool { return running.Load() == want })
		close(release)
		if err := g.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if most.Load() != want {
			t.Errorf("limit %d: %d jobs ran at once, want %d", limit, most.Load(), want)
		}
	}
}

func TestDoWaitsForItsTurnAndHonoursTheContext(t *testing.T) {
	g := lanes.New(0)
	ctx := context.Background()
	var order []string
	block := make(chan struct{})
	g.Add("C1", func() { <-block; order = append(order, "first") })

	// A Do whose caller gives up is not run when its turn comes.
	gone, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		errc <- g.Do(gone, "C1", func(context.Context) error { order = append(order, "abandoned"); return nil })
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("abandoned Do = %v", err)
	}

	done := make(chan error, 1)
	go func() {
		done <- g.Do(ctx, "C1", func(context.Context) error { order = append(order, "second"); return errors.New("refused") })
	}()
	close(block)
	if err := <-done; err == nil || err.Error() != "refused" {
		t.Errorf("Do = %v, want the job's error", err)
	}
	if err := g.Do(ctx, "C1", func(context.Context) error { panic("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Do of a panicking job = %v", err)
	}
	if err := g.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"first", "second"}; !slices.Equal(order, want) {
		t.Errorf("ran %v, want %v", order, want)
	}

	// Wait is bounded by its context.
	hold := make(chan struct{})
	defer close(hold)
	g.Add("C2", func() { <-hold })
	if err := g.Wait(expired()); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with an ended context = %v", err)
	}
}

// expired returns a context that has already ended.
func expired() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

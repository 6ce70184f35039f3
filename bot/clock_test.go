package bot_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
)

func TestManualClockTimers(t *testing.T) {
	start := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	c := bot.NewManualClock(start)
	var mu sync.Mutex
	var ran []string
	note := func(s string) func() {
		return func() { mu.Lock(); defer mu.Unlock(); ran = append(ran, s) }
	}
	c.AfterFunc(2*time.Second, note("2s"))
	c.AfterFunc(time.Second, note("1s"))
	c.AfterFunc(time.Second, note("1s, second"))
	stop := c.AfterFunc(1500*time.Millisecond, note("stopped"))
	c.AfterFunc(3*time.Second, func() {
		note("3s")()
		// A timer started by a timer counts from the clock's time, which
		// is already the end of the move.
		c.AfterFunc(500*time.Millisecond, note("5.5s"))
	})
	if !stop() || stop() {
		t.Error("stop reports whether it prevented the call")
	}
	if n := c.Timers(); n != 4 {
		t.Errorf("%d timers waiting, want 4", n)
	}
	c.Advance(999 * time.Millisecond)
	if len(ran) != 0 {
		t.Fatalf("ran %v before their time", ran)
	}
	c.Set(start.Add(5 * time.Second))
	if want := []string{"1s", "1s, second", "2s", "3s"}; !slices.Equal(ran, want) {
		t.Errorf("ran %v, want %v", ran, want)
	}
	c.Advance(500 * time.Millisecond)
	if ran[len(ran)-1] != "5.5s" {
		t.Errorf("ran %v, want the timer a timer started last", ran)
	}
	if c.Timers() != 0 {
		t.Errorf("%d timers left", c.Timers())
	}

	// A timer already due runs at once, in its own goroutine.
	done := make(chan struct{})
	c.AfterFunc(0, func() { close(done) })
	<-done

	// bot.AfterFunc goes through the clock when it keeps timers.
	fired := false
	bot.AfterFunc(c, time.Minute, func() { fired = true })
	c.Advance(time.Minute)
	if !fired {
		t.Error("bot.AfterFunc did not use the manual clock")
	}
}

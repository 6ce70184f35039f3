package bot_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
)

func TestOrSystemClock(t *testing.T) {
	if _, ok := bot.OrSystemClock(nil).(bot.SystemClock); !ok {
		t.Error("a nil clock is not replaced by the system clock")
	}
	manual := bot.NewManualClock(time.Unix(0, 0))
	if got := bot.OrSystemClock(manual); got != manual {
		t.Errorf("a given clock is replaced by %T", got)
	}
}

func TestPositiveOr(t *testing.T) {
	for _, c := range []struct{ v, want time.Duration }{
		{0, time.Minute},
		{-time.Second, time.Minute},
		{time.Second, time.Second},
	} {
		if got := bot.PositiveOr(c.v, time.Minute); got != c.want {
			t.Errorf("PositiveOr(%v, 1m) = %v, want %v", c.v, got, c.want)
		}
	}
	if got := bot.PositiveOr(0, 8); got != 8 {
		t.Errorf("PositiveOr(0, 8) = %d", got)
	}
}

func TestOrDefaultLogger(t *testing.T) {
	if bot.OrDefaultLogger(nil) != slog.Default() {
		t.Error("a nil logger is not replaced by slog.Default()")
	}
	own := slog.New(slog.DiscardHandler)
	if bot.OrDefaultLogger(own) != own {
		t.Error("a given logger is replaced")
	}
}

package bottest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/unionhall/unionhall/bot/bottest"
)

func TestStopCancelsAndReturnsWhatRunReturned(t *testing.T) {
	run := bottest.Start(t, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	select {
	case <-run.Done():
		t.Fatal("run returned before it was stopped")
	default:
	}
	for range 2 {
		if err := run.Stop(); !errors.Is(err, context.Canceled) {
			t.Fatalf("Stop returned %v, want run's context.Canceled", err)
		}
	}
}

func TestDoneTellsThatRunEndedOnItsOwn(t *testing.T) {
	run := bottest.Start(t, func(context.Context) int { return 3 })
	<-run.Done()
	if code := run.Stop(); code != 3 {
		t.Fatalf("Stop returned %d, want 3", code)
	}
}

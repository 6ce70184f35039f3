package cards_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/cards"
	"github.com/unionhall/unionhall/bot/lanes"
)

func TestShutdownSendsWhatIsPendingAtOnceThenStops(t *testing.T) {
	e := editedOnce(t)
	e.update("poll:1", 2)
	posted := false
	e.lanes.Add("C2", func() { posted = true })
	if err := e.u.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.editor.bodies(); !slices.Equal(got, []string{"Yes: 1", "Yes: 2"}) || !posted {
		t.Errorf("edits %v (post sent: %v), want the pending state and the post sent without waiting", got, posted)
	}
	if n := e.clock.Timers(); n != 0 {
		t.Errorf("%d timers left after the shutdown", n)
	}
	e.updateLater("poll:1", 3)
	if n := len(e.editor.all()); n != 2 {
		t.Errorf("%d edits, want none after the shutdown", n)
	}
}

func TestDrainSendsWhatTheHandlersAnswerWhileStopping(t *testing.T) {
	e := editedOnce(t)
	e.u.Drain(bottest.WaitTimeout, func(context.Context) error {
		e.update("poll:1", 2) // a vote handled while the adapter stops
		return nil
	})
	if got := e.editor.bodies(); !slices.Equal(got, []string{"Yes: 1", "Yes: 2"}) {
		t.Errorf("edits %v, want the state the handler left sent at once", got)
	}
	e.updateLater("poll:1", 3)
	if n := len(e.editor.all()); n != 2 {
		t.Errorf("%d edits, want none after the drain", n)
	}
}

func TestDrainGivesUpOnHandlersAfterTheGrace(t *testing.T) {
	logs := &bottest.LogBuffer{}
	clock := bot.NewManualClock(start)
	u := cards.New(cards.Config{Platform: "slack", Editor: &fakeEditor{clock: clock}, Lanes: lanes.New(1), Clock: clock,
		Log: logs.Logger()})
	u.Drain(time.Millisecond, func(ctx context.Context) error {
		<-ctx.Done() // a handler that never finishes
		return ctx.Err()
	})
	if !strings.Contains(logs.String(), "stopped before every handler finished") || !strings.Contains(logs.String(), "platform=slack") {
		t.Errorf("the unfinished handler is not logged:\n%s", logs)
	}
}

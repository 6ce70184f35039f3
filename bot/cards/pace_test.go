package cards_test

import (
	"context"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/cards"
	"github.com/unionhall/unionhall/bot/lanes"
)

// TestAnEditThatWaitedForItsTurnCarriesTheNewestState holds an edit in
// its Pace wait while the card changes: when its turn comes it sends the
// state of that moment, not the one it was queued with, so no second edit
// is needed.
func TestAnEditThatWaitedForItsTurnCarriesTheNewestState(t *testing.T) {
	clock := bot.NewManualClock(start)
	editor := &fakeEditor{clock: clock}
	turn := make(chan struct{})
	waiting := make(chan cards.Message, 1)
	u := cards.New(cards.Config{
		Platform: "slack", Editor: editor, Lanes: lanes.New(4), Clock: clock, Log: bottest.DiscardLogger(),
		Pace: func(ctx context.Context, m cards.Message) error {
			waiting <- m
			select {
			case <-turn:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	})
	t.Cleanup(func() { u.Close(context.Background()) })
	u.Shown("poll:1", cards.Message{Channel: "C1", ID: "100"})
	u.Update(t.Context(), card("poll:1", 1))
	if m := <-waiting; m.Channel != "C1" || m.ID != "100" {
		t.Fatalf("Pace asked about %+v, want C1/100", m)
	}
	for i := 2; i <= 5; i++ {
		u.Update(t.Context(), card("poll:1", i))
	}
	close(turn)
	bottest.WaitFor(t, "the edit", func() bool { return len(editor.all()) == 1 })
	if got := editor.all()[0].body; got != "Yes: 5" {
		t.Errorf("the edit that waited sent %q, want the newest state, Yes: 5", got)
	}
}

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

// TestOnlyCardsThatChangeAreStored posts an answer card and a poll's card
// and clicks both: only the poll's location is stored, so the database
// does not keep a row for every answer.
func TestOnlyCardsThatChangeAreStored(t *testing.T) {
	store := bottest.NewCardLocations()
	e := newEnv(t, store)
	answer := bot.Card{Key: "faq:ratify:1", Title: "When is the vote?", Body: "On the 31st."}
	e.u.Posting(answer, cards.Message{Channel: "C1"}).Posted("1")
	e.u.Shown(answer.Key, cards.Message{Channel: "C1", ID: "1"})
	e.u.Posting(card("poll:1", 0), cards.Message{Channel: "C1"}).Posted("2")
	if err := e.u.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := store.Locations("slack", answer.Key); len(got) != 0 {
		t.Errorf("the answer's location was stored: %v", got)
	}
	if got := store.Locations("slack", "poll:1"); len(got) != 1 || got[0] != "C1/2" {
		t.Errorf("the poll's locations stored: %v, want [C1/2]", got)
	}
}

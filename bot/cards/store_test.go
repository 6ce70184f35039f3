package cards

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/lanes"
)

func TestLocationStore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), bottest.WaitTimeout)
	defer cancel()
	store := bottest.NewCardLocations()
	q := newLocationStore("slack", store, bottest.DiscardLogger())
	q.Save("poll:1", "C1/1")
	q.Save("poll:1", "C1/2")
	q.Forget("poll:1", "C1/1")
	q.Save("", "C1/3") // ignored: no key
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"save C1/1", "save C1/2", "forget C1/1"}; !slices.Equal(store.Ops(), want) {
		t.Fatalf("writes %v, want %v in order", store.Ops(), want)
	}
}

func TestLocationStoreFailuresAreLoggedNotReturned(t *testing.T) {
	var logs bottest.LogBuffer
	store := bottest.NewCardLocations()
	store.Fail(errors.New("disk full"))
	q := newLocationStore("discord", store, logs.Logger())
	q.Save("poll:2", "c/m")
	if err := q.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "disk full") {
		t.Fatalf("failure not logged: %q", logs.String())
	}
	// A nil queue (no store configured) does nothing.
	var none *locationStore
	none.Save("k", "l")
	none.Forget("k", "l")
	if err := none.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A store that cannot be read is logged; the update reaches the messages
// known in memory.
func TestAFailedStoreReadIsLoggedNotFatal(t *testing.T) {
	ctx := context.Background()
	store := bottest.NewCardLocations()
	var logs bottest.LogBuffer
	var edited []string
	out := lanes.New(1)
	u := New(Config{Platform: "discord", Lanes: out, Store: store, Log: logs.Logger(),
		Editor: EditorFunc(func(_ context.Context, m Message, c bot.Card) error {
			edited = append(edited, m.Location()+" "+c.Body)
			return nil
		})})
	defer u.Close(ctx)
	u.Shown("poll:2", Message{Channel: "C1", ID: "2"})
	store.Fail(errors.New("disk full"))
	u.Update(ctx, bot.Card{Key: "poll:2", Body: "Yes: 1"})
	if err := out.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"C1/2 Yes: 1"}; !slices.Equal(edited, want) {
		t.Errorf("edits %v, want %v: the message known in memory", edited, want)
	}
	if !strings.Contains(logs.String(), "could not read where a card is shown") || !strings.Contains(logs.String(), "disk full") {
		t.Errorf("failed read not logged: %q", logs.String())
	}
}

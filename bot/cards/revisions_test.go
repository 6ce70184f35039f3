package cards_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/cards"
)

// locations names the embedded store, whose field would otherwise hide
// its CardLocations method.
type locations = bottest.CardLocations

// sharedRevisions is a card location store shared with another process,
// which has shown revision other of every card.
type sharedRevisions struct {
	*locations
	mu    sync.Mutex
	other int64
	asked []int64
}

func (s *sharedRevisions) EditCardRevision(ctx context.Context, platform, key, location string, revision int64, edit func(context.Context) error) (bool, error) {
	s.mu.Lock()
	s.asked = append(s.asked, revision)
	skip := s.other > revision
	s.mu.Unlock()
	if skip {
		return false, nil
	}
	return true, edit(ctx)
}

// TestEditsOlderThanAnotherProcesssAreSkipped: with a store that keeps
// revisions, each edit goes through it with its card's revision, and one
// older than what another process has shown is not sent. An update older
// than the state already on its way is dropped.
func TestEditsOlderThanAnotherProcesssAreSkipped(t *testing.T) {
	store := &sharedRevisions{locations: bottest.NewCardLocations(), other: 5}
	e := newEnv(t, nil)
	e.u = cards.New(cards.Config{Platform: "slack", Editor: e.editor, Lanes: e.lanes, Clock: e.clock, Store: store, Log: bottest.DiscardLogger()})
	t.Cleanup(func() { e.u.Close(context.Background()) })
	e.show("poll:1", "C1", "1")
	rev := func(n int) bot.Card { c := card("poll:1", n); c.Revision = int64(n); return c }
	e.u.Update(context.Background(), rev(4))
	e.settle()
	if got := e.editor.all(); len(got) != 0 {
		t.Fatalf("revision 4 was shown over another process's 5: %v", e.editor.bodies())
	}
	e.clock.Advance(time.Minute)
	e.u.Update(context.Background(), rev(7))
	e.u.Update(context.Background(), rev(6))
	e.settle()
	if got := e.editor.bodies(); len(got) != 1 || got[0] != "Yes: 7" {
		t.Fatalf("edits %v, want revision 7 alone", got)
	}
	if store.asked[0] != 4 || store.asked[len(store.asked)-1] != 7 {
		t.Errorf("revisions asked of the store: %v", store.asked)
	}
}

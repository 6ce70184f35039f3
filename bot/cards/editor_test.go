package cards_test

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/cards"
)

// edit is one call to the fake editor.
type edit struct {
	at   cards.Message
	body string
	when time.Time
}

// fakeEditor records edits and fails them as told.
type fakeEditor struct {
	clock *bot.ManualClock
	mu    sync.Mutex
	edits []edit
	fails map[string][]error // by location: returned by its next edits, in order
	hold  chan struct{}
}

func (f *fakeEditor) Edit(ctx context.Context, at cards.Message, c bot.Card) error {
	if f.hold != nil {
		<-f.hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.edits = append(f.edits, edit{at: at, body: c.Body, when: f.clock.Now()})
	if fails := f.fails[at.Location()]; len(fails) > 0 {
		f.fails[at.Location()] = fails[1:]
		return fails[0]
	}
	return nil
}

// failNext makes the next edits of the message at loc fail with errs.
func (f *fakeEditor) failNext(loc string, errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails == nil {
		f.fails = map[string][]error{}
	}
	f.fails[loc] = append(f.fails[loc], errs...)
}

func (f *fakeEditor) all() []edit {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.edits)
}

func (f *fakeEditor) bodies() []string {
	var out []string
	for _, e := range f.all() {
		out = append(out, e.body)
	}
	return out
}

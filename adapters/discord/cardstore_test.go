package discord

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// memLocations is an in-memory bot.CardLocations shared by an adapter and
// its restart, as the database is.
type memLocations struct {
	mu   sync.Mutex
	locs map[string][]string // platform + " " + key → locations
	fail error
}

func newMemLocations() *memLocations { return &memLocations{locs: map[string][]string{}} }

func (m *memLocations) SaveCardLocation(_ context.Context, platform, key, location string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	k := platform + " " + key
	if !slices.Contains(m.locs[k], location) {
		m.locs[k] = append(m.locs[k], location)
	}
	return nil
}

func (m *memLocations) CardLocations(_ context.Context, platform, key string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	return slices.Clone(m.locs[platform+" "+key]), nil
}

func (m *memLocations) ForgetCardLocation(_ context.Context, platform, key, location string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	k := platform + " " + key
	m.locs[k] = slices.DeleteFunc(m.locs[k], func(l string) bool { return l == location })
	return nil
}

func (m *memLocations) get(key string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.locs[bot.PlatformDiscord+" "+key])
}

// waitStored waits until the store holds want for key.
func waitStored(t *testing.T, m *memLocations, key string, want []string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !slices.Equal(m.get(key), want) {
		if time.Now().After(deadline) {
			t.Fatalf("store holds %v for %s, want %v", m.get(key), key, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCardPostedBeforeRestartIsUpdatedWithoutAClick(t *testing.T) {
	t.Parallel()
	store := newMemLocations()
	h := start(t, func(o *Options, _ *harness) { o.CardLocations = store })
	card := h.openPoll("Strike?", "Yes | No")
	waitStored(t, store, "poll:1", []string{general + "/" + card.ID})
	in := h.f.click(alice, card, "/vote 1 1")
	h.waitAck(in)
	h.f.waitFor("the card edit", func() bool { return card.Edits > 0 })

	h.restart()
	if refs := h.a.cards.refs("poll:1"); len(refs) != 0 {
		t.Fatalf("a new adapter knows the card: %v", refs)
	}
	// The poll closes on schedule: its final card, without buttons,
	// replaces the original without anyone clicking it.
	var edits int
	h.f.with(func() { edits = card.Edits })
	closed := bot.Card{Key: "poll:1", Title: "Strike?", Body: "Closed. Final result:\n1. Yes: 1\n2. No: 0"}
	if err := h.ad.UpdateCard(context.Background(), closed); err != nil {
		t.Fatal(err)
	}
	h.f.waitFor("the final card", func() bool {
		return card.Edits > edits && strings.Contains(card.Embeds[0].Description, "Closed. Final result") && len(card.customIDs()) == 0
	})
	if got := store.get("poll:1"); len(got) != 1 {
		t.Errorf("store holds %v, want the one message", got)
	}

	// A message deleted meanwhile is forgotten in the store too.
	h.restart()
	h.f.with(func() { delete(h.f.messages, card.ID) })
	if err := h.ad.UpdateCard(context.Background(), closed); err != nil {
		t.Fatal(err)
	}
	waitStored(t, store, "poll:1", []string{})
}

func TestCardStoreFailuresNeverBlockDiscord(t *testing.T) {
	t.Parallel()
	store := newMemLocations()
	store.fail = errors.New("disk I/O error")
	h := start(t, func(o *Options, _ *harness) { o.CardLocations = store })
	card := h.openPoll("Strike?", "Yes | No")
	in := h.f.click(bob, card, "/vote 1 2")
	h.waitAck(in)
	h.f.waitFor("the card edit", func() bool { return card.Edits > 0 && strings.Contains(card.Embeds[0].Description, "No: 1") })
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(h.logs.String(), "could not store where a card is shown") || !strings.Contains(h.logs.String(), "could not read where a card is shown") {
		if time.Now().After(deadline) {
			t.Fatalf("store failures not logged:\n%s", h.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

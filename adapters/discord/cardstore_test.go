package discord

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// locations are the card locations stored for key on this platform.
func locations(m *bottest.CardLocations, key string) []string {
	return m.Locations(bot.PlatformDiscord, key)
}

// waitStored waits until the store holds want for key.
func waitStored(t *testing.T, m *bottest.CardLocations, key string, want []string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !slices.Equal(locations(m, key), want) {
		if time.Now().After(deadline) {
			t.Fatalf("store holds %v for %s, want %v", locations(m, key), key, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCardPostedBeforeRestartIsUpdatedWithoutAClick(t *testing.T) {
	t.Parallel()
	store := bottest.NewCardLocations()
	h := start(t, func(o *Options, _ *harness) { o.CardLocations = store })
	card := h.openPoll("Strike?", "Yes | No")
	waitStored(t, store, "poll:1", []string{general + "/" + card.ID})
	in := h.f.click(alice, card, "/vote 1 1")
	h.waitAck(in)
	h.f.waitFor("the card edit", func() bool { return card.Edits > 0 })

	h.restart()
	if refs := h.a.cards.Locations("poll:1"); len(refs) != 0 {
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
	if got := locations(store, "poll:1"); len(got) != 1 {
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
	store := bottest.NewCardLocations()
	store.Fail(errors.New("disk I/O error"))
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

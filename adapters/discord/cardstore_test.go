package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// waitStored waits until the store holds want for key.
func waitStored(t *testing.T, m *bottest.CardLocations, key string, want []string) {
	t.Helper()
	bottest.WaitFor(t, fmt.Sprintf("the store to hold %v for %s", want, key), func() bool {
		return slices.Equal(m.Locations(bot.PlatformDiscord, key), want)
	})
}

func TestCardPostedBeforeRestartIsUpdatedWithoutAClick(t *testing.T) {
	t.Parallel()
	store := bottest.NewCardLocations()
	h := start(t, func(o *Options, _ *harness) { o.CardLocations = store })
	card := h.openPoll("Strike?", "Yes | No")
	waitStored(t, store, "poll:1", []string{general + "/" + card.ID})
	h.f.WaitAck(h.f.Click(alice, card.ID, "/vote 1 1"))
	edits := h.waitCard(card.ID, "Yes: 1").Edits

	h.restart()
	if refs := h.a.cards.Locations("poll:1"); len(refs) != 0 {
		t.Fatalf("a new adapter knows the card: %v", refs)
	}
	// The poll closes on schedule: its final card, without buttons,
	// replaces the original without anyone clicking it.
	closed := bot.Card{Key: "poll:1", Title: "Strike?", Body: "Closed. Final result:\n1. Yes: 1\n2. No: 0"}
	if err := h.ad.UpdateCard(context.Background(), closed); err != nil {
		t.Fatal(err)
	}
	h.f.WaitMessage(card.ID, "the final card", func(m discordtest.Message) bool {
		return m.Edits > edits && strings.Contains(m.Embed().Description, "Closed. Final result") && len(m.CustomIDs()) == 0
	})
	if got := store.Locations(bot.PlatformDiscord, "poll:1"); len(got) != 1 {
		t.Errorf("store holds %v, want the one message", got)
	}

	// A message deleted meanwhile is forgotten in the store too.
	h.restart()
	h.f.DeleteMessage(card.ID)
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
	h.f.WaitAck(h.f.Click(bob, card.ID, "/vote 1 2"))
	h.waitCard(card.ID, "No: 1")
	bottest.WaitFor(t, "both store failures in the logs", func() bool {
		logs := h.logs.String()
		return strings.Contains(logs, "could not store where a card is shown") && strings.Contains(logs, "could not read where a card is shown")
	})
}

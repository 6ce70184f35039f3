package slack

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// locations are the card locations stored for key on this platform.
func locations(m *bottest.CardLocations, key string) []string {
	return m.Locations(bot.PlatformSlack, key)
}

// settle waits until a's queued posts, updates and store writes are done.
func settle(t *testing.T, a *Adapter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bottest.WaitTimeout)
	defer cancel()
	if err := a.out.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.cards.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

// unpaced makes a's card edits go out without waiting for the update
// interval. Call it before a posts or updates a card.
func unpaced(a *Adapter) { a.cards = a.newCardUpdater(-1) }

func hasButtons(c slacktest.Call) bool { return len(slacktest.Buttons(c.Blocks())) > 0 }

func TestCardPostedBeforeRestartIsUpdatedWithoutAClick(t *testing.T) {
	srv := slacktest.NewServer(t)
	store := bottest.NewCardLocations()
	withStore := func(o *Options) { o.CardLocations = store }
	ctx := context.Background()

	first := idleAdapter(t, srv, withStore)
	open := bot.Card{Key: "poll:1", Title: "Ratify?", Body: "Results are hidden until the poll closes.",
		Buttons: []bot.Button{{Label: "Yes", Action: "vote", Value: "1 1"}, {Label: "No", Action: "vote", Value: "1 2"}}, Poll: &bot.PollView{ID: "1"}}
	if err := first.Send(ctx, bot.Destination{Channel: "C1"}, bot.Reply{Card: &open}); err != nil {
		t.Fatal(err)
	}
	// Not stored: a card shown privately, and one below text (an update
	// after a restart could not restore the text).
	results := bot.Card{Key: "poll:1:results", Title: "Poll 1", Body: "hidden", Poll: &bot.PollView{ID: "poll:1:results"}}
	if err := first.Send(ctx, bot.Destination{Channel: "C1", User: "slack:U1"}, bot.Reply{Card: &results, Private: true}); err != nil {
		t.Fatal(err)
	}
	other := bot.Card{Key: "poll:2", Title: "Strike?", Body: "0 votes", Poll: &bot.PollView{ID: "poll:2"}}
	if err := first.Send(ctx, bot.Destination{Channel: "C1"}, bot.Reply{Text: "Poll 2 is open.", Card: &other}); err != nil {
		t.Fatal(err)
	}
	settle(t, first)
	posted := srv.Posts()[0].TS
	if got := locations(store, "poll:1"); !slices.Equal(got, []string{"C1/" + posted}) {
		t.Fatalf("stored %v, want C1/%s", got, posted)
	}
	if got := locations(store, "poll:1:results"); len(got) != 0 {
		t.Fatalf("a private card was stored: %v", got)
	}
	if got := locations(store, "poll:2"); len(got) != 0 {
		t.Fatalf("a card below text was stored: %v", got)
	}
	first.shutdown()

	// The restarted process has never seen the card; the poll closes on
	// schedule and its final card replaces the original.
	second := idleAdapter(t, srv, withStore)
	unpaced(second)
	closed := bot.Card{Key: "poll:1", Title: "Ratify?", Body: "Closed. Final result:\n1. Yes 3 (75%)\n2. No 1 (25%)", Poll: &bot.PollView{ID: "poll:1"}}
	if err := second.UpdateCard(ctx, closed); err != nil {
		t.Fatal(err)
	}
	settle(t, second)
	ups := srv.Updates()
	if len(ups) != 1 {
		t.Fatalf("%d chat.update calls, want 1", len(ups))
	}
	if up := ups[0]; up.Form.Get("channel") != "C1" || up.Form.Get("ts") != posted || !strings.Contains(up.Text(), "1. Yes 3 (75%)") || hasButtons(up) {
		t.Fatalf("update of %s/%s = %q (buttons: %v)", up.Form.Get("channel"), up.Form.Get("ts"), up.Text(), hasButtons(up))
	}
	// The store is read once per card; later updates use what was loaded.
	closed.Footer = "closed"
	second.UpdateCard(ctx, closed)
	second.UpdateCard(ctx, bot.Card{Key: "poll:7", Poll: &bot.PollView{ID: "poll:7"}})
	second.UpdateCard(ctx, bot.Card{Key: "poll:7", Poll: &bot.PollView{ID: "poll:7"}})
	settle(t, second)
	if n := store.Reads(); n != 2 {
		t.Errorf("%d store reads for two cards, want 2", n)
	}
	if n := len(srv.Updates()); n != 2 {
		t.Errorf("%d chat.update calls, want 2", n)
	}

	// A message deleted meanwhile is forgotten in the store too.
	third := idleAdapter(t, srv, withStore)
	unpaced(third)
	srv.FailNext("chat.update", 1, slacktest.Failure{Error: "message_not_found"})
	third.UpdateCard(ctx, closed)
	settle(t, third)
	if got := locations(store, "poll:1"); len(got) != 0 {
		t.Errorf("a deleted message is still stored: %v", got)
	}
}

func TestClickedCardIsStored(t *testing.T) {
	srv := slacktest.NewServer(t)
	store := bottest.NewCardLocations()
	tb := newTestBot()
	startAdapter(t, srv, tb, func(o *Options) { o.CardLocations = store }, nil)
	// A card-only message this process never posted.
	c := tb.cardLocked()
	blocks := blocksJSON(t, renderReply(bot.Reply{Card: &c})[0].blocks)
	srv.SendClick("c1", "U1", "C5", "1690000000.000009", blocks, voteButton(t, blocks, 1))
	bottest.WaitFor(t, "the stored location", func() bool { return len(locations(store, "poll:1")) == 1 })
	if got := locations(store, "poll:1"); got[0] != "C5/1690000000.000009" {
		t.Errorf("stored %v", got)
	}
}

func TestCardStoreFailuresNeverBlock(t *testing.T) {
	srv := slacktest.NewServer(t)
	log, logs := testLogger(t)
	store := bottest.NewCardLocations()
	store.Fail(errors.New("disk I/O error"))
	a := idleAdapter(t, srv, func(o *Options) { o.CardLocations = store; o.Log = log })
	unpaced(a)
	ctx := context.Background()
	c := bot.Card{Key: "poll:3", Title: "Q?", Body: "Yes: 0", Poll: &bot.PollView{ID: "poll:3"}}
	if err := a.Send(ctx, bot.Destination{Channel: "C1"}, bot.Reply{Card: &c}); err != nil {
		t.Fatalf("post failed with the store: %v", err)
	}
	c.Body = "Yes: 1"
	if err := a.UpdateCard(ctx, c); err != nil {
		t.Fatal(err)
	}
	settle(t, a)
	if ups := srv.Updates(); len(ups) != 1 || !strings.Contains(ups[0].Text(), "Yes: 1") {
		t.Fatalf("the card known in memory was not updated: %d updates", len(ups))
	}
	if !strings.Contains(logs.String(), "could not store where a card is shown") || !strings.Contains(logs.String(), "could not read where a card is shown") {
		t.Errorf("store failures not logged:\n%s", logs.String())
	}
}

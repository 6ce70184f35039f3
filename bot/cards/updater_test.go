package cards_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/cards"
	"github.com/unionhall/unionhall/bot/lanes"
)

var start = time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)

// env is an Updater over a fake editor, a manual clock and real lanes.
type env struct {
	t      *testing.T
	clock  *bot.ManualClock
	editor *fakeEditor
	lanes  *lanes.Group
	store  *bottest.CardLocations
	u      *cards.Updater
}

func newEnv(t *testing.T, store *bottest.CardLocations) *env {
	t.Helper()
	clock := bot.NewManualClock(start)
	e := &env{t: t, clock: clock, editor: &fakeEditor{clock: clock}, lanes: lanes.New(4), store: store}
	e.u = e.updater()
	return e
}

// updater returns a new Updater over e's editor, lanes, clock and store,
// as a restarted process would make.
func (e *env) updater() *cards.Updater {
	cfg := cards.Config{Platform: "slack", Editor: e.editor, Lanes: e.lanes, Clock: e.clock, Log: bottest.DiscardLogger()}
	if e.store != nil {
		cfg.Store = e.store
	}
	u := cards.New(cfg)
	e.t.Cleanup(func() { u.Close(context.Background()) })
	return u
}

// settle waits until the lanes are idle.
func (e *env) settle() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bottest.WaitTimeout)
	defer cancel()
	if err := e.lanes.Wait(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// waitsFor checks that the n edits made so far are all there are until d
// has passed on the clock, then lets d pass.
func (e *env) waitsFor(d time.Duration, n int, what string) {
	e.t.Helper()
	e.clock.Advance(d - time.Millisecond)
	e.settle()
	if got := len(e.editor.all()); got != n {
		e.t.Fatalf("%d edits before %s was over, want %d", got, what, n)
	}
	e.clock.Advance(time.Millisecond)
	e.settle()
}

// updateLater sets card key to state n a minute on, when any interval is
// long over, and waits for the edits.
func (e *env) updateLater(key string, n int) {
	e.clock.Advance(time.Minute)
	e.update(key, n)
	e.settle()
}

// show records that message channel/id shows card key, a poll's card,
// which changes.
func (e *env) show(key, channel, id string) {
	e.u.Changing(key)
	e.u.Shown(key, cards.Message{Channel: channel, ID: id})
}

// update sets card key to state n.
func (e *env) update(key string, n int) {
	e.u.Update(context.Background(), card(key, n))
}

// card is state n of a poll's card.
func card(key string, n int) bot.Card {
	return bot.Card{Key: key, Title: "Ratify?", Body: fmt.Sprintf("Yes: %d", n), Poll: &bot.PollView{ID: key}}
}

func TestThousandUpdatesInOneSecondMakeAtMostTwoEdits(t *testing.T) {
	e := newEnv(t, nil)
	e.show("poll:1", "C1", "100")
	for i := 1; i <= 1000; i++ {
		e.update("poll:1", i)
		e.clock.Advance(time.Millisecond)
	}
	e.settle()
	e.clock.Advance(time.Second) // the interval after the last edit
	e.settle()
	got := e.editor.all()
	if len(got) < 1 || len(got) > 2 {
		t.Fatalf("%d edits for 1,000 updates in a second, want 1 or 2: %v", len(got), e.editor.bodies())
	}
	if last := got[len(got)-1]; last.body != "Yes: 1000" || last.at.Location() != "C1/100" {
		t.Errorf("last edit shows %q at %s, want the last state at C1/100", last.body, last.at.Location())
	}
	for i := 1; i < len(got); i++ {
		if gap := got[i].when.Sub(got[i-1].when); gap < cards.DefaultInterval {
			t.Errorf("edits %s apart, want at least %s", gap, cards.DefaultInterval)
		}
	}
	// Nothing changed: nothing more is sent.
	e.clock.Advance(time.Minute)
	e.settle()
	if n := len(e.editor.all()); n != len(got) {
		t.Errorf("%d edits after the card stopped changing, want %d", n, len(got))
	}
}

// editedOnce returns an env with card poll:1 shown in C1/1 and edited
// once, to state 1, just now.
func editedOnce(t *testing.T) *env {
	e := newEnv(t, nil)
	e.show("poll:1", "C1", "1")
	e.update("poll:1", 1)
	e.settle()
	return e
}

func TestAnUpdateAfterAPauseGoesOutAtOnce(t *testing.T) {
	e := editedOnce(t)
	e.update("poll:1", 2)
	e.waitsFor(time.Second, 1, "the interval")
	e.clock.Advance(5 * time.Second)
	e.update("poll:1", 3)
	e.settle()
	if got := e.editor.bodies(); !slices.Equal(got, []string{"Yes: 1", "Yes: 2", "Yes: 3"}) {
		t.Errorf("edits %v", got)
	}
	// A card shown nowhere is not edited.
	e.update("poll:9", 1)
	e.settle()
	if n := len(e.editor.all()); n != 3 {
		t.Errorf("an unknown card was edited")
	}
}

func TestEditsKeepTheirChannelsOrder(t *testing.T) {
	e := newEnv(t, nil)
	var mu sync.Mutex
	var order []string
	note := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, s)
	}
	e.show("poll:1", "C1", "1")
	e.show("poll:2", "C1", "2")
	e.show("poll:3", "C2", "3")
	e.editor.hold = make(chan struct{})
	// A post already queued in C1 goes first; the edits of C1 follow in
	// the order they were asked for; C2 does not wait for C1.
	release := make(chan struct{})
	e.lanes.Add("C1", func() { <-release; note("post in C1") })
	e.update("poll:2", 1)
	e.update("poll:1", 1)
	e.update("poll:3", 1)
	e.lanes.Add("C1", func() { note("post in C1 after the edits") })
	close(e.editor.hold)
	bottest.WaitFor(t, "the edit in C2 while C1 waits", func() bool { return len(e.editor.all()) == 1 })
	if got := e.editor.all()[0].at.Channel; got != "C2" {
		t.Fatalf("first edit in %s, want C2", got)
	}
	close(release)
	e.settle()
	var c1 []string
	for _, ed := range e.editor.all() {
		if ed.at.Channel == "C1" {
			c1 = append(c1, ed.at.ID)
		}
	}
	if !slices.Equal(c1, []string{"2", "1"}) {
		t.Errorf("edits in C1 went to %v, want 2 then 1", c1)
	}
	if want := []string{"post in C1", "post in C1 after the edits"}; !slices.Equal(order, want) {
		t.Errorf("posts ran %v, want %v", order, want)
	}
}

func TestAFailedEditIsRetriedWithTheNewestState(t *testing.T) {
	e := newEnv(t, nil)
	e.show("poll:1", "C1", "1")
	e.editor.failNext("C1/1", errors.New("503 Service Unavailable"))
	e.update("poll:1", 1)
	e.settle()
	e.update("poll:1", 2) // during the back-off
	e.waitsFor(time.Second, 1, "the back-off")
	if got := e.editor.bodies(); !slices.Equal(got, []string{"Yes: 1", "Yes: 2"}) {
		t.Fatalf("edits %v, want the failed one then the newest state", got)
	}

	// A rate limit's wait is honoured.
	e.editor.failNext("C1/1", backoff.RetryAfter(errors.New("429"), 7*time.Second))
	e.updateLater("poll:1", 3)
	e.waitsFor(7*time.Second, 3, "the wait the rate limit asked for")
	if got := e.editor.bodies(); len(got) != 4 || got[3] != "Yes: 3" {
		t.Fatalf("edits %v, want the retry after the rate limit", got)
	}
}

func TestAnEditIsGivenUpAfterItsAttempts(t *testing.T) {
	e := newEnv(t, nil)
	e.u = cards.New(cards.Config{Editor: e.editor, Lanes: e.lanes, Clock: e.clock, Log: bottest.DiscardLogger(),
		Retry: backoff.Policy{Initial: time.Second, Factor: 1, Attempts: 3}})
	e.show("poll:1", "C1", "1")
	broken := errors.New("invalid_blocks")
	e.editor.failNext("C1/1", broken, broken, broken)
	e.update("poll:1", 1)
	for range 10 {
		e.settle()
		e.clock.Advance(time.Second)
	}
	if n := len(e.editor.all()); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
	// A failure that retrying cannot fix is given up at once.
	e.editor.failNext("C1/1", backoff.Stop(errors.New("invalid_blocks")))
	e.updateLater("poll:1", 9)
	e.clock.Advance(time.Minute)
	e.settle()
	if n := len(e.editor.all()); n != 4 {
		t.Fatalf("%d attempts, want a refused edit not retried", n)
	}
	// A newer state is tried afresh.
	e.editor.failNext("C1/1", broken)
	e.update("poll:1", 2)
	for range 3 {
		e.settle()
		e.clock.Advance(time.Second)
	}
	e.settle()
	if got := e.editor.bodies(); len(got) != 6 || got[5] != "Yes: 2" {
		t.Errorf("edits %v, want the new state tried (and retried once)", got)
	}
}

func TestGoneMessagesAreForgotten(t *testing.T) {
	store := bottest.NewCardLocations()
	e := newEnv(t, store)
	ctx := context.Background()
	e.show("poll:1", "C1", "deleted")
	e.show("poll:1", "C2", "no-access")
	e.show("poll:1", "C3", "fine")
	e.editor.failNext("C1/deleted", fmt.Errorf("404: %w", cards.ErrGone))
	e.editor.failNext("C2/no-access", fmt.Errorf("403: %w", cards.ErrUnreachable))
	e.update("poll:1", 1)
	e.settle()
	if got := e.u.Locations("poll:1"); !slices.Equal(got, []string{"C3/fine"}) {
		t.Fatalf("still known: %v, want only the message that could be edited", got)
	}
	e.updateLater("poll:1", 2)
	if n := len(e.editor.all()); n != 4 {
		t.Errorf("%d edits, want 3 and then 1 of the remaining message", n)
	}
	// The store forgets the deleted message; the one the bot lost access
	// to is tried again after a restart.
	if err := e.u.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := store.Locations("slack", "poll:1"); !slices.Equal(got, []string{"C2/no-access", "C3/fine"}) {
		t.Errorf("stored %v", got)
	}
}

func TestACardPostedBeforeARestartIsUpdatedAfterIt(t *testing.T) {
	store := bottest.NewCardLocations()
	e := newEnv(t, store)
	ctx := context.Background()
	post := e.u.Posting(card("poll:1", 0), cards.Message{Channel: "C1"})
	post.Card()
	post.Posted("1700.1")
	// Not stored: a message that needs more than the card to render.
	e.u.Shown("poll:1", cards.Message{Channel: "C1", ID: "1700.2", Extra: "text above the card"})
	if err := e.u.Close(ctx); err != nil {
		t.Fatal(err)
	}

	restarted := e.updater()
	final := bot.Card{Key: "poll:1", Title: "Ratify?", Body: "Closed. Final result: Yes 3"}
	restarted.Update(ctx, final)
	e.settle()
	got := e.editor.all()
	if len(got) != 1 || got[0].at.Location() != "C1/1700.1" || got[0].body != final.Body {
		t.Fatalf("edits after the restart: %+v, want the final card in C1/1700.1", got)
	}
	// The store is read once per card.
	e.clock.Advance(time.Minute)
	restarted.Update(ctx, final)
	restarted.Update(ctx, card("poll:2", 1))
	restarted.Update(ctx, card("poll:2", 2))
	e.settle()
	if n := store.Reads(); n != 2 {
		t.Errorf("%d store reads for two cards, want 2", n)
	}
}

func TestUpdatesMadeWhileACardIsPostedGoWithThePost(t *testing.T) {
	e := newEnv(t, nil)
	post := e.u.Posting(card("poll:1", 0), cards.Message{Channel: "C1"})
	e.update("poll:1", 1)
	if got := post.Card(); got.Body != "Yes: 1" {
		t.Fatalf("posting %q, want the newest state", got.Body)
	}
	e.update("poll:1", 2) // while the post is on its way
	post.Posted("1700.1")
	e.settle()
	if n := len(e.editor.all()); n != 0 {
		t.Fatalf("%d edits within the interval after the post", n)
	}
	e.clock.Advance(time.Second)
	e.settle()
	if got := e.editor.bodies(); !slices.Equal(got, []string{"Yes: 2"}) {
		t.Errorf("edits %v, want the state that came after the post", got)
	}

	// A failed post is forgotten; a card without a key is only posted.
	failed := e.u.Posting(card("poll:2", 0), cards.Message{Channel: "C1"})
	failed.Failed()
	e.update("poll:2", 1)
	keyless := e.u.Posting(bot.Card{Body: "plain"}, cards.Message{Channel: "C1"})
	keyless.Posted("1700.3")
	if got := keyless.Card(); got.Body != "plain" {
		t.Errorf("keyless card %q", got.Body)
	}
	e.settle()
	if n := len(e.editor.all()); n != 1 {
		t.Errorf("%d edits, want none for a failed post", n)
	}
}

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

// TestDrainSendsWhatTheHandlersAnswerWhileStopping checks that Drain waits
// for the handlers before it shuts down (see the Shutdown test for the
// rest): a vote handled while the adapter stops still shows on its card.
func TestDrainSendsWhatTheHandlersAnswerWhileStopping(t *testing.T) {
	e := editedOnce(t)
	err := e.u.Drain(bottest.WaitTimeout, func(context.Context) error {
		e.update("poll:1", 2)
		return nil
	})
	if got := e.editor.bodies(); err != nil || !slices.Equal(got, []string{"Yes: 1", "Yes: 2"}) {
		t.Errorf("Drain: %v, edits %v, want the state the handler left sent at once", err, got)
	}
}

func TestDrainGivesUpOnHandlersAfterTheGrace(t *testing.T) {
	e := editedOnce(t)
	err := e.u.Drain(time.Millisecond, func(ctx context.Context) error {
		<-ctx.Done() // a handler that never finishes
		return ctx.Err()
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Drain returned %v, want the handlers' deadline", err)
	}
}

func TestAMessageMovesToTheCardItIsClickedFor(t *testing.T) {
	store := bottest.NewCardLocations()
	e := newEnv(t, store)
	e.show("poll:1", "C1", "1")
	e.show("poll:1", "C1", "1") // known: nothing new
	e.show("poll:2", "C1", "1")
	if got := e.u.Locations("poll:1"); len(got) != 0 {
		t.Errorf("poll:1 still shown at %v", got)
	}
	if got := e.u.Locations("poll:2"); !slices.Equal(got, []string{"C1/1"}) {
		t.Errorf("poll:2 shown at %v", got)
	}
	if err := e.u.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"save C1/1", "forget C1/1", "save C1/1"}; !slices.Equal(store.Ops(), want) {
		t.Errorf("store writes %v, want %v", store.Ops(), want)
	}
}

func TestConcurrentUpdatesEachEndWithTheLastState(t *testing.T) {
	e := newEnv(t, bottest.NewCardLocations())
	const cardsN, writers, updates = 8, 8, 200
	for k := range cardsN {
		e.u.Shown(fmt.Sprintf("poll:%d", k), cards.Message{Channel: fmt.Sprintf("C%d", k%3), ID: fmt.Sprint(k)})
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range updates {
				k := (w + i) % cardsN
				e.update(fmt.Sprintf("poll:%d", k), i)
				if i%50 == 0 {
					e.u.Shown(fmt.Sprintf("poll:%d", k), cards.Message{Channel: "C9", ID: fmt.Sprintf("w%d-%d", w, i)})
				}
			}
		}()
	}
	for range 20 {
		e.clock.Advance(100 * time.Millisecond)
	}
	wg.Wait()
	// Every card ends with the same state everywhere it is shown.
	final := bot.Card{Title: "Ratify?", Body: "closed"}
	for k := range cardsN {
		final.Key = fmt.Sprintf("poll:%d", k)
		e.u.Update(context.Background(), final)
	}
	e.settle()
	e.clock.Advance(time.Second)
	e.settle()
	last := map[string]string{}
	for _, ed := range e.editor.all() {
		last[ed.at.Location()] = ed.body
	}
	shown := 0
	for k := range cardsN {
		for _, loc := range e.u.Locations(fmt.Sprintf("poll:%d", k)) {
			shown++
			if last[loc] != "closed" {
				t.Errorf("%s ends with %q, want the last state", loc, last[loc])
			}
		}
	}
	if shown != cardsN+writers*(updates/50) {
		t.Errorf("%d messages known, want %d", shown, cardsN+writers*(updates/50))
	}
}

// Concurrent first updates of a card after a restart read the store once
// and adopt its messages once.
func TestConcurrentFirstUpdatesReadTheStoreOnce(t *testing.T) {
	store := bottest.NewCardLocations()
	e := newEnv(t, store)
	e.show("poll:1", "C1", "1")
	if err := e.u.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.u = e.updater()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.update("poll:1", i)
		}()
	}
	wg.Wait()
	if n := store.Reads(); n != 1 {
		t.Errorf("%d store reads, want 1", n)
	}
	if got := e.u.Locations("poll:1"); !slices.Equal(got, []string{"C1/1"}) {
		t.Errorf("known at %v, want the stored message once", got)
	}
}

// TestACardAnotherProcessPostsIsFoundOnceItsLocationIsSaved updates a
// card before the process that posted it has saved where: the store has
// no location yet. Once the location is saved, the next update a moment
// later reaches the message, instead of the card being taken as shown
// nowhere until a restart.
func TestACardAnotherProcessPostsIsFoundOnceItsLocationIsSaved(t *testing.T) {
	store := bottest.NewCardLocations()
	e := newEnv(t, store)
	ctx := context.Background()
	e.update("poll:1", 1) // the other process has not saved the location yet
	e.settle()
	if got := e.editor.all(); len(got) != 0 {
		t.Fatalf("edits before any location is known: %+v", got)
	}

	other := e.updater() // the process that posts the card
	other.Changing("poll:1")
	post := other.Posting(card("poll:1", 0), cards.Message{Channel: "C1"})
	post.Card()
	post.Posted("1700.1")
	if err := other.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	e.update("poll:1", 2) // within the recheck: the empty answer still stands
	e.settle()
	reads := store.Reads()
	e.clock.Advance(2 * time.Second)
	e.update("poll:1", 3)
	e.settle()
	if store.Reads() != reads+1 {
		t.Errorf("store read %d times after the recheck, want once more", store.Reads()-reads)
	}
	got := e.editor.all()
	if len(got) == 0 || got[len(got)-1].at.Location() != "C1/1700.1" || got[len(got)-1].body != "Yes: 3" {
		t.Fatalf("edits: %+v, want the newest state in C1/1700.1", got)
	}
}

package cards_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/bot/cards"
)

func TestCoalescerFoldsABurstIntoOneMoreRun(t *testing.T) {
	var c cards.Coalescer[int64]
	var runs atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	first := make(chan bool)
	go func() {
		first <- c.Do(7, func() {
			if runs.Add(1) == 1 {
				close(entered)
				<-release
			}
		})
	}()
	<-entered
	// A burst of requests while the first run works: none runs itself.
	var wg sync.WaitGroup
	var ran atomic.Int32
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c.Do(7, func() { t.Error("a folded request ran") }) {
				ran.Add(1)
			}
		}()
	}
	wg.Wait()
	// Another key is not held up.
	if !c.Do(8, func() {}) {
		t.Error("another key waited")
	}
	close(release)
	if !<-first || ran.Load() != 0 {
		t.Fatalf("the first caller ran: %v; folded callers ran %d", true, ran.Load())
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("%d runs for a burst during the first, want 2", n)
	}
	// Once done, the next request runs at once.
	bottest.WaitFor(t, "the key to be free", func() bool { return c.Do(7, func() {}) })
}

func TestCoalescerRequestsDuringAReadAreServedByIt(t *testing.T) {
	var c cards.Coalescer[string]
	if !c.Request("k") || c.Request("k") {
		t.Fatal("the first request owns the run, the second folds into it")
	}
	c.Reading("k") // the run reads the state: the second request is served
	if c.Done("k") {
		t.Fatal("a request served by the read asked for another run")
	}
	if !c.Request("k") {
		t.Fatal("a finished run still counts as under way")
	}
	c.Request("k")
	if !c.Done("k") {
		t.Fatal("a request made after the read was lost")
	}
	c.Drop("k")
	if !c.Request("k") {
		t.Fatal("a dropped run still counts as under way")
	}
}

func TestCoalescerRecoversFromAPanickingRun(t *testing.T) {
	var c cards.Coalescer[int]
	func() {
		defer func() { recover() }()
		c.Do(1, func() { panic("boom") })
	}()
	if !c.Do(1, func() {}) {
		t.Error("a run that panicked still blocks its key")
	}
}

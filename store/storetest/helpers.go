package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot/bottest"
)

// quiet is the logger of the services under test whose logs no test
// reads.
var quiet = bottest.DiscardLogger()

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// start runs fn(0) to fn(n-1) at once, each on its own goroutine: all are
// released together, once every one has started. It returns a function
// that waits until all have returned.
func start(n int, fn func(i int)) (wait func()) {
	var started, done sync.WaitGroup
	gate := make(chan struct{})
	started.Add(n)
	for i := range n {
		done.Go(func() {
			started.Done()
			<-gate
			fn(i)
		})
	}
	started.Wait()
	close(gate)
	return done.Wait
}

// together runs fn(0) to fn(n-1) at once, as start does, and returns when
// all have.
func together(n int, fn func(i int)) { start(n, fn)() }

// trues counts the true values.
func trues(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// receive returns the next value from ch, failing the test if none comes
// within bottest.WaitTimeout; what names the value for the failure.
func receive[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(bottest.WaitTimeout):
		t.Fatalf("no %s after %s", what, bottest.WaitTimeout)
		var none T
		return none
	}
}

package bottest

import (
	"context"
	"testing"
	"time"
)

// Running is a function that a test runs in its own goroutine until the
// test stops it: an adapter's or a feature's Run, or the whole program.
type Running[T any] struct {
	t      testing.TB
	cancel context.CancelFunc
	done   chan struct{}
	result T
}

// Start runs run in its own goroutine, with a context that Stop cancels.
// The test stops it as it ends, at the latest, so that nothing run started
// outlives the test (call Start after t.TempDir for the directories run
// uses, so that they are removed after it stopped).
func Start[T any](t testing.TB, run func(context.Context) T) *Running[T] {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running[T]{t: t, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.result = run(ctx)
	}()
	t.Cleanup(func() { r.Stop() })
	return r
}

// Done is closed once run has returned, on its own or after Stop.
func (r *Running[T]) Done() <-chan struct{} { return r.done }

// Stop cancels run's context, waits for run to return and returns what it
// returned. It fails the test if run has not returned within WaitTimeout.
// Calling it again returns the same.
func (r *Running[T]) Stop() T {
	r.t.Helper()
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(WaitTimeout):
		r.t.Fatalf("still running %s after its context ended", WaitTimeout)
	}
	return r.result
}

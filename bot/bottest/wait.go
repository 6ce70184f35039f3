package bottest

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// WaitTimeout bounds WaitFor. It is generous on purpose: it only ends a
// test that would otherwise hang, so a loaded CI machine never trips it
// while the code under test is merely slow.
const WaitTimeout = 30 * time.Second

// waitStep is how long WaitFor pauses between checks of its condition.
const waitStep = 2 * time.Millisecond

// WaitFor checks cond until it holds and fails the test, naming what it
// waited for, if it does not hold within WaitTimeout. Tests use it for
// results of goroutines they do not own (a background write, a message a
// server received), instead of sleeping for a guessed time.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", WaitTimeout, what)
		}
		time.Sleep(waitStep)
	}
}

// DiscardLogger returns a logger that writes nowhere, for code under test
// whose logs the test does not read.
func DiscardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"sync"
	"testing"
)

// runner stands in for a test's testing.TB so that the platform fakes,
// made for tests, serve a whole scripted day: their complaints are
// printed and counted, and their cleanups run when the day ends.
type runner struct {
	testing.TB // not used: every method the fakes call is defined here

	mu       sync.Mutex
	failures []string
	cleanups []func()
}

func (r *runner) Helper()      {}
func (r *runner) Name() string { return "ratificationday" }

func (r *runner) Context() context.Context { return context.Background() }

func (r *runner) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *runner) Logf(format string, args ...any) { log.Printf(format, args...) }
func (r *runner) Log(args ...any)                 { log.Print(args...) }

func (r *runner) Errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	log.Print("fake platform: " + msg)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, msg)
}

func (r *runner) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *runner) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.close()
	os.Exit(1)
}

func (r *runner) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

func (r *runner) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.failures) > 0
}

// close runs the cleanups, last first.
func (r *runner) close() {
	r.mu.Lock()
	cs := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/unionhall/unionhall/bot"
)

// database is one test's fresh database, which the test may open several
// times, one after the other (restarts) or at once (replicas).
type database struct {
	t     testing.TB
	e     Engine
	addr  string
	clock *bot.ManualClock
}

func fresh(t testing.TB, e Engine, clock *bot.ManualClock) *database {
	t.Helper()
	return &database{t: t, e: e, addr: e.Fresh(t), clock: clock}
}

// open opens a handle on the database, closed when the test ends (or
// earlier by its Close).
func (d *database) open() *Stores {
	d.t.Helper()
	s, err := d.e.Open(context.Background(), d.addr, d.clock)
	if err != nil {
		d.t.Fatalf("open %s: %v", d.addr, err)
	}
	var once sync.Once
	var closeErr error
	closeDB := s.Close
	s.Close = func() error {
		once.Do(func() { closeErr = closeDB() })
		return closeErr
	}
	d.t.Cleanup(func() { s.Close() })
	return s
}

// openN opens n handles on the database, as n processes would.
func (d *database) openN(n int) []*Stores {
	d.t.Helper()
	out := make([]*Stores, n)
	for i := range out {
		out[i] = d.open()
	}
	return out
}

// closeStores closes a handle, as a stopping process does.
func closeStores(t testing.TB, s *Stores) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

package discord

import (
	"context"
	"sync"
	"time"
)

// group counts events in progress and refuses new ones once closed.
type group struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{}
}

func (g *group) add() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.n++
	return true
}

func (g *group) done() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n--
	if g.closed && g.n == 0 && g.idle != nil {
		close(g.idle)
		g.idle = nil
	}
}

func (g *group) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		g.closed = true
		g.idle = make(chan struct{})
		if g.n == 0 {
			close(g.idle)
			g.idle = nil
		}
	}
}

// wait returns when every event has finished, or ctx's error.
func (g *group) wait(ctx context.Context) error {
	g.mu.Lock()
	idle := g.idle
	g.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Acknowledgements go first under a burst of button clicks.
const (
	// ackPriorityWait bounds how long work for the core waits for a burst
	// of acknowledgements to finish.
	ackPriorityWait = 2 * time.Second
	// ackQuiet is how long the click stream must be quiet, with nothing
	// left to acknowledge, for a burst to count as over. It is long enough
	// to outlast the pauses the operating system imposes on a busy
	// machine.
	ackQuiet = 100 * time.Millisecond
)

// ackGate lets acknowledgements go first. While button clicks are arriving
// and being acknowledged, work for the core (recording votes, replies,
// card edits) waits, at most ackPriorityWait, so reading the gateway and
// meeting Discord's three-second deadline get the CPU before anything
// that can wait.
type ackGate struct {
	mu      sync.Mutex
	pending int
	last    time.Time
	closed  chan struct{} // non-nil during a burst; closed when it ends
	timer   *time.Timer
}

// begin notes a click to acknowledge. Two clicks awaiting acknowledgement
// at once mark a burst, which closes the gate; a lone click never waits.
func (g *ackGate) begin() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending++
	g.last = time.Now()
	if g.closed == nil && g.pending >= 2 {
		g.closed = make(chan struct{})
	}
}

// end notes that a click was acknowledged (or could not be).
func (g *ackGate) end() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending--
	if g.pending == 0 && g.closed != nil {
		if g.timer == nil {
			g.timer = time.AfterFunc(ackQuiet, g.check)
		} else {
			g.timer.Reset(ackQuiet)
		}
	}
}

// check opens the gate once nothing is pending and the stream has been
// quiet for ackQuiet.
func (g *ackGate) check() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed == nil || g.pending > 0 {
		return
	}
	if wait := time.Until(g.last.Add(ackQuiet)); wait > 0 {
		g.timer.Reset(wait)
		return
	}
	close(g.closed)
	g.closed = nil
}

// wait returns when no burst is being acknowledged, after max, or when ctx
// ends.
func (g *ackGate) wait(ctx context.Context, max time.Duration) {
	g.mu.Lock()
	closed := g.closed
	g.mu.Unlock()
	if closed == nil {
		return
	}
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-closed:
	case <-t.C:
	case <-ctx.Done():
	}
}

// Package lanes keeps a chat platform's outgoing messages in order per
// channel without letting one busy channel hold up the others.
//
// Both adapters send through a Group whose lanes are their channels:
// posts, replies and card edits for one channel go out one at a time, in
// the order they were queued, while other channels go on. A rate-limit
// wait inside one job therefore delays only its own channel. The Slack
// adapter also runs its handlers on a Group, one lane per channel, so
// that a channel's messages are handled in the order they arrived.
//
// The package imports only the standard library.
package lanes

import (
	"context"
	"fmt"
	"sync"
)

// Group runs jobs one at a time per lane, in the order they were added,
// while different lanes run concurrently, at most a set number at once.
// Adding a job never blocks. The zero value is not usable; call New.
type Group struct {
	// OnPanic, when set, is told about a job that panicked; its lane
	// goes on with the next job. Set it before adding jobs.
	OnPanic func(p any)

	sem chan struct{} // one slot per job running; nil when unlimited

	mu      sync.Mutex
	queues  map[string][]func()
	pending int           // jobs added and not yet finished
	idle    chan struct{} // closed when pending drops to zero; nil if no one waits
}

// New returns a Group that runs at most limit jobs at once across its
// lanes, or any number when limit is zero or less.
func New(limit int) *Group {
	g := &Group{queues: map[string][]func(){}}
	if limit > 0 {
		g.sem = make(chan struct{}, limit)
	}
	return g
}

// Add queues job on the lane, after every job queued there before.
func (g *Group) Add(lane string, job func()) {
	g.mu.Lock()
	g.pending++
	q, running := g.queues[lane]
	g.queues[lane] = append(q, job)
	g.mu.Unlock()
	if !running {
		go g.drain(lane)
	}
}

// Queued returns how many jobs wait on the lane, not counting the one
// running. Callers use it to bound a lane that could grow without limit.
func (g *Group) Queued(lane string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queues[lane])
}

// Pending returns how many jobs the Group holds across its lanes, waiting
// or running: its backlog, which operators watch.
func (g *Group) Pending() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pending
}

// Do runs job on the lane, in its turn, and returns its error. A job whose
// turn comes after ctx has ended is skipped; Do returns as soon as ctx
// ends, even while the job waits or runs.
func (g *Group) Do(ctx context.Context, lane string, job func(ctx context.Context) error) error {
	done := make(chan error, 1)
	g.Add(lane, func() {
		if err := ctx.Err(); err != nil {
			done <- err
			return
		}
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v", p)
				panic(p) // for OnPanic
			}
		}()
		done <- job(ctx)
	})
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain runs the lane's jobs until it is empty, then retires the lane.
func (g *Group) drain(lane string) {
	for {
		g.mu.Lock()
		q := g.queues[lane]
		if len(q) == 0 {
			delete(g.queues, lane)
			g.mu.Unlock()
			return
		}
		job := q[0]
		q[0] = nil
		g.queues[lane] = q[1:]
		g.mu.Unlock()
		g.run(job)
	}
}

// run runs one job in a slot, recovering a panic.
func (g *Group) run(job func()) {
	if g.sem != nil {
		g.sem <- struct{}{}
	}
	defer func() {
		if p := recover(); p != nil && g.OnPanic != nil {
			g.OnPanic(p)
		}
		if g.sem != nil {
			<-g.sem
		}
		g.mu.Lock()
		g.pending--
		if g.pending == 0 && g.idle != nil {
			close(g.idle)
			g.idle = nil
		}
		g.mu.Unlock()
	}()
	job()
}

// Wait returns once no job is queued or running (jobs added meanwhile
// included), or with ctx's error when ctx ends first.
func (g *Group) Wait(ctx context.Context) error {
	g.mu.Lock()
	if g.pending == 0 {
		g.mu.Unlock()
		return nil
	}
	if g.idle == nil {
		g.idle = make(chan struct{})
	}
	idle := g.idle
	g.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

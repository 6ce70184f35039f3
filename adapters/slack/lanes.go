package slack

import (
	"context"
	"sync"
)

// lanes runs jobs one at a time per key, in the order they were added,
// while different keys run concurrently, at most limit at a time. Adding a
// job never blocks. It is how the adapter keeps a channel's replies (and a
// channel's handlers) in order without one busy channel holding up the
// others.
type lanes struct {
	// onPanic, when set, is told about a job that panicked; the lane goes
	// on with its next job.
	onPanic func(p any)

	mu      sync.Mutex
	queues  map[string][]func()
	sem     chan struct{}
	pending sync.WaitGroup
}

// newLanes returns lanes running at most limit jobs at once.
func newLanes(limit int) *lanes {
	return &lanes{queues: map[string][]func(){}, sem: make(chan struct{}, max(limit, 1))}
}

// add queues job on the lane named key.
func (l *lanes) add(key string, job func()) {
	l.pending.Add(1)
	l.mu.Lock()
	q, running := l.queues[key]
	l.queues[key] = append(q, job)
	l.mu.Unlock()
	if !running {
		go l.drain(key)
	}
}

// drain runs the lane's jobs until it is empty, then retires the lane.
func (l *lanes) drain(key string) {
	for {
		l.mu.Lock()
		q := l.queues[key]
		if len(q) == 0 {
			delete(l.queues, key)
			l.mu.Unlock()
			return
		}
		job := q[0]
		q[0] = nil
		l.queues[key] = q[1:]
		l.mu.Unlock()

		l.sem <- struct{}{}
		func() {
			defer func() {
				if p := recover(); p != nil && l.onPanic != nil {
					l.onPanic(p)
				}
				<-l.sem
				l.pending.Done()
			}()
			job()
		}()
	}
}

// wait blocks until every job added so far has run, or ctx ends.
func (l *lanes) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { l.pending.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

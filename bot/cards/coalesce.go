package cards

import "sync"

// Coalescer folds the requests for a key that arrive while work for that
// key is under way into one more run of the work, started once the run
// under way ends. A burst of requests thus costs at most two runs, and the
// last request is always served: the run after it reads the state it asked
// to show. The polls feature coalesces the reading of a poll's tally with
// it, and the Updater each message's edits. The zero value is ready to
// use; it is safe for concurrent use.
type Coalescer[K comparable] struct {
	mu sync.Mutex
	// runs holds a key while a run for it is under way; the value is
	// true when a request came in since the run last read its state.
	runs map[K]bool
}

// Request asks for a run for k. It reports true when none is under way:
// the caller then owns the new run and ends it with Done (or Drop).
// Otherwise the run under way is asked to run once more.
func (c *Coalescer[K]) Request(k K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.runs[k]; ok {
		c.runs[k] = true
		return false
	}
	if c.runs == nil {
		c.runs = map[K]bool{}
	}
	c.runs[k] = false
	return true
}

// Reading tells that the run for k is reading the state it will show:
// every request made before now is served by it.
func (c *Coalescer[K]) Reading(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.runs[k]; ok {
		c.runs[k] = false
	}
}

// Done ends the run for k, unless a request came in since it last read
// its state: then it reports true, and the run goes on (Reading again).
func (c *Coalescer[K]) Done(k K) (again bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs[k] {
		c.runs[k] = false
		return true
	}
	delete(c.runs, k)
	return false
}

// Drop ends the run for k, if any, whatever was requested since.
func (c *Coalescer[K]) Drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.runs, k)
}

// Do runs fn for k in the caller's goroutine, unless a run for k is under
// way (the request is then folded into it), and runs it again for as long
// as requests arrive while it runs. It reports whether it ran fn.
func (c *Coalescer[K]) Do(k K, fn func()) bool {
	if !c.Request(k) {
		return false
	}
	defer func() {
		if p := recover(); p != nil {
			c.Drop(k) // a later request starts afresh
			panic(p)
		}
	}()
	for {
		c.Reading(k)
		fn()
		if !c.Done(k) {
			return true
		}
	}
}

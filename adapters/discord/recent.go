package discord

import "sync"

// recentInteractions is how many interaction IDs the adapter remembers.
// Discord does not redeliver an interaction, but a gateway session that
// resumes replays the events it is not sure were received, and an
// interaction is answered once: a repeat must not count a vote twice or
// post a second reply. A ratification day's busiest minute brings about
// a thousand clicks; a replay comes within seconds of the resume.
const recentInteractions = 4096

// recentIDs remembers the last IDs it was given, at most a fixed number,
// forgetting the oldest first, so that a repeat of a recent one is
// handled once. Its memory is bounded whatever the traffic. The zero
// value is ready; it is safe for concurrent use.
type recentIDs struct {
	mu   sync.Mutex
	set  map[string]struct{}
	ring []string // the IDs in set, oldest at next once full
	next int
}

// first records id and reports whether it is not among the recent ones.
// An empty id is always first: nothing can be told apart without an ID,
// and dropping it could lose a member's click.
func (r *recentIDs) first(id string) bool {
	if id == "" {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.set[id]; seen {
		return false
	}
	if r.set == nil {
		r.set = make(map[string]struct{}, recentInteractions)
	}
	if len(r.ring) < recentInteractions {
		r.ring = append(r.ring, id)
	} else {
		delete(r.set, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % recentInteractions
	}
	r.set[id] = struct{}{}
	return true
}

package pace

import (
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// Held follows the public answers queued in each channel, in the order
// they were queued, for two reasons:
//
//   - A member's later answer may go privately only when none of their
//     earlier ones is still waiting in that channel, so that one member's
//     answers arrive in order (Waiting).
//   - An answer queued when the channel looked quick can be held up
//     afterwards: a 429 pauses the channel for its Retry-After, or the
//     channel's queue waits on anything else. Once such an answer would
//     be sent later than BusyAfter after it was queued, it goes privately
//     at once, as a new answer would (Late).
//
// It is safe for concurrent use, and forgets a channel once none of its
// answers is queued.
type Held struct {
	clock bot.Clock

	mu     sync.Mutex
	queues map[string][]*Hold // channel → answers queued there, oldest first
}

// NewHeld returns an empty Held reading time from clock.
func NewHeld(clock bot.Clock) *Held {
	return &Held{clock: clock, queues: map[string][]*Hold{}}
}

// holdState is where one held answer stands.
type holdState int

const (
	holdQueued   holdState = iota // waiting its turn; Late may divert it
	holdSending                   // being posted in the channel; not diverted
	holdShown                     // partly posted in the channel; stays there
	holdDone                      // posted in the channel, or given up
	holdDiverted                  // sent privately instead
)

// Hold is one public answer queued in a channel, from when it is queued
// until it is posted there (Done) or goes privately instead.
type Hold struct {
	held     *Held
	channel  string
	member   string
	deadline time.Time // queued + BusyAfter
	divert   func()    // nil when the answer must stay in the channel
	state    holdState // guarded by held.mu
}

// Hold records a public answer to member queued in channel now, for a
// question asked at asked (see Left). divert, when not nil, sends the
// answer privately instead; Late calls it at most once, without holding
// any lock. A nil divert marks an answer that must stay in the channel (a
// poll, a file): it still keeps the member's later answers behind it.
func (h *Held) Hold(channel, member string, asked time.Time, divert func()) *Hold {
	x := &Hold{held: h, channel: channel, member: member, deadline: h.clock.Now().Add(h.Left(asked)), divert: divert}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.queues[channel] = append(h.queues[channel], x)
	return x
}

// Left returns how long an answer to a question asked at asked may still
// wait in its channel before it goes privately: BusyAfter less the time
// since the member asked, none less than zero. A question that reached
// the bot late (its connection was down, and the platform replayed it on
// resuming) has that much less time left. The zero time, or a time after
// now (another clock), counts as now.
func (h *Held) Left(asked time.Time) time.Duration {
	now := h.clock.Now()
	if asked.IsZero() || asked.After(now) {
		return BusyAfter
	}
	return max(BusyAfter-now.Sub(asked), 0)
}

// Waiting reports whether member has a public answer still queued (or
// being posted) in channel.
func (h *Held) Waiting(channel, member string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, x := range h.queues[channel] {
		if x.member == member {
			return true
		}
	}
	return false
}

// Late is told when the answers queued in channel would now be posted:
// at(k) is when the k-th of those that stay in the channel (0 for the
// oldest) would go. Every answer there that would then be posted after
// its deadline goes privately at once, oldest first, unless an earlier
// answer of the same member stays in the channel. at is called with
// h's lock held, and must not call h.
func (h *Held) Late(channel string, at func(k int) time.Time) {
	var diverts []func()
	h.mu.Lock()
	kept := map[string]bool{}
	q := h.queues[channel][:0]
	for _, x := range h.queues[channel] {
		if x.state == holdQueued && x.divert != nil && !kept[x.member] && at(len(q)).After(x.deadline) {
			x.state = holdDiverted
			diverts = append(diverts, x.divert)
			continue
		}
		kept[x.member] = true
		q = append(q, x)
	}
	h.setLocked(channel, q)
	h.mu.Unlock()
	for _, divert := range diverts {
		divert()
	}
}

// Behind returns, for Late, when the k-th answer queued on key in b would
// be posted once the queue has waited wait from now: after the wait, at
// b's pace. With reserved, wait is that of the next post itself, which
// has taken its turn in b already.
func Behind(b *Budget, key string, wait time.Duration, reserved bool) func(k int) time.Time {
	now := b.clock.Now()
	return func(k int) time.Time {
		if reserved {
			if k == 0 {
				return now.Add(wait)
			}
			k--
		}
		return now.Add(max(wait, b.Delay(key, k)))
	}
}

// Channels returns how many channels have answers queued; tests check
// that it goes back to zero.
func (h *Held) Channels() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.queues)
}

// setLocked stores channel's queue, forgetting the channel when it is
// empty. h.mu must be held.
func (h *Held) setLocked(channel string, q []*Hold) {
	if len(q) == 0 {
		delete(h.queues, channel)
		return
	}
	h.queues[channel] = q
}

// Sending claims the answer for the channel, just before it is posted
// there. It reports false when the answer has gone privately instead, and
// must not be posted. Until Retry or Done, Late leaves it alone.
func (x *Hold) Sending() bool {
	if x == nil {
		return true
	}
	x.held.mu.Lock()
	defer x.held.mu.Unlock()
	switch x.state {
	case holdDiverted:
		return false
	case holdQueued:
		x.state = holdSending
	}
	return true
}

// Retry puts back in the queue an answer whose post was refused (a 429)
// before any of it was shown, so that Late may still send it privately
// while it waits to try again.
func (x *Hold) Retry() {
	if x == nil {
		return
	}
	x.held.mu.Lock()
	defer x.held.mu.Unlock()
	if x.state == holdSending {
		x.state = holdQueued
	}
}

// Shown records that part of the answer (the first of its messages) is
// posted in the channel: from now on it stays there, even when a later
// part is refused.
func (x *Hold) Shown() {
	if x == nil {
		return
	}
	x.held.mu.Lock()
	defer x.held.mu.Unlock()
	if x.state == holdSending {
		x.state = holdShown
	}
}

// Diverted reports whether the answer went privately instead.
func (x *Hold) Diverted() bool {
	if x == nil {
		return false
	}
	x.held.mu.Lock()
	defer x.held.mu.Unlock()
	return x.state == holdDiverted
}

// Done ends the answer's wait in the channel: it was posted there, or
// given up. It reports false when the answer went privately instead.
func (x *Hold) Done() bool {
	if x == nil {
		return true
	}
	h := x.held
	h.mu.Lock()
	defer h.mu.Unlock()
	if x.state == holdDiverted {
		return false
	}
	x.state = holdDone
	q := h.queues[x.channel][:0]
	for _, y := range h.queues[x.channel] {
		if y != x {
			q = append(q, y)
		}
	}
	h.setLocked(x.channel, q)
	return true
}

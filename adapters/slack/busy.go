package slack

import (
	"sync"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/pace"
)

// memberPosts counts, per member and channel, the public replies queued
// and not yet sent. A member's later answer goes privately only when none
// of their earlier ones is still waiting, so one member's answers arrive
// in order.
type memberPosts struct {
	mu sync.Mutex
	n  map[string]int // privateLane(channel, user) → replies queued
}

func (p *memberPosts) add(key string, d int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n == nil {
		p.n = map[string]int{}
	}
	if p.n[key] += d; p.n[key] <= 0 {
		delete(p.n, key)
	}
}

func (p *memberPosts) waiting(key string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n[key] > 0
}

// mayGoPrivate reports whether r, a public reply for dest, may be shown
// to its member alone when the channel is busy: an answer to one member,
// in a channel, that pace.MayAnswerPrivately.
func mayGoPrivate(dest destination, r bot.Reply) bool {
	return dest.user != "" && dest.channel != "" && !dest.dm && pace.MayAnswerPrivately(r)
}

// busy reports whether a public reply for dest should go privately: the
// posts queued in its channel would hold it longer than pace.BusyAfter, and
// the member has no earlier reply still waiting there.
func (a *Adapter) busy(dest destination, r bot.Reply) bool {
	if !mayGoPrivate(dest, r) || a.memberPosts.waiting(privateLane(dest.channel, dest.user)) {
		return false
	}
	return a.pacer.postDelay(dest.channel, a.out.Queued(dest.channel)) > pace.BusyAfter
}

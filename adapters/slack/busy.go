package slack

import (
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// busyAfter is the longest a member's answer may wait behind a channel's
// queue of posts before it is shown to them privately instead. The wait
// is estimated from Slack's posting limit (one per second per channel,
// after a short burst) and the posts queued in the channel, so in a
// channel where more than about three answers are waiting, the next goes
// privately.
const busyAfter = 3 * time.Second

// busyNote heads an answer sent privately because the channel was busy.
const busyNote = "The channel is busy, so here is your answer privately."

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
// in a channel, without a poll (which everyone must see to vote) or a
// file.
func mayGoPrivate(dest destination, r bot.Reply) bool {
	return dest.user != "" && dest.channel != "" && !dest.dm && r.File == nil && (r.Card == nil || r.Card.Poll == nil)
}

// busy reports whether a public reply for dest should go privately: the
// posts queued in its channel would hold it longer than busyAfter, and
// the member has no earlier reply still waiting there.
func (a *Adapter) busy(dest destination, r bot.Reply) bool {
	if !mayGoPrivate(dest, r) || a.memberPosts.waiting(privateLane(dest.channel, dest.user)) {
		return false
	}
	return a.pacer.postDelay(dest.channel, a.out.Queued(dest.channel)) > busyAfter
}

// privately is r shown to its member alone, saying why.
func privately(r bot.Reply) bot.Reply {
	r.Private = true
	if r.Text == "" {
		r.Text = busyNote
	} else {
		r.Text = busyNote + "\n\n" + r.Text
	}
	return r
}

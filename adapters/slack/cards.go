package slack

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/unionhall/unionhall/bot"
)

// Bounds of the card registry.
const (
	maxCardKeys    = 10000 // cards remembered; the least recently used is forgotten first
	maxRefsPerKey  = 20    // messages remembered per card; the oldest is forgotten first
	maxUpdateFails = 3     // failed updates in a row before a message is given up on
)

// cardRef is one posted (or about to be posted) message that shows a
// card, with the state needed to coalesce its updates.
type cardRef struct {
	key     string
	channel string
	ts      string // empty until the message is posted
	prefix  []slack.Block

	card     bot.Card  // the latest state
	dirty    bool      // card changed since it was last sent
	queued   bool      // a post or update is queued or in flight
	armed    bool      // a timer will queue an update
	lastSent time.Time // when the last post or update started
	fails    int
	gone     bool // forgotten: deleted message, or given up on
}

// cardRegistry maps card Keys to the messages that show them.
type cardRegistry struct {
	mu    sync.Mutex
	byKey map[string][]*cardRef
	byMsg map[string]*cardRef // channel + "/" + ts
	used  map[string]uint64   // key → last use, for eviction
	tick  uint64
	// loaded are the keys whose stored locations (Options.CardLocations)
	// have been read into the registry; an evicted key is read again.
	loaded map[string]bool
}

func newCardRegistry() *cardRegistry {
	return &cardRegistry{byKey: map[string][]*cardRef{}, byMsg: map[string]*cardRef{}, used: map[string]uint64{}, loaded: map[string]bool{}}
}

// msgKey names one message; it is also the location stored for it in
// Options.CardLocations.
func msgKey(channel, ts string) string { return channel + "/" + ts }

// parseMsgKey splits a stored location into channel and timestamp.
func parseMsgKey(loc string) (channel, ts string, ok bool) {
	channel, ts, ok = strings.Cut(loc, "/")
	return channel, ts, ok && channel != "" && ts != "" && !strings.Contains(ts, "/")
}

// addLocked files ref under its key, evicting old entries past the bounds.
func (r *cardRegistry) addLocked(ref *cardRef) {
	if _, ok := r.byKey[ref.key]; !ok && len(r.byKey) >= maxCardKeys {
		r.evictLocked()
	}
	refs := append(r.byKey[ref.key], ref)
	if len(refs) > maxRefsPerKey {
		r.forgetLocked(refs[0])
		refs = refs[1:]
	}
	r.byKey[ref.key] = refs
	if ref.ts != "" {
		r.byMsg[msgKey(ref.channel, ref.ts)] = ref
	}
	r.touchLocked(ref.key)
}

func (r *cardRegistry) touchLocked(key string) {
	r.tick++
	r.used[key] = r.tick
}

// evictLocked forgets the least recently used tenth of the keys.
func (r *cardRegistry) evictLocked() {
	keys := make([]string, 0, len(r.used))
	for k := range r.used {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return r.used[keys[i]] < r.used[keys[j]] })
	for _, k := range keys[:max(1, len(keys)/10)] {
		for _, ref := range r.byKey[k] {
			r.forgetLocked(ref)
		}
		delete(r.byKey, k)
		delete(r.used, k)
		delete(r.loaded, k)
	}
}

// forgetLocked marks ref gone and drops it from the message index (the
// caller drops it from byKey).
func (r *cardRegistry) forgetLocked(ref *cardRef) {
	ref.gone = true
	if ref.ts != "" && r.byMsg[msgKey(ref.channel, ref.ts)] == ref {
		delete(r.byMsg, msgKey(ref.channel, ref.ts))
	}
}

// removeLocked forgets ref entirely.
func (r *cardRegistry) removeLocked(ref *cardRef) {
	r.forgetLocked(ref)
	refs := r.byKey[ref.key]
	for i, x := range refs {
		if x == ref {
			refs = append(refs[:i:i], refs[i+1:]...)
			break
		}
	}
	if len(refs) == 0 {
		delete(r.byKey, ref.key)
		delete(r.used, ref.key)
	} else {
		r.byKey[ref.key] = refs
	}
}

// trackPost registers a card message that is about to be posted. Its post
// job sends whatever state is latest when it runs.
func (a *Adapter) trackPost(channel string, prefix []slack.Block, c bot.Card) *cardRef {
	ref := &cardRef{key: c.Key, channel: channel, prefix: prefix, card: c, queued: true}
	if c.Key == "" {
		return ref
	}
	a.cards.mu.Lock()
	a.cards.addLocked(ref)
	a.cards.mu.Unlock()
	return ref
}

// posted records the outcome of a card message's post.
func (a *Adapter) posted(ref *cardRef, ts string, started time.Time, ok bool) {
	a.cards.mu.Lock()
	defer a.cards.mu.Unlock()
	ref.queued = false
	if !ok || ts == "" || ref.key == "" {
		if ref.key != "" {
			a.cards.removeLocked(ref)
		}
		return
	}
	ref.ts = ts
	ref.lastSent = started
	if !ref.gone {
		a.cards.byMsg[msgKey(ref.channel, ts)] = ref
		a.rememberLocked(ref)
	}
	if ref.dirty {
		a.scheduleLocked(ref)
	}
}

// registerClick files the message a member clicked under its card's Key,
// so that updates reach it even if this process did not post it (e.g.
// after a restart).
func (a *Adapter) registerClick(key, channel, ts string, blocks []slack.Block) {
	if key == "" || channel == "" || ts == "" {
		return
	}
	a.cards.mu.Lock()
	defer a.cards.mu.Unlock()
	if ref, ok := a.cards.byMsg[msgKey(channel, ts)]; ok {
		if ref.key == key {
			a.cards.touchLocked(key)
			return
		}
		a.cards.removeLocked(ref)
		a.locs.Forget(ref.key, msgKey(channel, ts))
	}
	ref := &cardRef{key: key, channel: channel, ts: ts, prefix: textPrefix(blocks)}
	a.cards.addLocked(ref)
	a.rememberLocked(ref)
}

// rememberLocked stores where a posted card message is (when a store is
// configured), so that the card can be updated after a restart. Only
// messages that show the card alone are stored: an update after a restart
// could not restore text shown above the card in the same message (such a
// message is updated again once someone clicks it).
func (a *Adapter) rememberLocked(ref *cardRef) {
	if a.locs != nil && ref.key != "" && ref.ts != "" && len(ref.prefix) == 0 {
		a.locs.Save(ref.key, msgKey(ref.channel, ref.ts))
	}
}

// loadCard adds to the registry, once per key, the messages that the
// store says show card key and that this process does not know yet (they
// were posted before a restart). A store failure is logged; the update
// then reaches only the messages known in memory.
func (a *Adapter) loadCard(ctx context.Context, key string) {
	if a.locs == nil || key == "" {
		return
	}
	isLoaded := func() bool {
		a.cards.mu.Lock()
		defer a.cards.mu.Unlock()
		return a.cards.loaded[key]
	}
	err := a.locs.Load(ctx, key, isLoaded, func(locs []string) {
		a.cards.mu.Lock()
		defer a.cards.mu.Unlock()
		for _, loc := range locs {
			channel, ts, ok := parseMsgKey(loc)
			if !ok {
				continue
			}
			if _, known := a.cards.byMsg[loc]; known {
				continue
			}
			a.cards.addLocked(&cardRef{key: key, channel: channel, ts: ts})
		}
		if len(a.cards.loaded) >= 2*maxCardKeys {
			clear(a.cards.loaded) // bounded; a key read again adds nothing twice
		}
		a.cards.loaded[key] = true
	})
	if err != nil {
		a.log.Warn("could not read where a card is shown; updating only the messages known since start-up", "card", key, "err", err)
	}
}

// updateCard records c as the latest state of every message showing its
// Key and schedules their updates: at most one chat.update per message per
// update interval, and always one after the last change. The first update
// of a Key also reaches the messages that the store remembers from before
// a restart.
func (a *Adapter) updateCard(ctx context.Context, c bot.Card) {
	if c.Key == "" {
		return
	}
	a.loadCard(ctx, c.Key)
	a.cards.mu.Lock()
	defer a.cards.mu.Unlock()
	refs := a.cards.byKey[c.Key]
	if len(refs) == 0 {
		return
	}
	a.cards.touchLocked(c.Key)
	for _, ref := range refs {
		ref.card = c
		ref.dirty = true
		ref.fails = 0
		if ref.ts != "" {
			a.scheduleLocked(ref)
		}
	}
}

// scheduleLocked queues an update of ref now, or arms a timer for when the
// update interval since the last send has passed. It does nothing when a
// send is already queued or armed: that send will pick up the latest state.
func (a *Adapter) scheduleLocked(ref *cardRef) {
	if ref.queued || ref.armed || ref.gone || !ref.dirty || ref.ts == "" {
		return
	}
	wait := ref.lastSent.Add(a.updateInterval).Sub(a.clock.Now())
	if wait <= 0 {
		a.enqueueUpdateLocked(ref)
		return
	}
	ref.armed = true
	a.afterFunc(wait, func() {
		a.cards.mu.Lock()
		defer a.cards.mu.Unlock()
		ref.armed = false
		a.scheduleLocked(ref)
	})
}

func (a *Adapter) enqueueUpdateLocked(ref *cardRef) {
	ref.queued = true
	a.out.add(publicLane(ref.channel), func() { a.sendUpdate(ref) })
}

// sendUpdate runs one chat.update with the latest state of ref.
func (a *Adapter) sendUpdate(ref *cardRef) {
	a.cards.mu.Lock()
	if ref.gone || !ref.dirty {
		ref.queued = false
		a.cards.mu.Unlock()
		return
	}
	card, prefix, channel, ts := ref.card, ref.prefix, ref.channel, ref.ts
	ref.dirty = false
	started := a.clock.Now()
	a.cards.mu.Unlock()

	ctx, cancel := context.WithTimeout(a.sendCtx, sendTimeout)
	defer cancel()
	msg := cardMessage(prefix, card)
	err := a.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, msg.options()...)
		return err
	})

	a.cards.mu.Lock()
	defer a.cards.mu.Unlock()
	ref.queued = false
	ref.lastSent = started
	if err != nil {
		switch reason := slackError(err); reason {
		case "message_not_found", "cant_update_message", "channel_not_found", "edit_window_closed", "is_archived", "not_in_channel":
			a.log.Info("card message can no longer be updated; forgetting it", "card", card.Key, "channel", channel, "reason", reason)
			a.cards.removeLocked(ref)
			switch reason {
			case "message_not_found", "cant_update_message", "edit_window_closed":
				// Gone for good. The others may pass (the bot invited
				// back, the channel unarchived): after a restart the
				// message is tried once more.
				a.locs.Forget(card.Key, msgKey(channel, ts))
			}
			return
		}
		ref.fails++
		a.log.Error("could not update card", "card", card.Key, "channel", channel, "err", safeErr(err))
		if ref.fails >= maxUpdateFails || a.sendCtx.Err() != nil {
			return
		}
		ref.dirty = true
	}
	a.scheduleLocked(ref)
}

// flushCards queues, without waiting for the update interval, every card
// update still pending; used at shutdown so the last state lands.
func (a *Adapter) flushCards() {
	a.cards.mu.Lock()
	defer a.cards.mu.Unlock()
	for _, refs := range a.cards.byKey {
		for _, ref := range refs {
			if ref.dirty && !ref.queued && !ref.gone && ref.ts != "" {
				a.enqueueUpdateLocked(ref)
			}
		}
	}
}

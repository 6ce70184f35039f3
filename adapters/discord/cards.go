package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

// Bounds of the card registry.
const (
	maxCardKeys   = 5000
	maxRefsPerKey = 20
	// editTimeout bounds one card edit, rate-limit waits included.
	editTimeout = 30 * time.Second
	// maxEditAttempts is how often an edit that failed on Discord's side
	// is tried before it is given up (a newer state is always tried).
	maxEditAttempts = 3
)

// msgRef names one posted message.
type msgRef struct {
	channel, id string
}

// location is ref as stored in Options.CardLocations: "channelID/messageID".
func (ref msgRef) location() string { return ref.channel + "/" + ref.id }

// parseLocation reads a stored location.
func parseLocation(loc string) (msgRef, bool) {
	channel, id, ok := strings.Cut(loc, "/")
	if !ok || channel == "" || id == "" || strings.Contains(id, "/") {
		return msgRef{}, false
	}
	return msgRef{channel: channel, id: id}, true
}

// cardRegistry remembers which messages show which card, so UpdateCard can
// edit them in place. It is filled when the adapter posts a card and when
// a member clicks a card's button (so cards posted before a restart are
// found again).
type cardRegistry struct {
	mu    sync.Mutex
	byKey map[string][]msgRef
	keyOf map[msgRef]string
	order []string // keys, oldest first, for eviction
	// loaded are the keys whose stored locations (Options.CardLocations)
	// have been read into the registry; an evicted key is read again.
	loaded map[string]bool
}

// add registers ref under key. It reports whether ref is new under key,
// and the key ref was registered under before, if another.
func (r *cardRegistry) add(key string, ref msgRef) (added bool, oldKey string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addLocked(key, ref)
}

// addIfUnknown registers ref under key unless ref is already registered,
// and reports whether it did.
func (r *cardRegistry) addIfUnknown(key string, ref msgRef) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.keyOf[ref]; ok {
		return false
	}
	added, _ := r.addLocked(key, ref)
	return added
}

func (r *cardRegistry) addLocked(key string, ref msgRef) (added bool, oldKey string) {
	if key == "" || ref.id == "" {
		return false, ""
	}
	if r.byKey == nil {
		r.byKey, r.keyOf = map[string][]msgRef{}, map[msgRef]string{}
	}
	if old, ok := r.keyOf[ref]; ok {
		if old == key {
			return false, ""
		}
		r.removeLocked(ref)
		oldKey = old
	}
	refs, existed := r.byKey[key]
	if !existed {
		r.order = append(r.order, key)
	}
	refs = append(refs, ref)
	if len(refs) > maxRefsPerKey {
		delete(r.keyOf, refs[0])
		refs = refs[1:]
	}
	r.byKey[key] = refs
	r.keyOf[ref] = key
	for len(r.byKey) > maxCardKeys && len(r.order) > 0 {
		oldest := r.order[0]
		r.order = r.order[1:]
		for _, ref := range r.byKey[oldest] {
			delete(r.keyOf, ref)
		}
		delete(r.byKey, oldest)
		delete(r.loaded, oldest)
	}
	if len(r.order) > 2*maxCardKeys {
		// Drop keys that are no longer registered.
		kept := r.order[:0]
		for _, k := range r.order {
			if _, ok := r.byKey[k]; ok {
				kept = append(kept, k)
			}
		}
		r.order = kept
	}
	return true, oldKey
}

func (r *cardRegistry) removeLocked(ref msgRef) {
	key, ok := r.keyOf[ref]
	if !ok {
		return
	}
	delete(r.keyOf, ref)
	refs := r.byKey[key]
	for i, x := range refs {
		if x == ref {
			refs = append(refs[:i:i], refs[i+1:]...)
			break
		}
	}
	if len(refs) == 0 {
		delete(r.byKey, key)
	} else {
		r.byKey[key] = refs
	}
}

// forget drops a message that can no longer be edited (deleted, or the bot
// lost access).
func (r *cardRegistry) forget(ref msgRef) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removeLocked(ref)
}

func (r *cardRegistry) refs(key string) []msgRef {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]msgRef(nil), r.byKey[key]...)
}

func (r *cardRegistry) isLoaded(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loaded[key]
}

// adopt registers the stored locations of key not known yet and marks key
// loaded.
func (r *cardRegistry) adopt(key string, refs []msgRef) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ref := range refs {
		if _, ok := r.keyOf[ref]; !ok {
			r.addLocked(key, ref)
		}
	}
	if r.loaded == nil || len(r.loaded) >= 2*maxCardKeys {
		r.loaded = map[string]bool{} // bounded; a key read again adds nothing twice
	}
	r.loaded[key] = true
}

// remember registers a public card message under key and, with
// Options.CardLocations, stores where it is so that the card can be
// updated after a restart. Store failures are only logged, later.
func (a *Adapter) remember(key string, ref msgRef) {
	added, oldKey := a.cards.add(key, ref)
	if !added {
		return
	}
	if oldKey != "" {
		a.locs.Forget(oldKey, ref.location())
	}
	a.locs.Save(key, ref.location())
}

// loadCard adds to the registry, once per key, the messages that the
// store says show card key and that this process does not know yet (they
// were posted before a restart). A store failure is logged; the update
// then reaches only the messages known in memory.
func (a *Adapter) loadCard(ctx context.Context, key string) {
	err := a.locs.Load(ctx, key, func() bool { return a.cards.isLoaded(key) }, func(locs []string) {
		refs := make([]msgRef, 0, len(locs))
		for _, loc := range locs {
			if ref, ok := parseLocation(loc); ok {
				refs = append(refs, ref)
			}
		}
		a.cards.adopt(key, refs)
	})
	if err != nil {
		a.log.Warn("could not read where a card is shown; updating only the messages known since start-up", "card", key, "err", err)
	}
}

// outbox holds one queue per channel for posts and card edits. Each queue
// has its own worker, started on demand, so a rate-limit wait in one
// channel (discordgo waits per route, and routes are per channel) holds up
// only that channel. Posts go out in order; edits are coalesced per
// message: while an edit waits for its turn, newer states replace it, and
// a message is edited at most once per EditInterval. The last state always
// lands.
type outbox struct {
	a *Adapter

	mu      sync.Mutex
	queues  map[string]*channelQueue
	running int
	idle    chan struct{} // closed when running drops to zero
}

type channelQueue struct {
	channel  string
	posts    []*postJob
	edits    map[string]*editJob // by message ID
	lastEdit map[string]time.Time
	running  bool
	wake     chan struct{}
}

type postJob struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	done chan error
}

type editJob struct {
	ref      msgRef
	card     bot.Card
	due      time.Time
	attempts int
}

func newOutbox(a *Adapter) *outbox {
	return &outbox{a: a, queues: map[string]*channelQueue{}}
}

func (o *outbox) queue(channel string) *channelQueue {
	q, ok := o.queues[channel]
	if !ok {
		q = &channelQueue{channel: channel, edits: map[string]*editJob{}, lastEdit: map[string]time.Time{}, wake: make(chan struct{}, 1)}
		o.queues[channel] = q
	}
	return q
}

// startLocked starts q's worker unless it is running, or pokes it.
func (o *outbox) startLocked(q *channelQueue) {
	if q.running {
		select {
		case q.wake <- struct{}{}:
		default:
		}
		return
	}
	q.running = true
	o.running++
	go o.work(q)
}

// post runs fn in the channel's queue and waits for it, or for ctx.
func (o *outbox) post(ctx context.Context, channel string, fn func(ctx context.Context) error) error {
	job := &postJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	o.mu.Lock()
	q := o.queue(channel)
	q.posts = append(q.posts, job)
	o.startLocked(q)
	o.mu.Unlock()
	select {
	case err := <-job.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// edit queues an edit of ref to show card c, replacing any edit of ref that
// has not started yet.
func (o *outbox) edit(ref msgRef, c bot.Card) {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.queue(ref.channel)
	if job, ok := q.edits[ref.id]; ok {
		job.card = c
		job.attempts = 0
		return
	}
	due := time.Now()
	if last, ok := q.lastEdit[ref.id]; ok {
		due = later(due, last.Add(o.a.opts.EditInterval))
	}
	q.edits[ref.id] = &editJob{ref: ref, card: c, due: due}
	o.startLocked(q)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// work serves one channel's queue until it is empty.
func (o *outbox) work(q *channelQueue) {
	for {
		o.mu.Lock()
		if len(q.posts) > 0 {
			job := q.posts[0]
			q.posts[0] = nil
			q.posts = q.posts[1:]
			o.mu.Unlock()
			if err := job.ctx.Err(); err != nil {
				job.done <- err
				continue
			}
			job.done <- job.fn(job.ctx)
			continue
		}
		var next *editJob
		for _, j := range q.edits {
			if next == nil || j.due.Before(next.due) {
				next = j
			}
		}
		now := time.Now()
		if next == nil || o.a.life.Err() != nil {
			o.finishLocked(q, now)
			o.mu.Unlock()
			return
		}
		if wait := next.due.Sub(now); wait > 0 {
			o.mu.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-q.wake:
				t.Stop()
			case <-o.a.life.Done():
				t.Stop()
			}
			continue
		}
		delete(q.edits, next.ref.id)
		q.lastEdit[next.ref.id] = now
		o.mu.Unlock()

		err := o.a.editCard(next.ref, next.card)
		switch {
		case err == nil:
		case gone(err):
			o.a.log.Info("card message is gone; no longer updating it", "card", next.card.Key, "channel", next.ref.channel, "message", next.ref.id)
			o.a.cards.forget(next.ref)
			if notFound(err) {
				// Deleted for good. A lost permission may come back: after
				// a restart the message is tried once more.
				o.a.locs.Forget(next.card.Key, next.ref.location())
			}
		default:
			o.a.log.Warn("could not update card", "card", next.card.Key, "channel", next.ref.channel, "err", err)
			o.mu.Lock()
			if _, newer := q.edits[next.ref.id]; !newer && next.attempts+1 < maxEditAttempts && o.a.life.Err() == nil {
				next.attempts++
				next.due = time.Now().Add(o.a.opts.EditInterval)
				q.edits[next.ref.id] = next
			}
			o.mu.Unlock()
		}
	}
}

// finishLocked retires q's worker; the queue is dropped once no edit
// interval is pending either.
func (o *outbox) finishLocked(q *channelQueue, now time.Time) {
	for id, t := range q.lastEdit {
		if now.Sub(t) >= o.a.opts.EditInterval {
			delete(q.lastEdit, id)
		}
	}
	if o.a.life.Err() != nil {
		clear(q.edits)
	}
	q.running = false
	if len(q.lastEdit) == 0 {
		delete(o.queues, q.channel)
	}
	o.running--
	if o.running == 0 && o.idle != nil {
		close(o.idle)
		o.idle = nil
	}
}

// drain waits until every queue is empty, or ctx ends.
func (o *outbox) drain(ctx context.Context) error {
	o.mu.Lock()
	if o.running == 0 {
		o.mu.Unlock()
		return nil
	}
	if o.idle == nil {
		o.idle = make(chan struct{})
	}
	idle := o.idle
	o.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gone reports whether err says the message or channel no longer exists or
// cannot be edited by the bot.
func gone(err error) bool {
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response == nil {
		return false
	}
	switch rest.Response.StatusCode {
	case http.StatusNotFound, http.StatusForbidden:
		return true
	}
	return false
}

// notFound reports whether err says the message or its channel no longer
// exists (Discord's 404: Unknown Message, Unknown Channel).
func notFound(err error) bool {
	var rest *discordgo.RESTError
	return errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusNotFound
}

// editCard edits one message to show card c.
func (a *Adapter) editCard(ref msgRef, c bot.Card) error {
	ctx, cancel := context.WithTimeout(a.life, editTimeout)
	defer cancel()
	embed, rows := a.renderCard(&c)
	if rows == nil {
		rows = []discordgo.MessageComponent{}
	}
	edit := &discordgo.MessageEdit{
		ID:              ref.id,
		Channel:         ref.channel,
		Embeds:          &[]*discordgo.MessageEmbed{embed},
		Components:      &rows,
		AllowedMentions: noMentions(),
	}
	return a.rest(ctx, func(opts ...discordgo.RequestOption) error {
		_, err := a.session.ChannelMessageEditComplex(edit, opts...)
		return err
	})
}

// post sends messages to a channel through its queue, the first as a reply
// to replyTo when set, and registers the cards among them.
func (a *Adapter) post(ctx context.Context, channel string, msgs []outMessage, replyTo string) ([]*discordgo.Message, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	var sent []*discordgo.Message
	err := a.out.post(ctx, channel, func(ctx context.Context) error {
		for i, m := range msgs {
			var msg *discordgo.Message
			err := a.rest(ctx, func(opts ...discordgo.RequestOption) error {
				send := &discordgo.MessageSend{
					Content:         m.content,
					Embeds:          m.embeds(),
					Components:      m.componentList(),
					Files:           m.files(), // fresh readers for each attempt
					AllowedMentions: noMentions(),
				}
				if i == 0 && replyTo != "" {
					send.Reference = &discordgo.MessageReference{MessageID: replyTo, ChannelID: channel, FailIfNotExists: ptr(false)}
				}
				var err error
				msg, err = a.session.ChannelMessageSendComplex(channel, send, opts...)
				return err
			})
			if err != nil {
				return err
			}
			sent = append(sent, msg)
			if m.cardKey != "" && msg != nil {
				a.remember(m.cardKey, msgRef{channel: channel, id: msg.ID})
			}
		}
		return nil
	})
	if err != nil {
		// On a cancelled wait the job may still be running: sent is not
		// ours to read.
		return nil, fmt.Errorf("post to channel %s: %w", channel, err)
	}
	return sent, nil
}

package cards

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/bot/lanes"
)

// Defaults of the Config.
const (
	// DefaultInterval is the least time between two edits of one
	// message: chat platforms allow about one a second.
	DefaultInterval = time.Second
	// DefaultEditTimeout bounds one edit.
	DefaultEditTimeout = 30 * time.Second
)

// Bounds of what an Updater remembers.
const (
	// maxCardKeys is how many cards are remembered; past it, the least
	// recently used tenth is forgotten (the store still has them).
	maxCardKeys = 10000
	// maxMessagesPerCard is how many messages are remembered per card;
	// the oldest is forgotten first.
	maxMessagesPerCard = 20
)

// defaultRetry paces retries of a failed edit: 1 s, 2 s, 4 s … at most
// 30 s apart, ten attempts in all for one state of the card.
func defaultRetry() backoff.Policy {
	return backoff.Policy{Initial: time.Second, Max: 30 * time.Second, Attempts: 10}
}

// Errors an Editor reports for a message it can no longer edit.
var (
	// ErrGone says the message, or its channel, no longer exists: the
	// Updater forgets it, in the store too.
	ErrGone = errors.New("the card's message is gone")
	// ErrUnreachable says the bot may not edit the message for now
	// (removed from the channel, channel archived): the Updater stops
	// updating it, but the store keeps it, so that it is tried again
	// after a restart.
	ErrUnreachable = errors.New("the card's message cannot be edited")
)

// Message names one posted message that shows a card.
type Message struct {
	// Channel is the channel the message is in. Its edits go out on the
	// lane of that name, in order with the adapter's posts there.
	Channel string
	// ID is the platform's ID of the message (on Slack, its timestamp);
	// empty while the message is being posted.
	ID string
	// Extra is whatever else the platform needs to render the message
	// again, such as text shown above the card in the same message; the
	// Updater hands it back to the Editor. A message with Extra is not
	// stored, since it could not be rendered again after a restart: it is
	// updated again once someone clicks it.
	Extra any
}

// Location returns m as stored in a bot.CardLocations: "channel/id".
func (m Message) Location() string { return m.Channel + "/" + m.ID }

// ParseLocation reads a location made by Message.Location.
func ParseLocation(loc string) (Message, bool) {
	channel, id, ok := strings.Cut(loc, "/")
	if !ok || channel == "" || id == "" || strings.Contains(id, "/") {
		return Message{}, false
	}
	return Message{Channel: channel, ID: id}, true
}

// Editor edits one posted message: the platform's part of updating a
// card.
type Editor interface {
	// Edit renders c into the message m, once: the Updater retries. A
	// message that can no longer be edited is reported with ErrGone or
	// ErrUnreachable (wrapped), a rate limit with backoff.RetryAfter, and
	// a failure that retrying cannot fix (a malformed card) with
	// backoff.Stop.
	Edit(ctx context.Context, m Message, c bot.Card) error
}

// EditorFunc adapts a function to the Editor interface.
type EditorFunc func(ctx context.Context, m Message, c bot.Card) error

// Edit calls f.
func (f EditorFunc) Edit(ctx context.Context, m Message, c bot.Card) error { return f(ctx, m, c) }

// Config configures an Updater.
type Config struct {
	// Platform names the platform in the store and the logs.
	Platform string
	// Editor edits one message. Required.
	Editor Editor
	// Lanes carries the edits, one lane per channel; the adapter posts on
	// the same lanes. Required.
	Lanes *lanes.Group
	// Store, when set, remembers where each card is shown across
	// restarts.
	Store bot.CardLocations
	// Clock tells the time and times the waits; bot.SystemClock when nil.
	Clock bot.Clock
	// Interval is the least time between two edits (or a post and an
	// edit) of one message: DefaultInterval when zero, none when negative.
	Interval time.Duration
	// Retry paces the retries of a failed edit; without an Initial wait
	// it is 1 s, doubling up to 30 s, ten attempts for one state of the
	// card.
	Retry backoff.Policy
	// EditTimeout bounds one edit, its Pace wait included;
	// DefaultEditTimeout when zero.
	EditTimeout time.Duration
	// Pace, when set, waits for the platform's rate limit before each
	// edit of a message (see package pace). The card is read after the
	// wait, so an edit that waited its turn still carries the newest
	// state. An error counts as a failed edit.
	Pace func(ctx context.Context, m Message) error
	// Log receives what goes wrong; slog.Default when nil.
	Log *slog.Logger
}

// Updater keeps the posted messages of each card up to date. It is safe
// for concurrent use. See the package documentation.
type Updater struct {
	platform string
	editor   Editor
	lanes    *lanes.Group
	store    bot.CardLocations // nil without Config.Store
	saves    *locationStore    // writes to store; nil without it
	clock    bot.Clock
	interval time.Duration
	retry    backoff.Policy
	timeout  time.Duration
	pace     func(ctx context.Context, m Message) error // nil: edits are not paced
	log      *slog.Logger

	ctx    context.Context // bounds edits; ends with Close
	cancel context.CancelFunc

	// flights coalesces each message's edits: a run lasts from the first
	// change until the newest state has been sent.
	flights Coalescer[*message]

	// loadMu serialises reads of the store, so that two updates of a card
	// not yet loaded do not both adopt its messages.
	loadMu sync.Mutex

	mu     sync.Mutex
	byKey  map[string][]*message
	byLoc  map[string]*message // posted messages, by Location
	used   map[string]uint64   // card key → last use, for forgetting
	tick   uint64
	loaded map[string]bool // keys whose stored locations were read
	// emptyAt holds when the store last had no location for a key this
	// process knows no message of. Such a key is read again after
	// emptyRecheck, since another process may have posted the card and
	// not yet saved where.
	emptyAt map[string]time.Time
	// changing holds the keys of cards known to change after they are
	// posted (see Changes); only their locations are stored.
	changing map[string]bool
	// flushing is set by Flush: no more pacing or retries.
	flushing bool
	closed   bool
}

// message is the state of one message that shows a card.
type message struct {
	key      string
	at       Message
	card     bot.Card  // the newest state
	lastSent time.Time // when the last post or edit started
	retryAt  time.Time // no edit before this, after a failure
	failures int       // failed edits since the last success or change
	timer    *timer    // armed to queue the next edit; nil when none
	gone     bool      // forgotten
}

// timer is one armed wait of a message.
type timer struct{ stop func() bool }

// New returns an Updater.
func New(cfg Config) *Updater {
	cfg.Clock = bot.OrSystemClock(cfg.Clock)
	cfg.Log = bot.OrDefaultLogger(cfg.Log)
	switch {
	case cfg.Interval == 0:
		cfg.Interval = DefaultInterval
	case cfg.Interval < 0:
		cfg.Interval = 0
	}
	if cfg.Retry.Initial <= 0 {
		cfg.Retry = defaultRetry()
	}
	cfg.EditTimeout = bot.PositiveOr(cfg.EditTimeout, DefaultEditTimeout)
	u := &Updater{
		platform: cfg.Platform,
		editor:   cfg.Editor,
		lanes:    cfg.Lanes,
		store:    cfg.Store,
		saves:    newLocationStore(cfg.Platform, cfg.Store, cfg.Log),
		clock:    cfg.Clock,
		interval: cfg.Interval,
		retry:    cfg.Retry,
		timeout:  cfg.EditTimeout,
		pace:     cfg.Pace,
		log:      cfg.Log,
		byKey:    map[string][]*message{},
		byLoc:    map[string]*message{},
		used:     map[string]uint64{},
		loaded:   map[string]bool{},
		emptyAt:  map[string]time.Time{},
		changing: map[string]bool{},
	}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	return u
}

// Shown records that a posted message shows card key: one the adapter
// posted, or one a member clicked (which may predate a restart). Updates
// of key reach it from now on and, unless it has Extra, after a restart
// too. A message known under another key moves to key.
func (u *Updater) Shown(key string, at Message) {
	if key == "" || at.Channel == "" || at.ID == "" {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	loc := at.Location()
	if m, ok := u.byLoc[loc]; ok {
		if m.key == key {
			u.touchLocked(key)
			return
		}
		u.removeLocked(m)
		u.saves.Forget(m.key, loc)
	}
	m := &message{key: key, at: at}
	u.addLocked(m)
	u.saveLocked(m)
}

// Post is a card message on its way to the platform. The adapter asks it
// for the card to send at each attempt and tells it the outcome. Its
// methods do nothing for a card without a Key.
type Post struct {
	u    *Updater
	m    *message // nil for a card without a Key
	card bot.Card
}

// Posting records a message about to be posted in channel at.Channel with
// card c. Updates of c.Key made before the post goes out are sent with
// the post itself; those made after it follow as edits.
func (u *Updater) Posting(c bot.Card, at Message) *Post {
	p := &Post{u: u, card: c}
	if c.Key == "" || at.Channel == "" {
		return p
	}
	at.ID = ""
	p.m = &message{key: c.Key, at: at, card: c}
	u.mu.Lock()
	defer u.mu.Unlock()
	if Changes(c) {
		u.changingLocked(c.Key)
	}
	u.addLocked(p.m)
	u.flights.Request(p.m) // the post is the first run
	return p
}

// Card returns the card to post now: the newest state.
func (p *Post) Card() bot.Card {
	if p.m == nil {
		return p.card
	}
	u := p.u
	u.mu.Lock()
	defer u.mu.Unlock()
	u.flights.Reading(p.m)
	p.m.lastSent = u.clock.Now()
	return p.m.card
}

// Posted records that the post went out as message id. An update made
// since the card was last read follows as an edit. Without an id (the
// platform posted it somewhere it cannot be edited) it is Failed.
func (p *Post) Posted(id string) {
	if id == "" {
		p.Failed()
		return
	}
	if p.m == nil {
		return
	}
	u, m := p.u, p.m
	u.mu.Lock()
	defer u.mu.Unlock()
	if m.gone {
		return
	}
	m.at.ID = id
	loc := m.at.Location()
	if old, ok := u.byLoc[loc]; ok && old != m {
		u.removeLocked(old)
	}
	u.byLoc[loc] = m
	u.saveLocked(m)
	if u.flights.Done(m) {
		u.scheduleLocked(m)
	}
}

// Failed records that the post did not go out.
func (p *Post) Failed() {
	if p.m == nil {
		return
	}
	p.u.mu.Lock()
	defer p.u.mu.Unlock()
	p.u.removeLocked(p.m)
}

// Update makes c the newest state of every message that shows c.Key and
// schedules their edits: at once when the message was last sent more than
// an interval ago, otherwise when the interval has passed, with whatever
// state is newest then. The first update of a key also reaches the
// messages that the store remembers from before a restart (a store
// failure is logged; the update then reaches the messages known since).
func (u *Updater) Update(ctx context.Context, c bot.Card) {
	if c.Key == "" {
		return
	}
	u.load(ctx, c.Key)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return
	}
	ms := u.byKey[c.Key]
	if len(ms) == 0 {
		return
	}
	if Changes(c) {
		u.changingLocked(c.Key)
	}
	u.touchLocked(c.Key)
	for _, m := range ms {
		if c.Revision != 0 && c.Revision < m.card.Revision {
			continue // a newer state is on its way already
		}
		m.card = c
		m.failures = 0
		if u.flights.Request(m) {
			u.scheduleLocked(m)
		}
	}
}

// Locations returns the locations of the posted messages known to show
// card key, oldest first.
func (u *Updater) Locations(key string) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []string
	for _, m := range u.byKey[key] {
		if m.at.ID != "" {
			out = append(out, m.at.Location())
		}
	}
	return out
}

// Flush queues every edit still waiting for its interval or a retry, so
// that the last states land before a shutdown. From then on edits are not
// paced and failures are not retried.
func (u *Updater) Flush() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.flushing = true
	for _, ms := range u.byKey {
		for _, m := range ms {
			if m.timer != nil {
				m.timer.stop()
				m.timer = nil
				u.enqueueLocked(m)
			}
		}
	}
}

// Shutdown sends what is pending (Flush), waits until the lanes are empty
// (the adapter's posts included), then Closes the Updater. It returns
// ctx's error when ctx ended before all was sent and stored.
func (u *Updater) Shutdown(ctx context.Context) error {
	u.Flush()
	err := u.lanes.Wait(ctx)
	if cerr := u.Close(ctx); err == nil {
		err = cerr
	}
	return err
}

// Drain is how an adapter that takes no more events stops: within grace
// it waits for the handlers still at work (handlers, such as a lanes
// Group's Wait), so that what they answer is queued, then Shuts the
// Updater down, sending what is queued. It returns what did not finish in
// time, which is dropped: the adapter stops all the same.
func (u *Updater) Drain(grace time.Duration, handlers func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var errs []error
	if err := handlers(ctx); err != nil {
		errs = append(errs, fmt.Errorf("handlers still at work: %w", err))
	}
	if err := u.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("posts and card edits still queued: %w", err))
	}
	return errors.Join(errs...)
}

// Close stops the Updater: it sends nothing more, cancels edits under
// way, and waits, until ctx ends, for the store to take what is queued
// for it.
func (u *Updater) Close(ctx context.Context) error {
	u.mu.Lock()
	u.closed, u.flushing = true, true
	for _, ms := range u.byKey {
		for _, m := range ms {
			if m.timer != nil {
				m.timer.stop()
				m.timer = nil
			}
			u.flights.Drop(m)
		}
	}
	u.mu.Unlock()
	err := u.Sync(ctx)
	u.cancel()
	return err
}

// Sync returns once the store has taken every write queued for it, or
// with ctx's error when ctx ends first.
func (u *Updater) Sync(ctx context.Context) error {
	return u.saves.Wait(ctx)
}

// load adds, once per key, the messages the store says show card key and
// that are not known yet: those posted before a restart.
func (u *Updater) load(ctx context.Context, key string) {
	if u.store == nil || u.isLoaded(key) {
		return
	}
	u.loadMu.Lock()
	defer u.loadMu.Unlock()
	if u.isLoaded(key) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, cardStoreTimeout)
	defer cancel()
	locs, err := u.store.CardLocations(ctx, u.platform, key)
	if err != nil {
		u.log.Warn("could not read where a card is shown; updating only the messages known since start-up", "card", key, "err", err)
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.loaded) >= 2*maxCardKeys || len(u.emptyAt) >= 2*maxCardKeys {
		clear(u.loaded) // bounded; a key read again adds nothing twice
		clear(u.emptyAt)
	}
	if len(locs) == 0 && len(u.byKey[key]) == 0 {
		u.emptyAt[key] = u.clock.Now()
		return
	}
	delete(u.emptyAt, key)
	for _, loc := range locs {
		at, ok := ParseLocation(loc)
		if !ok {
			continue
		}
		if _, known := u.byLoc[loc]; !known {
			u.addLocked(&message{key: key, at: at})
		}
	}
	u.loaded[key] = true
}

// isLoaded reports whether key's stored locations need no reading: they
// were read, or the store had none for key less than emptyRecheck ago.
func (u *Updater) isLoaded(key string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.loaded[key] {
		return true
	}
	at, ok := u.emptyAt[key]
	return ok && u.clock.Now().Sub(at) < emptyRecheck
}

// scheduleLocked queues the next edit of m, whose run is under way: at
// once, or, by a timer, when m's interval and any retry wait are over.
func (u *Updater) scheduleLocked(m *message) {
	if u.closed || m.gone || m.timer != nil {
		return
	}
	now := u.clock.Now()
	due := now
	if !u.flushing {
		due = latest(now, m.lastSent.Add(u.interval), m.retryAt)
	}
	if !due.After(now) {
		u.enqueueLocked(m)
		return
	}
	t := &timer{}
	m.timer = t
	t.stop = bot.AfterFunc(u.clock, due.Sub(now), func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		if m.timer != t {
			return // stopped, or flushed
		}
		m.timer = nil
		if !m.gone && !u.closed {
			u.enqueueLocked(m)
		}
	})
}

// enqueueLocked queues an edit of m on its channel's lane.
func (u *Updater) enqueueLocked(m *message) {
	u.lanes.Add(m.at.Channel, func() { u.edit(m) })
}

// edit sends the newest state of m, then schedules what follows: nothing,
// the next state, or a retry.
func (u *Updater) edit(m *message) {
	ctx, cancel := context.WithTimeout(u.ctx, u.timeout)
	defer cancel()
	var err error
	if u.pace != nil {
		u.mu.Lock()
		at, skip := m.at, m.gone || u.closed
		u.mu.Unlock()
		if skip {
			return
		}
		err = u.pace(ctx, at)
	}
	u.mu.Lock()
	if m.gone || u.closed {
		u.mu.Unlock()
		return
	}
	u.flights.Reading(m)
	c, at := m.card, m.at
	m.lastSent = u.clock.Now()
	u.mu.Unlock()

	if err == nil {
		err = u.send(ctx, at, c)
	}

	u.mu.Lock()
	defer u.mu.Unlock()
	if m.gone || u.closed {
		return
	}
	switch {
	case err == nil:
		m.failures, m.retryAt = 0, time.Time{}
		if u.flights.Done(m) {
			u.scheduleLocked(m)
		}
	case errors.Is(err, ErrGone) || errors.Is(err, ErrUnreachable):
		u.log.Info("card message can no longer be updated; forgetting it", "card", c.Key, "channel", at.Channel, "message", at.ID, "err", err)
		u.removeLocked(m)
		if errors.Is(err, ErrGone) {
			// Gone for good. Access lost may come back: after a restart
			// the message is tried once more.
			u.saves.Forget(c.Key, at.Location())
		}
	default:
		m.failures++
		if u.flushing || backoff.Stopped(err) || u.retry.Attempts > 0 && m.failures >= u.retry.Attempts {
			u.log.Error("could not update card; giving up on this state", "card", c.Key, "channel", at.Channel, "attempts", m.failures, "err", err)
			m.failures = 0
			if u.flights.Done(m) { // a newer state gets attempts of its own
				u.scheduleLocked(m)
			}
			return
		}
		asked, _ := backoff.Asked(err)
		wait := u.retry.Wait(m.failures, asked)
		m.retryAt = u.clock.Now().Add(wait)
		u.log.Warn("could not update card; will retry", "card", c.Key, "channel", at.Channel, "attempt", m.failures, "wait", wait, "err", err)
		u.scheduleLocked(m) // the run goes on, with the newest state
	}
}

// send edits the message at to show c; through the store, when it keeps
// revisions, so that an edit older than what another process has shown
// is skipped.
func (u *Updater) send(ctx context.Context, at Message, c bot.Card) error {
	revs, ok := u.store.(bot.CardRevisions)
	if !ok || c.Revision == 0 || at.Extra != nil {
		return u.editor.Edit(ctx, at, c)
	}
	_, err := revs.EditCardRevision(ctx, u.platform, c.Key, at.Location(), c.Revision,
		func(ctx context.Context) error { return u.editor.Edit(ctx, at, c) })
	return err
}

// saveLocked stores where m is, if its card can change and can be
// rendered again from the card alone.
func (u *Updater) saveLocked(m *message) {
	if m.at.Extra == nil && m.at.ID != "" && u.changing[m.key] {
		u.saves.Save(m.key, m.at.Location())
	}
}

// Changes reports whether card c can change after it is posted, so that
// where it is shown is worth remembering across restarts: a poll's card
// (one with a poll view) changes with its tally and when the poll
// closes; an answer does not. An Updater stores only such cards'
// locations, so the database does not keep a row for every answer.
func Changes(c bot.Card) bool { return c.Key != "" && c.Poll != nil }

// Changing records that card key can change (see Changes), for a card
// the adapter has shown without passing it through Posting: its
// locations are stored from now on.
func (u *Updater) Changing(key string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.changingLocked(key)
}

// changingLocked marks key as changing and stores the locations already
// known. u.mu must be held.
func (u *Updater) changingLocked(key string) {
	if key == "" || u.changing[key] {
		return
	}
	u.changing[key] = true
	for _, m := range u.byKey[key] {
		u.saveLocked(m)
	}
}

// addLocked files m under its key, forgetting old entries past the bounds.
func (u *Updater) addLocked(m *message) {
	if ms, ok := u.byKey[m.key]; !ok && len(u.byKey) >= maxCardKeys {
		u.forgetOldestLocked()
	} else if len(ms) >= maxMessagesPerCard {
		u.removeLocked(ms[0])
	}
	u.byKey[m.key] = append(u.byKey[m.key], m)
	if m.at.ID != "" {
		u.byLoc[m.at.Location()] = m
	}
	u.touchLocked(m.key)
}

func (u *Updater) touchLocked(key string) {
	u.tick++
	u.used[key] = u.tick
}

// forgetOldestLocked forgets the least recently used tenth of the cards.
func (u *Updater) forgetOldestLocked() {
	keys := make([]string, 0, len(u.used))
	for k := range u.used {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return u.used[keys[i]] < u.used[keys[j]] })
	for _, k := range keys[:max(1, len(keys)/10)] {
		for _, m := range slices.Clone(u.byKey[k]) {
			u.removeLocked(m)
		}
		delete(u.loaded, k)
		delete(u.emptyAt, k)
		delete(u.changing, k)
	}
}

// removeLocked forgets m (not in the store).
func (u *Updater) removeLocked(m *message) {
	m.gone = true
	if m.timer != nil {
		m.timer.stop()
		m.timer = nil
	}
	u.flights.Drop(m)
	if m.at.ID != "" && u.byLoc[m.at.Location()] == m {
		delete(u.byLoc, m.at.Location())
	}
	ms := slices.DeleteFunc(u.byKey[m.key], func(x *message) bool { return x == m })
	if len(ms) == 0 {
		delete(u.byKey, m.key)
		delete(u.used, m.key)
	} else {
		u.byKey[m.key] = ms
	}
}

// latest returns the latest of the times.
func latest(t time.Time, ts ...time.Time) time.Time {
	for _, x := range ts {
		if x.After(t) {
			t = x
		}
	}
	return t
}

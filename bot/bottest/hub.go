package bottest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// ErrUnreachable is what a Hub's failing posts and card updates return.
var ErrUnreachable = errors.New("platform unreachable")

// Hub is a fake of the posting side of a *bot.Hub, for testing features
// that post on their own (a poll closer, a reminder scheduler): it records
// every post, announcement and card update it is given, and fails the ones
// it is told to, as a platform that cannot be reached does. It is safe for
// concurrent use.
type Hub struct {
	clock      bot.Clock
	announcers []string

	mu       sync.Mutex
	posts    []Post
	cards    []bot.Card
	attempts map[string]int // posts tried, failed or not, by platform
	// failPosts and failCards are how many of the next posts and card
	// updates fail; a negative number fails every one.
	failPosts, failCards int
	failWhen             func(platform string, r bot.Reply, attempt int) error
}

// Post is one post a Hub took: a reply sent to a destination, or an
// announcement.
type Post struct {
	Platform string
	// To is where a sent reply went; zero for an announcement.
	To    bot.Destination
	Reply bot.Reply
	// At is the time on the Hub's clock when the post was taken.
	At time.Time
}

// NewHub returns a Hub that stamps posts with the time on clock (when not
// nil) and on which the given platforms have an announcement channel.
func NewHub(clock bot.Clock, announcers ...string) *Hub {
	return &Hub{clock: clock, announcers: announcers, attempts: map[string]int{}}
}

// FailPosts makes the next n posts (sent replies and announcements) fail
// with ErrUnreachable; a negative n makes every post fail until FailPosts
// is called again.
func (h *Hub) FailPosts(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failPosts = n
}

// FailCards makes the next n card updates fail with ErrUnreachable; a
// negative n makes every one fail until FailCards is called again.
func (h *Hub) FailCards(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failCards = n
}

// FailWhen makes each post fail with the error rule returns for it (nil
// for none); attempt counts the posts tried on platform, this one
// included, from 1. It is for failures that depend on the platform or on
// how often it was tried; nil removes the rule.
func (h *Hub) FailWhen(rule func(platform string, r bot.Reply, attempt int) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failWhen = rule
}

// Send records r as sent to to on platform, unless it is to fail.
func (h *Hub) Send(_ context.Context, platform string, to bot.Destination, r bot.Reply) error {
	return h.post(Post{Platform: platform, To: to, Reply: r})
}

// AnnouncePlatform records r as announced on platform, unless it is to
// fail.
func (h *Hub) AnnouncePlatform(_ context.Context, platform string, r bot.Reply) error {
	return h.post(Post{Platform: platform, Reply: r})
}

// Announcers returns the platforms with an announcement channel, as given
// to NewHub.
func (h *Hub) Announcers() []string { return slices.Clone(h.announcers) }

// UpdateCard records c, unless it is to fail.
func (h *Hub) UpdateCard(_ context.Context, _ string, c bot.Card) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if failNext(&h.failCards) {
		return ErrUnreachable
	}
	h.cards = append(h.cards, c)
	return nil
}

// post counts the attempt of p and records it, unless it is to fail.
func (h *Hub) post(p Post) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.attempts[p.Platform]++
	if h.failWhen != nil {
		if err := h.failWhen(p.Platform, p.Reply, h.attempts[p.Platform]); err != nil {
			return err
		}
	}
	if failNext(&h.failPosts) {
		return ErrUnreachable
	}
	if h.clock != nil {
		p.At = h.clock.Now()
	}
	h.posts = append(h.posts, p)
	return nil
}

// failNext reports whether the next call is to fail under a FailPosts or
// FailCards count, and counts it down.
func failNext(n *int) bool {
	switch {
	case *n < 0:
		return true
	case *n > 0:
		*n--
		return true
	}
	return false
}

// Posts returns the posts taken so far, in order.
func (h *Hub) Posts() []Post {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.posts)
}

// Cards returns the card updates taken so far, in order.
func (h *Hub) Cards() []bot.Card {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.cards)
}

// Attempts returns how many posts were tried on any platform, failed or
// not.
func (h *Hub) Attempts() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, a := range h.attempts {
		n += a
	}
	return n
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// Destination says where an unsolicited post goes on one platform.
type Destination struct {
	// Channel is the platform's channel ID.
	Channel string
	// Thread, when set, posts in that thread.
	Thread string
	// User, when set with a Private reply, is the platform-qualified ID of
	// the only member who should see it.
	User string
}

// Adapter connects Union Hall to one chat platform.
type Adapter interface {
	// Platform returns the platform name, e.g. PlatformSlack.
	Platform() string
	// Run receives messages and passes each to d until ctx ends. It returns
	// nil after a clean shutdown.
	Run(ctx context.Context, d Dispatcher) error
	// Send posts r to a destination without a message to answer, e.g. when
	// a poll closes on schedule.
	Send(ctx context.Context, to Destination, r Reply) error
	// UpdateCard re-renders every message this adapter has posted with
	// c.Key. It is a no-op when there is none.
	UpdateCard(ctx context.Context, c Card) error
}

// Announcer is implemented by adapters that have an announcement channel
// configured for reminders.
type Announcer interface {
	// Announce posts r to the announcement channel.
	Announce(ctx context.Context, r Reply) error
}

// GroupDirectory is implemented by adapters that keep the member lists of
// platform groups (Slack user groups), so a feature can count a group's
// members or find who is in two groups.
type GroupDirectory interface {
	// RefreshGroups reads every group's member list again now.
	RefreshGroups(ctx context.Context) error
	// GroupMembers returns the platform-qualified IDs of the members of
	// group (as the adapter was told of it, or its ID) from the last list
	// read, and false when the group is unknown or its list could not be
	// read.
	GroupMembers(group string) ([]string, bool)
}

// Hub sends unsolicited posts to the adapters that are running, by
// platform. It is how schedulers reach members. Features are given the Hub
// when they are built, and the adapters are added to it before anything
// is served.
type Hub struct {
	adapters map[string]Adapter
}

// NewHub returns a Hub over the given adapters.
func NewHub(adapters ...Adapter) *Hub {
	h := &Hub{adapters: map[string]Adapter{}}
	for _, a := range adapters {
		h.Add(a)
	}
	return h
}

// Add makes the Hub post to a's platform through a. Add adapters before
// the Hub is used: it is not safe to call concurrently with posting.
func (h *Hub) Add(a Adapter) { h.adapters[a.Platform()] = a }

// Platforms returns the platform names of the Hub's adapters, sorted.
func (h *Hub) Platforms() []string {
	out := make([]string, 0, len(h.adapters))
	for p := range h.adapters {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Send posts r on the given platform.
func (h *Hub) Send(ctx context.Context, platform string, to Destination, r Reply) error {
	a, ok := h.adapters[platform]
	if !ok {
		return fmt.Errorf("send to %s: platform not connected", platform)
	}
	if err := a.Send(ctx, to, r); err != nil {
		return fmt.Errorf("send to %s channel %s: %w", platform, to.Channel, err)
	}
	return nil
}

// UpdateCard re-renders card c on the given platform.
func (h *Hub) UpdateCard(ctx context.Context, platform string, c Card) error {
	a, ok := h.adapters[platform]
	if !ok {
		return fmt.Errorf("update card on %s: platform not connected", platform)
	}
	if err := a.UpdateCard(ctx, c); err != nil {
		return fmt.Errorf("update card %s on %s: %w", c.Key, platform, err)
	}
	return nil
}

// AnnouncePlatform posts r to the announcement channel of one platform.
func (h *Hub) AnnouncePlatform(ctx context.Context, platform string, r Reply) error {
	a, ok := h.adapters[platform]
	if !ok {
		return fmt.Errorf("announce on %s: platform not connected", platform)
	}
	an, ok := a.(Announcer)
	if !ok {
		return fmt.Errorf("announce on %s: no announcement channel configured", platform)
	}
	if err := an.Announce(ctx, r); err != nil {
		return fmt.Errorf("announce on %s: %w", platform, err)
	}
	return nil
}

// Groups returns the group directory of a platform's adapter, when it
// keeps one.
func (h *Hub) Groups(platform string) (GroupDirectory, bool) {
	g, ok := h.adapters[platform].(GroupDirectory)
	return g, ok
}

// Announcers returns the platforms that can announce, sorted.
func (h *Hub) Announcers() []string {
	var out []string
	for _, p := range h.Platforms() {
		if _, ok := h.adapters[p].(Announcer); ok {
			out = append(out, p)
		}
	}
	return out
}

// Announce posts r to the announcement channel of every platform that has
// one. It tries them all and returns the joined errors.
func (h *Hub) Announce(ctx context.Context, r Reply) error {
	var errs []error
	for _, p := range h.Announcers() {
		errs = append(errs, h.AnnouncePlatform(ctx, p, r))
	}
	return errors.Join(errs...)
}

// ErrDirectMessagesRefused is in the error of a Send to a member when the
// platform refuses to open more direct messages for now (Discord's spam
// protection, error 40003), which no prompt retry changes. Whoever sends
// direct messages to many members stops there rather than press on, since
// pressing on can get the bot quarantined.
var ErrDirectMessagesRefused = errors.New("the platform refuses to open more direct messages for now")

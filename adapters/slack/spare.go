package slack

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/pace"
)

// DefaultSocketConnections is how many Socket Mode connections the
// adapter keeps open when Options.SocketConnections is zero: one, and a
// spare. Slack sends each event to one of an app's connections (it allows
// up to ten), so while one reconnects the events flow through the other;
// without a spare, a cut connection holds members' questions up until
// apps.connections.open, one a minute, allows another.
const DefaultSocketConnections = 2

// maxSocketConnections is the most connections Slack lets an app keep.
const maxSocketConnections = 10

// sockets coordinates the adapter's Socket Mode connections: how many are
// live, and when the next may be opened. apps.connections.open is Tier 1
// (one call a minute across the workspace), so each connection but the
// only one waits for its turn within the tier; when no connection is
// live, the first (the primary) opens at once, and a 429 says how long
// Slack wants it to wait.
type sockets struct {
	clock bot.Clock
	turns *pace.Budget // apps.connections.open's tier

	mu      sync.Mutex
	live    int
	none    chan struct{} // closed while no connection is live
	started chan struct{} // closed once the primary has taken its first turn
	once    sync.Once
}

func newSockets(clock bot.Clock) *sockets {
	none := make(chan struct{})
	close(none)
	return &sockets{clock: clock, turns: pace.NewBudget(clock, pace.Margin(pace.SlackTier(pace.SlackTier1))), none: none, started: make(chan struct{})}
}

// up records a connection greeted by Slack.
func (s *sockets) up() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live == 0 {
		s.none = make(chan struct{})
	}
	s.live++
}

// down records the end of a connection up recorded.
func (s *sockets) down() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live--; s.live == 0 {
		close(s.none)
	}
}

// Live returns how many connections are live.
func (s *sockets) Live() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live
}

// turn waits until a connection may be opened: at once for the primary
// while no connection is live; otherwise when apps.connections.open's
// tier allows, or until ctx ends. A primary waiting its turn goes at once
// when the last live connection drops. The spares take their turns after
// the primary's first.
func (s *sockets) turn(ctx context.Context, primary bool) error {
	if primary {
		defer s.once.Do(func() { close(s.started) })
	} else {
		select {
		case <-s.started:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	wait := s.turns.Reserve("apps.connections.open")
	s.mu.Lock()
	none := s.none
	s.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	if !primary {
		none = nil // a spare always waits its turn
	}
	select {
	case <-none:
		return nil
	default:
	}
	due := make(chan struct{})
	stop := bot.AfterFunc(s.clock, wait, func() { close(due) })
	defer stop()
	select {
	case <-due:
		return nil
	case <-none:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting %v for apps.connections.open's turn: %w", wait.Round(time.Second), ctx.Err())
	}
}

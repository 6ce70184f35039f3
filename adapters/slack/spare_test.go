package slack

import (
	"slices"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// TestSpareConnectionCarriesEventsWhileOneReconnects keeps two Socket Mode
// connections against a Slack that allows apps.connections.open once a
// minute: the spare opens when the tier allows, and when the first is
// cut, a question sent at once is answered through the spare, the clock
// standing still, while the cut connection waits its turn to reopen.
func TestSpareConnectionCarriesEventsWhileOneReconnects(t *testing.T) {
	srv, clock, a := throttledAdapter(t, newTestBot(), func(o *Options) { o.SocketConnections = 2 })
	live := func(want ...int) func() bool {
		return func() bool { return slices.Equal(srv.Live(), want) && a.sockets.Live() == len(want) }
	}
	bottest.WaitFor(t, "the first connection, the spare waiting for its turn", func() bool {
		return live(0)() && clock.Timers() == 1
	})
	turn := a.sockets.turns.Limit().Interval() // a minute, and a margin
	clock.Advance(turn)
	bottest.WaitFor(t, "the spare connection a minute later", live(0, 1))

	srv.DropConnection(0)
	bottest.WaitFor(t, "the cut connection seen, waiting for its turn", func() bool { return live(1)() && clock.Timers() == 1 })
	srv.SendEvent("e1", slacktest.Mention("U1", "C1", "<@UBOT> question through the spare", "1700002000.000000", ""))
	bottest.WaitFor(t, "the answer, the clock standing still", func() bool {
		for _, c := range srv.Posts() {
			if c.Err == "" && strings.Contains(c.Text(), "question through the spare") {
				return true
			}
		}
		return false
	})
	clock.Advance(turn)
	bottest.WaitFor(t, "the cut connection open again when its turn came", live(1, 2))
	if n := srv.RateLimited(); n != 0 {
		t.Errorf("Slack refused %d calls; the connections should open within apps.connections.open's tier", n)
	}
}

func TestSocketConnectionsAreWithinSlacksLimit(t *testing.T) {
	srv := slacktest.NewServer(t)
	for _, n := range []int{-1, 11} {
		opts := testOptions(t, srv)
		opts.SocketConnections = n
		if _, err := New(opts); err == nil {
			t.Errorf("%d Socket Mode connections accepted", n)
		}
	}
	opts := testOptions(t, srv)
	opts.SocketConnections = 0
	a, err := newAdapter(opts)
	if err != nil || a.opts.SocketConnections != DefaultSocketConnections {
		t.Errorf("no number of connections given: %d, %v; want the default %d", a.opts.SocketConnections, err, DefaultSocketConnections)
	}
}

package discord

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// fakeHolds is a role held by one process at a time, as a database lock
// is; each process asks through its own handle.
type fakeHolds struct {
	mu     sync.Mutex
	holder int // 0 when free
	lost   chan struct{}
	tries  map[int]int
}

// handle is process id's way to the holds.
type handle struct {
	f  *fakeHolds
	id int
}

func (h handle) TryLead(ctx context.Context, role string) (<-chan struct{}, func(), bool, error) {
	f := h.f
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries[h.id]++
	if f.holder != 0 {
		return nil, nil, false, nil
	}
	f.holder, f.lost = h.id, make(chan struct{})
	lost := f.lost
	release := func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.lost == lost {
			f.holder = 0
			close(lost)
			f.lost = nil
		}
	}
	return lost, release, true, nil
}

// kill ends the holder's hold, as the death of its process or its
// connection does, and returns who held it.
func (f *fakeHolds) kill() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	was := f.holder
	if f.lost != nil {
		close(f.lost)
	}
	f.holder, f.lost = 0, nil
	return was
}

func (f *fakeHolds) state() (holder, tries1, tries2 int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.holder, f.tries[1], f.tries[2]
}

// TestOneProcessHoldsTheGateway runs two adapters of one installation
// against one Discord: only the holder of the gateway role connects,
// while the other keeps trying; when the holder's hold ends, it leaves
// the gateway, and once its process is gone the other connects within
// one retry interval (3 s on
// the clock, well inside Discord's and members' patience of 10 s).
func TestOneProcessHoldsTheGateway(t *testing.T) {
	f := discordtest.NewServer(t)
	clock := bot.NewManualClock(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC))
	holds := &fakeHolds{tries: map[int]int{}}
	router := bot.NewRouter(bot.StewardSet{}, bottest.DiscardLogger())
	cmds, err := NewSlashCommands(router.Commands())
	if err != nil {
		t.Fatal(err)
	}
	runs := map[int]*bottest.Running[error]{}
	ads := map[int]bot.Connector{}
	for id := 1; id <= 2; id++ {
		ad, err := New(Options{Token: f.Token(), GuildID: discordtest.GuildID, APIURL: f.URL(), HTTPClient: f.Client(),
			Logger: bottest.DiscardLogger(), Clock: clock, Commands: cmds, Leadership: handle{holds, id}})
		if err != nil {
			t.Fatal(err)
		}
		ads[id] = ad.(bot.Connector)
		runs[id] = bottest.Start(t, func(ctx context.Context) error { return ad.Run(ctx, router) })
	}
	bottest.WaitFor(t, "one process on the gateway and the other refused", func() bool {
		holder, t1, t2 := holds.state()
		return holder != 0 && t1 > 0 && t2 > 0 && f.Gateway().Connected
	})
	clock.Advance(DefaultLeaderRetry) // the other tries again, in vain
	bottest.WaitFor(t, "the other's second try", func() bool {
		holder, t1, t2 := holds.state()
		return holder != 0 && t1+t2 >= 3
	})
	if g := f.Gateway(); g.Identifies != 1 {
		t.Fatalf("%d gateway sessions with one holder, want 1", g.Identifies)
	}
	// Both are ready: one holds the gateway, the other stands by and
	// serves interactions, so a load balancer keeps both.
	bottest.WaitFor(t, "both processes ready", func() bool { return ads[1].Connected() && ads[2].Connected() })

	was := holds.kill()
	bottest.WaitFor(t, "the old holder to leave the gateway", func() bool { return !f.Gateway().Connected })
	if err := runs[was].Stop(); err != nil { // its process is gone
		t.Fatal(err)
	}
	clock.Advance(DefaultLeaderRetry)
	bottest.WaitFor(t, "the other process to take over the gateway", func() bool {
		holder, _, _ := holds.state()
		return holder != 0 && holder != was && f.Gateway().Connected && f.Gateway().Identifies == 2
	})
}

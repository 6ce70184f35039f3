package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/adapters/slack/slacktest"
)

// Where reminders are announced on each platform, and where the
// steward adds them.
const (
	stewardsChannel = "CSTEWARDS"
	slackAnnounce   = "CANNOUNCE"
	discordAnnounce = "830000000000000200"
)

// game is one scripted day in progress: the fakes, the process, and what
// has been sent.
type game struct {
	sl   *slacktest.Server
	dc   *discordtest.Server
	proc *process

	memMu sync.Mutex
	mem   []*sampler // one per process started

	// sending is held (read) while a member's event is sent, and
	// (write) while a connection is cut, so that nothing is written on
	// a socket being dropped.
	sending sync.RWMutex

	polls     []*poll
	reminders []string // the texts of the reminders added
	stormed   map[string]int
}

// send runs f while no connection is being cut.
func (g *game) send(f func()) {
	g.sending.RLock()
	defer g.sending.RUnlock()
	f()
}

// waitFor polls cond until it holds, the process exits, or timeout passes.
func (g *game) waitFor(what string, timeout time.Duration, cond func() bool) error {
	return waitFor(what, timeout, g.proc.exited, cond)
}

// remind has the Slack steward add a reminder due after in.
func (g *game) remind(in time.Duration, text string) {
	g.reminders = append(g.reminders, text)
	g.send(func() {
		g.sl.SendSlashCommand(fmt.Sprintf("remind-%d", len(g.reminders)), "/reminders", fmt.Sprintf("add in %ds %s", int(in.Seconds()), text), slackSteward, stewardsChannel)
	})
}

// announced counts, per platform, the announcements of each reminder.
func (g *game) announced() map[string]map[string]int {
	out := map[string]map[string]int{"slack": {}, "discord": {}}
	for _, text := range g.reminders {
		for _, c := range g.sl.Posts() {
			if c.Err == "" && c.Form.Get("channel") == slackAnnounce && strings.Contains(c.Text(), text) {
				out["slack"][text]++
			}
		}
		for _, m := range g.dc.ChannelMessages(discordAnnounce) {
			if strings.Contains(m.Text(), text) {
				out["discord"][text]++
			}
		}
	}
	return out
}

// remindersOnce reports whether every reminder was announced exactly once
// on each platform.
func (g *game) remindersOnce() bool {
	for _, byText := range g.announced() {
		for _, text := range g.reminders {
			if byText[text] != 1 {
				return false
			}
		}
	}
	return true
}

// dropSlack cuts the oldest of the bot's Socket Mode connections; the
// events go on through its spare, and the bot opens a new connection when
// apps.connections.open (one a minute) allows.
func (g *game) dropSlack() error {
	g.sending.Lock()
	defer g.sending.Unlock()
	live := g.sl.Live()
	if len(live) < 2 {
		return fmt.Errorf("the bot holds %d Slack connections; cutting one would leave none", len(live))
	}
	log.Printf("cutting one of the bot's %d Slack connections", len(live))
	g.sl.DropConnection(live[0])
	return g.waitFor("the cut Slack connection closed", 10*time.Second, func() bool { return !slices.Contains(g.sl.Live(), live[0]) })
}

// dropDiscord cuts the gateway connection; the bot resumes, and Discord
// replays what it missed.
func (g *game) dropDiscord() error {
	log.Print("cutting the Discord gateway connection")
	g.dc.Drop()
	return g.waitFor("Discord resumed", time.Minute, func() bool { return g.dc.Gateway().Connected })
}

// storm makes each platform refuse n of the bot's posts with 429s beyond
// its documented limits.
func (g *game) storm(n int) {
	log.Printf("a storm of 429s: the next %d posts on each platform are refused", n)
	g.sl.FailNext("chat.postMessage", n, slacktest.Failure{Status: 429, RetryAfter: "1"})
	g.dc.RateLimit(discordtest.RouteCreateMessage, n, time.Second)
	g.stormed = map[string]int{"slack": n, "discord": n}
}

// refusals counts, per platform, the 429s the fakes answered, those
// forced in the storm included.
func (g *game) refusals() map[string]int {
	discord := 0
	for _, c := range g.dc.Calls() {
		if c.Status == http.StatusTooManyRequests {
			discord++
		}
	}
	return map[string]int{"slack": g.sl.RateLimited(), "discord": discord}
}

// restart kills the process with SIGKILL, starts it again on the same
// database and waits until the new process has connected to both
// platforms (the fakes may not yet have noticed the old connections
// close).
func (g *game) restart() error {
	sockets, identifies := g.sl.Sockets(), g.dc.Gateway().Identifies
	log.Print("SIGKILL")
	g.proc.kill()
	if err := g.proc.start(); err != nil {
		return err
	}
	g.memMu.Lock()
	g.mem = append(g.mem, newSampler(g.proc.pid()))
	g.memMu.Unlock()
	return g.waitFor("both platforms connected again", 2*time.Minute, func() bool {
		gw := g.dc.Gateway()
		return g.sl.Sockets() > sockets && g.sl.Connected() && gw.Identifies > identifies && gw.Connected
	})
}

// sample samples the running process's memory and threads.
func (g *game) sample() {
	g.memMu.Lock()
	m := g.mem[len(g.mem)-1]
	g.memMu.Unlock()
	m.sample()
}

// watch samples the running process every 200 ms until ctx ends, so
// that the peaks are those of the whole day.
func (g *game) watch(ctx context.Context) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			g.sample()
		}
	}
}

// peak is the highest memory and threads of every process started.
func (g *game) peak() procStatus {
	g.memMu.Lock()
	defer g.memMu.Unlock()
	var peak procStatus
	for _, m := range g.mem {
		p := m.peak()
		peak.hwm, peak.threads = max(peak.hwm, p.hwm), max(peak.threads, p.threads)
	}
	return peak
}

// castVotes sends clicks spread over window. When kill is set, it sends
// a rush of clicks back to back halfway, adds a reminder due while the
// process is down, kills the process with SIGKILL in the rush's wake and
// starts it again, then sends again every click that was not
// acknowledged, as the platforms redeliver them (Slack) or members click
// again (Discord). It counts the clicks sent per poll in sent, and
// returns the clicks with their IDs.
func (g *game) castVotes(clicks []click, window time.Duration, kill bool, sent map[*poll]int) ([]click, error) {
	const rush = 20
	half := len(clicks) / 2
	start := time.Now()
	var done []click
	for i, c := range clicks {
		inRush := kill && i >= half-rush && i < half
		if wait := time.Until(start.Add(time.Duration(i) * window / time.Duration(len(clicks)))); wait > 0 && !inRush {
			time.Sleep(wait)
		}
		if kill && i == half-rush {
			if err := g.remindWhileDown(); err != nil {
				return done, err
			}
		}
		if kill && i == half {
			if err := g.killDuringVotes(done, sent); err != nil {
				return done, err
			}
		}
		g.send(func() { done = append(done, g.vote(c, i)) })
		sent[c.poll]++
	}
	return done, nil
}

// remindWhileDown adds a reminder due while the process is down, and
// waits until it is confirmed (stored).
func (g *game) remindWhileDown() error {
	const text = "Vote today, last call"
	g.remind(3*time.Second, text)
	return g.waitFor("the last reminder confirmed", time.Minute, func() bool {
		for _, c := range g.sl.Posts() {
			if c.Form.Get("channel") == stewardsChannel && strings.Contains(c.Text(), text) {
				return true
			}
		}
		return false
	})
}

// killDuringVotes kills and restarts the process right after the clicks
// done, and sends again those that were not acknowledged.
func (g *game) killDuringVotes(done []click, sent map[*poll]int) error {
	if err := g.restart(); err != nil {
		return err
	}
	acked := 0
	for _, d := range done {
		if g.acked(d) {
			acked++
			continue
		}
		d.retry = true
		g.send(func() { g.vote(d, len(done)) })
		sent[d.poll]++
	}
	log.Printf("before the kill, %d of this round's %d clicks were acknowledged; the other %d are sent again", acked, len(done), len(done)-acked)
	return nil
}

// resent is the clicks of a previous round that Slack redelivers: the
// retries in round carry the envelope ID of the voter's first click.
func resent(round []click, first []click) []click {
	ids := map[*poll]map[int]string{}
	for _, c := range first {
		if ids[c.poll] == nil {
			ids[c.poll] = map[int]string{}
		}
		ids[c.poll][c.member] = c.id
	}
	out := make([]click, len(round))
	for i, c := range round {
		if c.retry {
			c.id = ids[c.poll][c.member]
		}
		out[i] = c
	}
	return out
}

// refusalDetail lists, per platform, the 429s the fakes answered after
// since, by what was refused (a Slack method and channel, a Discord route
// and channel) with the seconds since since of each, so that the
// unforced ones can be told apart from the storm.
func (g *game) refusalDetail(since time.Time) map[string][]string {
	out := map[string][]string{}
	for _, c := range g.sl.Calls() {
		if c.Err == "429" {
			out["slack"] = append(out["slack"], fmt.Sprintf("%.1fs %s %s", c.At.Sub(since).Seconds(), c.Method, c.Form.Get("channel")))
		}
	}
	for _, c := range g.dc.Calls() {
		if c.Status == http.StatusTooManyRequests {
			out["discord"] = append(out["discord"], fmt.Sprintf("%.1fs %v %s", c.At.Sub(since).Seconds(), c.Route, c.ChannelID))
		}
	}
	return out
}

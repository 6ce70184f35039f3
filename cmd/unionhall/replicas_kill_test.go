package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// buildUnionhall builds the program into a temporary directory.
func buildUnionhall(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "unionhall")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is one "unionhall run" process.
type process struct {
	cmd     *exec.Cmd
	log     *lockedWriter
	done    chan struct{}
	stopped atomic.Bool // by SIGSTOP
}

// stop makes the process hang, as a process does that the machine no
// longer schedules: it keeps its connections open and reads nothing.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	// kill(2) returns before every thread has stopped: a thread running
	// on another core can still read and acknowledge an envelope sent in
	// that moment. The process hangs once the kernel shows each of its
	// threads stopped.
	bottest.WaitFor(t, "every thread of the process stopped", func() bool {
		return allThreadsStopped(p.cmd.Process.Pid)
	})
	p.stopped.Store(true)
}

// allThreadsStopped reports whether /proc shows every thread of process
// pid in the stopped state.
func allThreadsStopped(pid int) bool {
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if err != nil || len(stats) == 0 {
		return false
	}
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			return false
		}
		// The state follows the command name, which is in parentheses
		// and may itself hold spaces or parentheses.
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		if fields := strings.Fields(rest); len(fields) == 0 || fields[0] != "T" {
			return false
		}
	}
	return true
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func startProcess(t *testing.T, bin string, env []string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, "run"), log: &lockedWriter{b: &strings.Builder{}}, done: make(chan struct{})}
	p.cmd.Dir, p.cmd.Env = t.TempDir(), env
	w := p.log
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		<-p.done
		if t.Failed() {
			t.Logf("process %d's log:\n%s", p.cmd.Process.Pid, w.String())
		}
	})
	return p
}

// TestTwoProcessesSurviveAKill runs two "unionhall run" processes on one
// PostgreSQL database, against a local Slack (each with its own Socket
// Mode connection, every event going to one of them at random, and an
// event not acknowledged in time delivered again on the other) and a
// local Discord. 1,000 members vote twice each in a direct message to the
// bot (the second vote changes the first). Half-way through the first round
// a reminder and a second poll's close are set through the process
// holding the Discord gateway, due a few seconds later; then that process
// hangs (SIGSTOP) while events keep coming to it, and is killed with
// SIGKILL. The events it received but never acknowledged reach the
// survivor by redelivery, and their members are answered without voting
// again; a member whose vote the dead process acknowledged but never
// answered votes again, as Slack does not deliver an acknowledged event
// twice. Afterwards every member is counted once, with their confirmed
// choice; the card shows the exact tally; the reminder was posted once
// and the second poll's result announced once, by the survivor, which
// learned of them from the database at once, not at its next check a
// minute later; and the survivor took the Discord gateway within 10 s of
// the kill.
func TestTwoProcessesSurviveAKill(t *testing.T) {
	url := pgtest.Fresh(t)
	if testing.Short() {
		t.Skip("builds the program and runs two processes for about half a minute")
	}
	const (
		channel  = "C1"
		announce = "C0ANNOUNCE"
		steward  = "USTEWARD"
		members  = 1000
		// hung is how many members vote while the first process hangs.
		hung = 40
		// patience is how long a member whose vote Slack saw acknowledged
		// waits for an answer before voting again.
		patience = 20 * time.Second
	)
	bin := buildUnionhall(t)
	s := slacktest.NewServer(t)
	d := discordtest.NewServer(t)
	env := []string{
		"UNIONHALL_DB=" + url, "UNIONHALL_STEWARDS=slack:" + steward, "UNIONHALL_LOG_LEVEL=warn",
		"SLACK_BOT_TOKEN=" + slacktest.BotToken, "SLACK_APP_TOKEN=" + slacktest.AppToken, "SLACK_API_URL=" + s.APIURL(),
		"SLACK_ANNOUNCE_CHANNEL=#" + announce,
		"DISCORD_TOKEN=" + d.Token(), "DISCORD_API_URL=" + d.URL(), "DISCORD_GUILD_ID=" + discordtest.GuildID,
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range s.Posts() {
				t.Logf("posted in %s: %.200q", p.Form.Get("channel"), p.Text())
			}
		}
	})
	first := startProcess(t, bin, env)
	bottest.WaitFor(t, "the first process on Slack and the Discord gateway", func() bool {
		return len(s.Live()) == 1 && d.Gateway().Connected
	})
	startProcess(t, bin, env)
	bottest.WaitFor(t, "the second process on Slack", func() bool { return len(s.Live()) == 2 })

	n := 0
	// slash sends a slash command user typed in the channel; the bot
	// answers through its response URL.
	slash := func(conn int, user, command, text string) string {
		n++
		id := fmt.Sprintf("env-%d", n)
		s.SendOn(conn, slacktest.SlashCommandEnvelope(id, slacktest.SlashCommand(command, text, user, channel, s.ResponseURL(id), "T-"+id)))
		return id
	}
	// mention sends an event: user mentions the bot in the channel. The bot
	// answers a command privately, with an ephemeral message.
	mention := func(conn int, user, text string) string {
		n++
		id := fmt.Sprintf("env-%d", n)
		ts := fmt.Sprintf("1700000000.%06d", n)
		s.SendOn(conn, slacktest.EventsAPIEnvelope(id, "Ev"+id, 0, slacktest.Mention(user, channel, "<@"+slacktest.BotUserID+"> "+text, ts, "")))
		return id
	}
	anyConn := func() int { live := s.Live(); return live[rand.IntN(len(live))] }
	postsOf := func(ch, text string) []slacktest.Call {
		var out []slacktest.Call
		for _, p := range s.Posts() {
			if p.Form.Get("channel") == ch && strings.Contains(p.Text(), text) {
				out = append(out, p)
			}
		}
		return out
	}
	// ephemerals counts the ephemeral answers each member has had.
	ephemerals := func() map[string]int {
		c := map[string]int{}
		for _, e := range s.Ephemerals() {
			c[e.Form.Get("user")]++
		}
		return c
	}

	slash(0, steward, "/poll", `"Strike?" "Yes" "No"`)
	bottest.WaitFor(t, "the poll card", func() bool { return len(postsOf(channel, "Strike?")) > 0 })
	var cardTS string
	for _, p := range postsOf(channel, "Strike?") {
		cardTS = p.TS
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// A process learns where a card is shown from the database the first
	// time it updates the card, and only then; the process that posted it
	// records it there in the background. Members vote once it is there.
	bottest.WaitFor(t, "the card's location in the database", func() bool {
		var known bool
		err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM card_locations WHERE location = $1)`, channel+"/"+cardTS).Scan(&known)
		return err == nil && known
	})

	// ballot is one member's vote in a round: the envelope it went in,
	// and for a vote by mention, how many ephemeral answers the member had
	// before.
	type ballot struct {
		id        string
		byMention bool
		before    int
	}
	// byMention tells the members who vote by mentioning the bot rather
	// than with /vote: those who vote while the first process hangs.
	byMention := func(i int) bool { return i >= members/2 && i < members/2+hung }
	// hungOn are the envelopes sent to the first process while it hung.
	var hungOn []string
	var killed time.Time
	// vote has every member vote, on a connection picked at random, and
	// vote again when their vote went unanswered: a slash command that
	// went to a process now dead (Slack does not deliver one again), an
	// event the dead process acknowledged, or one acknowledged longer ago
	// than a member's patience. during, when set, runs before member i
	// votes.
	vote := func(round int, choice func(i int) int, during func(i int)) (again int) {
		ballots := map[int]ballot{}
		cast := func(i int, counts map[string]int) {
			user, args := fmt.Sprintf("U%04d", i), fmt.Sprintf("1 %d", choice(i))
			if round == 1 && byMention(i) {
				ballots[i] = ballot{id: mention(anyConn(), user, "/vote "+args), byMention: true, before: counts[user]}
			} else {
				ballots[i] = ballot{id: slash(anyConn(), user, "/vote", args)}
			}
		}
		base := ephemerals()
		for i := range members {
			if during != nil {
				during(i)
			}
			cast(i, base)
			if id := ballots[i].id; first.stopped.Load() && !first.exited() {
				if ds := s.Deliveries(id); len(ds) > 0 && ds[0].Conn == 0 {
					hungOn = append(hungOn, id)
				}
			}
		}
		for {
			var lost []int
			bottest.WaitFor(t, "every vote answered, or given up on", func() bool {
				counts, live := ephemerals(), s.Live()
				lost = lost[:0]
				for i, b := range ballots {
					if b.byMention && counts[fmt.Sprintf("U%04d", i)] > b.before || !b.byMention && len(s.ResponsePosts(b.id)) > 0 {
						continue
					}
					ds := s.Deliveries(b.id)
					acked, ackedDead, ago := ackedOn(ds, live)
					if ackedDead || acked && ago > patience || !b.byMention && !slices.Contains(live, ds[0].Conn) {
						lost = append(lost, i)
						continue
					}
					return false
				}
				return true
			})
			if len(lost) == 0 {
				return again
			}
			counts := ephemerals()
			for _, i := range lost {
				cast(i, counts)
				again++
			}
		}
	}
	again := vote(1, func(int) int { return 1 }, func(i int) {
		switch i {
		case members / 2:
			// Set through the process about to die, due while it is dead:
			// the survivor hears of them from the database at once.
			slash(0, steward, "/poll", `"Overtime?" "Yes" "No" --closes in 5s`)
			slash(0, steward, "/reminders", "add in 5s Ballots are due")
			bottest.WaitFor(t, "the second poll and the reminder", func() bool {
				return len(postsOf(channel, "Overtime?")) > 0 && len(postsOf(channel, "Ballots are due")) > 0
			})
			first.stop(t)
		case members/2 + hung:
			first.cmd.Process.Signal(syscall.SIGKILL)
			<-first.done
			killed = time.Now()
			bottest.WaitFor(t, "the killed process's connection to close", func() bool { return len(s.Live()) == 1 })
			bottest.WaitFor(t, "the survivor on the Discord gateway", func() bool {
				return d.Gateway().Connected && d.Gateway().Identifies == 2
			})
			if took := time.Since(killed); took > 10*time.Second {
				t.Errorf("the survivor took the Discord gateway %s after the kill, want within 10 s", took)
			}
		}
	})
	t.Logf("%d events went to the hung process; %d members voted again", len(hungOn), again)
	if len(hungOn) == 0 {
		t.Error("no event went to the hung process")
	}
	for _, id := range hungOn {
		ds := s.Deliveries(id)
		if len(ds) < 2 || ds[0].Acked || !ds[len(ds)-1].Acked || ds[len(ds)-1].Conn != 1 || ds[len(ds)-1].RetryAttempt < 1 {
			t.Errorf("deliveries of %s, sent to the hung process: %+v; want it never acknowledged there, then delivered again to the survivor and acknowledged", id, ds)
		}
	}
	if again2 := vote(2, func(i int) int { return 1 + i%2 }, nil); again2 != 0 {
		t.Errorf("%d members voted again with only the survivor running, want none", again2)
	}

	bottest.WaitFor(t, "the reminder and the second poll's result", func() bool {
		return len(postsOf(announce, "Ballots are due")) >= 1 && len(postsOf(channel, "Final result")) >= 1
	})
	if g := d.Gateway(); !g.Connected || g.Identifies != 2 {
		t.Errorf("Discord gateway at the end: %+v, want the survivor's session, the second", g)
	}
	card := func() string {
		ups := s.Updates()
		for i := len(ups) - 1; i >= 0; i-- {
			if ups[i].Form.Get("ts") == cardTS {
				return ups[i].Text()
			}
		}
		return ""
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the card last showed: %.300q", card())
			logSessions(t, url)
		}
	})
	bottest.WaitFor(t, "the card to show the final tally", func() bool {
		txt := card()
		return strings.Contains(txt, "1000 members voted") && strings.Count(txt, "500 (50%)") == 2
	})

	var reminderDue, pollDue time.Time
	if err := conn.QueryRow(ctx, `SELECT (SELECT at FROM reminders WHERE text = 'Ballots are due'), (SELECT closes_at FROM polls WHERE id = 2)`).Scan(&reminderDue, &pollDue); err != nil {
		t.Fatal(err)
	}
	if reminderDue.Before(killed) || pollDue.Before(killed) {
		t.Errorf("the reminder was due at %s and the poll at %s, before the kill at %s", reminderDue, pollDue, killed)
	}
	// Without a word from the database, the survivor would find them at
	// its next check, up to a minute late.
	for _, c := range []struct {
		what  string
		posts []slacktest.Call
		due   time.Time
	}{
		{"the reminder", postsOf(announce, "Ballots are due"), reminderDue},
		{"the second poll's result", postsOf(channel, "Final result"), pollDue},
	} {
		if len(c.posts) != 1 {
			t.Errorf("%s was posted %d times, want once", c.what, len(c.posts))
			continue
		}
		if late := c.posts[0].At.Sub(c.due); late > 10*time.Second {
			t.Errorf("%s was posted %s after it fell due, want within seconds", c.what, late)
		}
	}

	var ballots, yes, no int
	err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM poll_ballots WHERE poll_id = 1),
			(SELECT count(*) FROM poll_ballots WHERE poll_id = 1 AND choices = '{1}'),
			(SELECT count(*) FROM poll_ballots WHERE poll_id = 1 AND choices = '{2}') FROM polls WHERE id = 1`).Scan(&ballots, &yes, &no)
	if err != nil {
		t.Fatal(err)
	}
	// The voter count of a poll still open is derived from its ballots, so
	// it is read as the processes read it.
	db, err := postgres.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.Stores().Polls.Poll(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	voters := p.Voters
	if voters != members || ballots != members || yes != members/2 || no != members/2 {
		t.Errorf("poll 1: %d voters, %d ballots, %d yes, %d no; want %d members, half each way", voters, ballots, yes, no, members)
	}
}

// ackedOn reports whether one of an envelope's deliveries was
// acknowledged, whether on a connection no longer live, and how long ago
// the latest delivery was sent.
func ackedOn(ds []slacktest.Delivery, live []int) (acked, dead bool, ago time.Duration) {
	for _, d := range ds {
		if d.Acked {
			acked = true
			dead = dead || !slices.Contains(live, d.Conn)
		}
	}
	if len(ds) > 0 {
		ago = time.Since(ds[len(ds)-1].Sent)
	}
	return acked, dead, ago
}

// logSessions logs, for a test that failed, what each connection to the
// database at url is doing and which card revisions are recorded, so that
// a card left behind can be told from an edit waiting for a lock.
func logSessions(t *testing.T, url string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Logf("cannot read the sessions: %v", err)
		return
	}
	defer c.Close(ctx)
	rows, _ := c.Query(ctx, `SELECT pid, application_name, state, coalesce(wait_event_type || '/' || wait_event, ''),
		(now() - state_change)::text, left(query, 120) FROM pg_stat_activity WHERE datname = current_database()`)
	for rows.Next() {
		var pid int
		var app, state, wait, since, query string
		if rows.Scan(&pid, &app, &state, &wait, &since, &query) == nil {
			t.Logf("session %d %q: %s %s for %s: %q", pid, app, state, wait, since, query)
		}
	}
	rows.Close()
	var revisions string
	var revision int64
	c.QueryRow(ctx, `SELECT coalesce(string_agg(location || ' at revision ' || revision, ', '), ''),
		(SELECT revision FROM polls WHERE id = 1) FROM card_locations`).Scan(&revisions, &revision)
	t.Logf("card locations: %s; poll 1's stored revision %d", revisions, revision)
}

// lockedWriter collects a process's output from its two streams.
type lockedWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
	cmd  *exec.Cmd
	log  *lockedWriter
	done chan struct{}
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
// Mode connection, every delivery going to one of them at random) and a
// local Discord. 1,000 members vote twice each (the second vote changes
// the first); half-way through the first round the process holding the
// Discord gateway is killed with SIGKILL, and members whose vote was not
// confirmed vote again, on the survivor. A reminder and a second poll's
// close fall due while the process is dead. Afterwards every member is
// counted once, with their confirmed choice; the card shows the exact
// tally; the reminder was posted once; the second poll's result was
// announced once; and the survivor took the Discord gateway within 10 s
// of the kill.
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
	send := func(conn int, command, text, user string) string {
		n++
		id := fmt.Sprintf("env-%d", n)
		s.SendOn(conn, slacktest.SlashCommandEnvelope(id, slacktest.SlashCommand(command, text, user, channel, s.ResponseURL(id), "T-"+id)))
		return id
	}
	anyConn := func() int { live := s.Live(); return live[rand.IntN(len(live))] }
	posted := func(ch, text string) int {
		c := 0
		for _, p := range s.Posts() {
			if p.Form.Get("channel") == ch && strings.Contains(p.Text(), text) {
				c++
			}
		}
		return c
	}

	send(0, "/poll", `"Strike?" "Yes" "No"`, steward)
	bottest.WaitFor(t, "the poll card", func() bool { return posted(channel, "Strike?") > 0 })
	var cardTS string
	for _, p := range s.Posts() {
		if strings.Contains(p.Text(), "Strike?") {
			cardTS = p.TS
		}
	}
	// Due while the first process is dead. They are set through the
	// second process, whose schedulers then know them at once; one that
	// learns of a schedule from the database alone looks within a minute.
	send(1, "/poll", `"Overtime?" "Yes" "No" --closes in 12s`, steward)
	send(1, "/reminders", "add in 12s Ballots are due", steward)
	bottest.WaitFor(t, "the second poll and the reminder", func() bool {
		return posted(channel, "Overtime?") > 0 && posted(channel, "Ballots are due") > 0
	})

	// vote has every member vote, on a connection picked at random, and
	// vote again, on a live connection, when the process their vote went
	// to died before answering, as members whose click failed do.
	vote := func(choice func(i int) int, kill func(i int)) {
		ids, conns := map[int]string{}, map[int]int{}
		ballot := func(i int) {
			conns[i] = anyConn()
			ids[i] = send(conns[i], "/vote", fmt.Sprintf("1 %d", choice(i)), fmt.Sprintf("U%04d", i))
		}
		for i := range members {
			if kill != nil {
				kill(i)
			}
			ballot(i)
		}
		for {
			var lost []int
			bottest.WaitFor(t, "every vote answered or lost with its process", func() bool {
				live := s.Live()
				lost = lost[:0]
				for i, id := range ids {
					if len(s.ResponsePosts(id)) > 0 {
						continue
					}
					if !slices.Contains(live, conns[i]) {
						lost = append(lost, i)
						continue
					}
					return false
				}
				return true
			})
			if len(lost) == 0 {
				return
			}
			for _, i := range lost {
				ballot(i)
			}
		}
	}
	vote(func(int) int { return 1 }, func(i int) {
		if i == members/2 {
			first.cmd.Process.Signal(syscall.SIGKILL)
			<-first.done
			killed := time.Now()
			bottest.WaitFor(t, "the killed process's connection to close", func() bool { return len(s.Live()) == 1 })
			bottest.WaitFor(t, "the survivor on the Discord gateway", func() bool {
				return d.Gateway().Connected && d.Gateway().Identifies == 2
			})
			if took := time.Since(killed); took > 10*time.Second {
				t.Errorf("the survivor took the Discord gateway %s after the kill, want within 10 s", took)
			}
		}
	})
	vote(func(i int) int { return 1 + i%2 }, nil)

	bottest.WaitFor(t, "the reminder and the second poll's result", func() bool {
		return posted(announce, "Ballots are due") >= 1 && posted(channel, "Final result") >= 1
	})
	if g := d.Gateway(); !g.Connected || g.Identifies != 2 {
		t.Errorf("Discord gateway at the end: %+v, want the survivor's session, the second", g)
	}
	bottest.WaitFor(t, "the card to show the final tally", func() bool {
		ups := s.Updates()
		for i := len(ups) - 1; i >= 0; i-- {
			if ups[i].Form.Get("ts") == cardTS {
				txt := ups[i].Text()
				return strings.Contains(txt, "1000 members voted") && strings.Count(txt, "500 (50%)") == 2
			}
		}
		return false
	})
	if c := posted(announce, "Ballots are due"); c != 1 {
		t.Errorf("the reminder was posted %d times on Slack, want once", c)
	}
	if c := posted(channel, "Final result"); c != 1 {
		t.Errorf("the second poll's result was announced %d times, want once", c)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
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

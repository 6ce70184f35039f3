package storetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// crashVoters is how many members vote at once in the crash test's child.
const crashVoters = 16

// crashChild is the child process of testCrashKeepsConfirmedVotes: it
// votes in the database at addr until it is killed, printing each
// confirmed vote. The database holds two polls in the console channel: an
// open ballot, then a secret one.
func crashChild(e Engine, addr string) {
	ctx := context.Background()
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(3)
	}
	s, err := e.Open(ctx, addr, nil)
	if err != nil {
		fail(err)
	}
	ps, err := s.Polls.OpenPolls(ctx, bot.PlatformConsole, "console")
	if err != nil || len(ps) != 2 {
		fail(fmt.Errorf("want the two polls of the test, got %d: %v", len(ps), err))
	}
	open, secret := ps[0].ID, ps[1].ID
	svc, err := polls.New(polls.Config{Store: s.Polls, Poster: bot.NewHub(), Log: quiet})
	if err != nil {
		fail(err)
	}
	var out sync.Mutex
	confirm := func(format string, args ...any) {
		out.Lock()
		defer out.Unlock()
		// One write per line: the parent sees whole lines only.
		os.Stdout.WriteString(fmt.Sprintf(format, args...) + "\n")
	}
	var next sync.Mutex
	n := 0
	for range crashVoters {
		go func() {
			for {
				next.Lock()
				i := n
				n++
				next.Unlock()
				voter := bot.User{ID: fmt.Sprintf("console:m%d", i)}
				a, b := 1+i%2, 2-i%2
				if _, err := svc.Vote(ctx, polls.VoteRequest{PollID: open, Voter: voter, Choices: []int{a}}); err == nil {
					confirm("open %d %d", i, a)
				}
				if _, err := svc.Vote(ctx, polls.VoteRequest{PollID: secret, Voter: voter, Choices: []int{a}}); err == nil {
					confirm("secret %d %d", i, a)
				}
				if _, err := svc.Vote(ctx, polls.VoteRequest{PollID: open, Voter: voter, Choices: []int{b}}); err == nil {
					confirm("open %d %d", i, b)
				}
			}
		}()
	}
	select {}
}

// testCrashKeepsConfirmedVotes kills (SIGKILL) a process while members
// vote in it, then checks that every vote it confirmed is in the database
// and none is counted twice.
func testCrashKeepsConfirmedVotes(t *testing.T, e Engine) {
	clock := bot.NewManualClock(PollsStart())
	d := fresh(t, e, clock)
	env := newPollsEnv(t, d.open(), clock)
	open := env.openPoll(t, polls.OpenRequest{Question: "Open?", Options: []string{"Yes", "No"}})
	secret := env.openPoll(t, polls.OpenRequest{Question: "Secret?", Options: []string{"Yes", "No"}, Secret: true})
	closeStores(t, env.stores)

	cmd := exec.Command(os.Args[0], "-test.run=^"+topTest(t)+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+d.addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	openConfirmed := map[int][]int{} // member -> confirmed choices in order
	secretConfirmed := map[int]int{}
	sc := bufio.NewScanner(stdout)
	lines, killed := 0, false
	for sc.Scan() {
		var kind string
		var i, c int
		if _, err := fmt.Sscan(sc.Text(), &kind, &i, &c); err != nil {
			t.Fatalf("child said %q (stderr %s)", sc.Text(), stderr.String())
		}
		if kind == "open" {
			openConfirmed[i] = append(openConfirmed[i], c)
		} else {
			secretConfirmed[c]++
		}
		if lines++; lines == 1500 && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended before it was killed: %v, stderr %s", err, stderr.String())
	}

	s := d.open()
	ballots, err := s.Polls.Ballots(context.Background(), open.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int][]int{}
	for _, b := range ballots {
		var i int
		fmt.Sscanf(b.Voter, "console:m%d", &i)
		stored[i] = b.Choices
	}
	for i, cs := range openConfirmed {
		got, ok := stored[i]
		if !ok {
			t.Fatalf("member %d's confirmed vote %v is lost", i, cs)
		}
		last := cs[len(cs)-1]
		// The change after a confirmed first vote may have committed
		// without its confirmation being printed; nothing else may.
		a, b := 1+i%2, 2-i%2
		okState := slices.Equal(got, []int{last}) || len(cs) == 1 && last == a && slices.Equal(got, []int{b})
		if !okState {
			t.Fatalf("member %d: confirmed %v, stored %v", i, cs, got)
		}
	}
	_, secretCounts := consistent(t, s, secret.ID, true)
	for c, n := range secretConfirmed {
		if secretCounts[c] < n || secretCounts[c] > n+crashVoters {
			t.Fatalf("secret option %d: %d confirmed, %d stored", c, n, secretCounts[c])
		}
	}
	consistent(t, s, open.ID, false)
	t.Logf("killed after %d confirmations: %d open-ballot members, %d secret votes stored", lines, len(stored), secretCounts[1]+secretCounts[2])
}

// topTest is the name of the top-level test running t.
func topTest(t *testing.T) string {
	name, _, _ := strings.Cut(t.Name(), "/")
	return name
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
)

// say sends text as user through the router and returns what the bot
// answered.
func (e *pollsEnv) say(user, text string) string {
	rec := &bottest.Recorder{}
	e.router.Dispatch(context.Background(), rec, bottest.Message(user, text))
	return rec.Text()
}

// recordedOnce counts the answers to member i's votes that say recorded,
// and fails the test on any that says neither that nor "already counted".
func recordedOnce(t testing.TB, i int, answers []string, recorded string) int {
	t.Helper()
	n := 0
	for _, s := range answers {
		switch {
		case strings.Contains(s, recorded):
			n++
		case !strings.Contains(s, "already counted"):
			t.Fatalf("member %d: unexpected answer %q", i, s)
		}
	}
	return n
}

// btoi is 1 for true and 0 for false.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// testConcurrentVotes has 500 members vote at once through the router,
// some clicking twice at the same moment and some changing their vote, on
// an open and a secret ballot. The tallies must come out exact.
func testConcurrentVotes(t *testing.T, e Engine) {
	env := freshPolls(t, e)
	open := env.openPoll(t, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No", "Undecided"}})
	secret := env.openPoll(t, polls.OpenRequest{Question: "Ratify (secret)?", Options: []string{"Yes", "No", "Undecided"}, Secret: true})
	ballots := []*polls.Poll{open, secret}
	const members = 500
	first := func(i int) int { return i%3 + 1 }
	changes := func(i int) bool { return i%7 == 0 }
	twice := func(i int) bool { return i%5 == 0 }
	second := func(i int) int { return (i+1)%3 + 1 }

	// answers[i][k] are member i's answers on ballots[k]: one a click,
	// then the change's.
	answers := make([][2][]string, members)
	together(members, func(i int) {
		user := fmt.Sprintf("m%03d", i)
		clicks := 1
		if twice(i) {
			clicks = 2
		}
		for k := range ballots {
			answers[i][k] = make([]string, clicks, clicks+1)
		}
		// Each click votes on both ballots, all clicks at once.
		together(2*clicks, func(j int) {
			k, click := j%2, j/2
			answers[i][k][click] = env.say(user, fmt.Sprintf("/vote %d %d", ballots[k].ID, first(i)))
		})
		if changes(i) {
			for k, p := range ballots {
				answers[i][k] = append(answers[i][k], env.say(user, fmt.Sprintf("/vote %d %d", p.ID, second(i))))
			}
		}
	})

	wantOpen := map[int]int{}
	wantSecret := map[int]int{}
	for i := range members {
		final := first(i)
		if changes(i) {
			final = second(i)
		}
		wantOpen[final]++
		wantSecret[first(i)]++
		onOpen, onSecret := answers[i][0], answers[i][1]
		if n := recordedOnce(t, i, onOpen[:len(onOpen)-btoi(changes(i))], "is recorded"); n != 1 {
			t.Fatalf("member %d: %d open votes recorded: %q", i, n, onOpen)
		}
		if changes(i) && !strings.Contains(onOpen[len(onOpen)-1], "is changed from") {
			t.Fatalf("member %d: change answered %q", i, onOpen[len(onOpen)-1])
		}
		if n := recordedOnce(t, i, onSecret, "secret ballot in poll"); n != 1 {
			t.Fatalf("member %d: %d secret votes recorded: %q", i, n, onSecret)
		}
	}
	for _, c := range []struct {
		id   int64
		want map[int]int
	}{{open.ID, wantOpen}, {secret.ID, wantSecret}} {
		res, err := env.svc.Results(context.Background(), c.id)
		if err != nil {
			t.Fatal(err)
		}
		if res.Voters != members {
			t.Fatalf("poll %d: %d voters", c.id, res.Voters)
		}
		for o := 1; o <= 3; o++ {
			if res.Options[o-1] != c.want[o] {
				t.Fatalf("poll %d option %d: %d votes, want %d", c.id, o, res.Options[o-1], c.want[o])
			}
		}
	}
	consistent(t, env.stores, open.ID, false)
	consistent(t, env.stores, secret.ID, true)
}

// testVotesFromReplicas: members whose clicks reach two processes at the
// same moment have exactly one ballot each, and the tallies come out
// exact.
func testVotesFromReplicas(t *testing.T, e Engine) {
	clock := bot.NewManualClock(PollsStart())
	handles := fresh(t, e, clock).openN(2)
	envs := []*pollsEnv{newPollsEnv(t, handles[0], clock), newPollsEnv(t, handles[1], clock)}
	open := envs[0].openPoll(t, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}})
	secret := envs[0].openPoll(t, polls.OpenRequest{Question: "Ratify (secret)?", Options: []string{"Yes", "No"}, Secret: true})
	ballots := []*polls.Poll{open, secret}
	const members = 100
	// recorded[i][h][k] is whether member i's vote through handle h on
	// ballots[k] was recorded.
	recorded := make([][2][2]bool, members)
	together(members*2*2, func(j int) {
		i, h, k := j/4, j/2%2, j%2
		res, err := envs[h].svc.Vote(context.Background(), polls.VoteRequest{PollID: ballots[k].ID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Choices: []int{1 + i%2}})
		if err != nil {
			t.Error(err)
			return
		}
		recorded[i][h][k] = res.Outcome == polls.Recorded
	})
	for i, r := range recorded {
		for k, p := range ballots {
			if n := btoi(r[0][k]) + btoi(r[1][k]); n != 1 {
				t.Fatalf("member %d: %d votes recorded in poll %d, want one", i, n, p.ID)
			}
		}
	}
	for _, p := range []*polls.Poll{open, secret} {
		voters, counts := consistent(t, handles[1], p.ID, p.Secret)
		if voters != members || counts[1] != members/2 || counts[2] != members/2 {
			t.Fatalf("poll %d: %d voters, counts %v", p.ID, voters, counts)
		}
	}
}

// testConcurrentChanges: members changing their vote many times at once,
// through two processes, leave counters that match their ballots: each
// change reads the ballot that the one before it recorded.
func testConcurrentChanges(t *testing.T, e Engine) {
	clock := bot.NewManualClock(PollsStart())
	handles := fresh(t, e, clock).openN(2)
	envs := []*pollsEnv{newPollsEnv(t, handles[0], clock), newPollsEnv(t, handles[1], clock)}
	p := envs[0].openPoll(t, polls.OpenRequest{Question: "Which?", Options: []string{"A", "B", "C"}, MaxChoices: 2})
	const members, changes = 10, 12
	together(members*changes, func(i int) {
		choices := [][]int{{1}, {2, 3}, {1, 3}, {2}}[i%4]
		req := polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i%members)}, Choices: choices, Only: true}
		if _, err := envs[i%2].svc.Vote(context.Background(), req); err != nil {
			t.Error(err)
		}
	})
	if voters, _ := consistent(t, handles[1], p.ID, false); voters != members {
		t.Fatalf("%d voters, want %d", voters, members)
	}
}

// testNoVoteAfterClose: votes racing the close of their poll are either
// refused or counted before the close: the tally read right after the
// close is the final one.
func testNoVoteAfterClose(t *testing.T, e Engine) {
	ctx := context.Background()
	clock := bot.NewManualClock(PollsStart())
	handles := fresh(t, e, clock).openN(2)
	envs := []*pollsEnv{newPollsEnv(t, handles[0], clock), newPollsEnv(t, handles[1], clock)}
	for _, secret := range []bool{false, true} {
		p := envs[0].openPoll(t, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}, Secret: secret})
		wait := start(100, func(i int) {
			_, err := envs[i%2].svc.Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Choices: []int{1 + i%2}})
			if err != nil && bot.ErrorCode(err) != bot.ECONFLICT {
				t.Error(err)
			}
		})
		for range 20 { // let some votes in first
			if _, err := handles[1].Polls.Poll(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		if won, err := handles[1].Polls.ClosePoll(ctx, p.ID, "console:steward", PollsStart()); !won || err != nil {
			t.Fatal(won, err)
		}
		atClose := countsOf(t, handles[1], p.ID)
		wait()
		if final := countsOf(t, handles[1], p.ID); final != atClose {
			t.Fatalf("secret %v: votes were counted after the close: %q at the close, %q later", secret, atClose, final)
		}
		consistent(t, handles[0], p.ID, secret)
	}
}

// testRefusedVotesIndependent casts votes that are refused (closed poll,
// missing poll) at the same time as votes that are accepted: each gets its
// own answer, and only the accepted ones are counted.
func testRefusedVotesIndependent(t *testing.T, e Engine) {
	env := freshPolls(t, e)
	ctx := context.Background()
	p := env.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"}})
	closed := env.openPoll(t, polls.OpenRequest{Question: "Closed?", Options: []string{"A", "B"}})
	if ok, err := env.stores.Polls.ClosePoll(ctx, closed.ID, "console:steward", PollsStart()); !ok || err != nil {
		t.Fatal(ok, err)
	}
	errs := make([]error, 300)
	together(len(errs), func(i int) {
		id := []int64{p.ID, closed.ID, 999}[i%3]
		_, errs[i] = env.svc.Vote(ctx, polls.VoteRequest{PollID: id, Voter: bot.User{ID: fmt.Sprintf("console:v%d", i)}, Choices: []int{1 + i%2}})
	})
	for i, err := range errs {
		switch i % 3 {
		case 0:
			if err != nil {
				t.Fatalf("vote %d: %v", i, err)
			}
		case 1:
			if bot.ErrorCode(err) != bot.ECONFLICT {
				t.Fatalf("vote %d on a closed poll: %v", i, err)
			}
		case 2:
			if bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Fatalf("vote %d on a missing poll: %v", i, err)
			}
		}
	}
	if n, _ := consistent(t, env.stores, p.ID, false); n != 100 {
		t.Fatalf("%d voters, want 100", n)
	}
	if n, _ := consistent(t, env.stores, closed.ID, false); n != 0 {
		t.Fatalf("%d votes on a closed poll", n)
	}
}

// testVoteChange: on an open ballot, a member's new choices replace the
// old ones in the counters of the unit the ballot counts for; Prior shows
// the recorded choices (sorted) and unit; Tally lists only non-zero
// counters, by option then unit; every change raises the poll's revision;
// Ballots lists ballots by voter with name, unit and choices.
func testVoteChange(t *testing.T, e Engine) {
	env := freshPolls(t, e)
	ctx := context.Background()
	s := env.stores
	p := env.openPoll(t, polls.OpenRequest{Question: "Which?", Options: []string{"A", "B", "C"}, MaxChoices: 3})
	rev := p.Revision
	cast := func(voter polls.Voter, choices ...int) polls.Prior {
		t.Helper()
		var seen polls.Prior
		err := s.Polls.Cast(ctx, p.ID, voter, func(got *polls.Poll, prior polls.Prior) ([]int, error) {
			seen = prior
			return choices, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		after, err := s.Polls.Poll(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Revision <= rev {
			t.Fatalf("revision %d after a vote, was %d", after.Revision, rev)
		}
		rev = after.Revision
		return seen
	}
	alice := polls.Voter{ID: "console:alice", Name: "Alice", Unit: "P-2"}
	if prior := cast(alice, 1, 3); prior.Voted {
		t.Fatalf("first vote saw a prior ballot %+v", prior)
	}
	cast(polls.Voter{ID: "console:bob", Name: "Bob", Unit: "Local 99"}, 3) // not a unit of the poll: counted for ""
	if got, want := countsOf(t, s, p.ID), "1/P-2=1 3/=1 3/P-2=1"; got != want {
		t.Fatalf("counts %q, want %q", got, want)
	}
	prior := cast(polls.Voter{ID: "console:alice", Name: "Alice B.", Unit: "P-4"}, 2)
	if !prior.Voted || !slices.Equal(prior.Choices, []int{1, 3}) || prior.Unit != "P-2" {
		t.Fatalf("prior %+v, want choices [1 3] in P-2", prior)
	}
	if got, want := countsOf(t, s, p.ID), "2/P-4=1 3/=1"; got != want {
		t.Fatalf("counts after the change %q, want %q", got, want)
	}
	ballots, err := s.Polls.Ballots(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []polls.Ballot{
		{Voter: "console:alice", VoterName: "Alice B.", Unit: "P-4", Choices: []int{2}},
		{Voter: "console:bob", VoterName: "Bob", Unit: "", Choices: []int{3}},
	}
	if fmt.Sprint(ballots) != fmt.Sprint(want) {
		t.Fatalf("ballots %+v, want %+v", ballots, want)
	}
	if voters, _ := consistent(t, s, p.ID, false); voters != 2 {
		t.Fatalf("%d voters after a change, want 2", voters)
	}
	// A refusal or "nothing to change" from decide records nothing.
	refusal := errors.New("not now")
	if err := s.Polls.Cast(ctx, p.ID, alice, func(*polls.Poll, polls.Prior) ([]int, error) { return nil, refusal }); !errors.Is(err, refusal) {
		t.Fatalf("decide's refusal came back as %v", err)
	}
	if err := s.Polls.Cast(ctx, p.ID, alice, func(*polls.Poll, polls.Prior) ([]int, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.Polls.Poll(ctx, p.ID); after.Revision != rev {
		t.Fatalf("a vote that changed nothing moved the revision from %d to %d", rev, after.Revision)
	}
	if got, want := countsOf(t, s, p.ID), "2/P-4=1 3/=1"; got != want {
		t.Fatalf("counts after refusals %q, want %q", got, want)
	}
	if err := s.Polls.Cast(ctx, 999, alice, func(*polls.Poll, polls.Prior) ([]int, error) { return []int{1}, nil }); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("vote in a missing poll: %v", err)
	}
}

// testOneBallotPerMember: on a secret ballot the store itself refuses a
// second ballot with polls.ErrAlreadyVoted, even from a decide that
// ignores the prior one, and shows a member's prior participation without
// choices or unit.
func testOneBallotPerMember(t *testing.T, e Engine) {
	env := freshPolls(t, e)
	ctx := context.Background()
	s := env.stores
	p := env.openPoll(t, polls.OpenRequest{Question: "Secret?", Options: []string{"Yes", "No"}, Secret: true})
	voter := polls.Voter{ID: "console:alice", Name: "Alice", Unit: "P-2"}
	var priors []polls.Prior
	decide := func(_ *polls.Poll, prior polls.Prior) ([]int, error) {
		priors = append(priors, prior)
		return []int{1}, nil
	}
	must(t, s.Polls.Cast(ctx, p.ID, voter, decide))
	if err := s.Polls.Cast(ctx, p.ID, voter, decide); !errors.Is(err, polls.ErrAlreadyVoted) {
		t.Fatalf("second ballot: %v, want ErrAlreadyVoted", err)
	}
	if len(priors) != 2 || priors[0].Voted || !priors[1].Voted || priors[1].Choices != nil || priors[1].Unit != "" {
		t.Fatalf("priors seen by decide: %+v", priors)
	}
	if voters, counts := consistent(t, s, p.ID, true); voters != 1 || counts[1] != 1 {
		t.Fatalf("%d voters, counts %v", voters, counts)
	}
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
)

var pollsStart = time.Date(2011, time.July, 18, 9, 0, 0, 0, time.UTC)

// testCoalition is the unit list of the polls tests.
func testCoalition() *polls.Coalition {
	return &polls.Coalition{Units: []polls.Unit{{Name: "P-2", Members: 100}, {Name: "P-4", Members: 100}}, UnitsNeeded: 2, PercentNeeded: 80}
}

// pollsEnv is the polls service on one handle, with a router.
type pollsEnv struct {
	stores *Stores
	svc    *polls.Service
	router *bot.Router
	clock  *bot.ManualClock
}

func newPollsEnv(t testing.TB, s *Stores, clock *bot.ManualClock) *pollsEnv {
	t.Helper()
	log := bottest.DiscardLogger()
	svc, err := polls.New(polls.Config{Store: s.Polls, Poster: bot.NewHub(), Clock: clock, Location: time.UTC, Units: testCoalition(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	stewards, _ := bot.ParseStewards("console:steward")
	r := bot.NewRouter(stewards, log)
	for _, c := range svc.Commands() {
		r.Register(c)
	}
	return &pollsEnv{stores: s, svc: svc, router: r, clock: clock}
}

// freshPolls opens a fresh database and the polls service on it.
func freshPolls(t *testing.T, e Engine) *pollsEnv {
	t.Helper()
	clock := bot.NewManualClock(pollsStart)
	return newPollsEnv(t, fresh(t, e, clock).open(), clock)
}

func (e *pollsEnv) openPoll(t testing.TB, req polls.OpenRequest) *polls.Poll {
	t.Helper()
	if req.Platform == "" {
		req.Platform, req.Channel = bot.PlatformConsole, "console"
	}
	req.By = bot.User{ID: "console:steward", Name: "steward"}
	p, err := e.svc.Open(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *pollsEnv) say(user, text string) string {
	rec := &bottest.Recorder{}
	e.router.Dispatch(context.Background(), rec, bottest.Message(user, text))
	return rec.Text()
}

// consistent checks that a poll's counters agree with its ballots (open
// ballots) or its participants (secret ballots), both as the Store
// interface shows them and as the tables hold them: no vote was counted
// twice or half-recorded. It returns the number of ballots and the
// counters by option.
func consistent(t testing.TB, s *Stores, pollID int64, secret bool) (voters int, counts map[int]int) {
	t.Helper()
	ctx := context.Background()
	rows, err := s.PollRows(ctx, pollID, secret)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Ballots != rows.Voters {
		t.Fatalf("poll %d: %d ballots but voters = %d", pollID, rows.Ballots, rows.Voters)
	}
	tally, err := s.Polls.Tally(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	if tally.Poll.Voters != rows.Voters {
		t.Fatalf("poll %d: the tally says %d voters, the table %d", pollID, tally.Poll.Voters, rows.Voters)
	}
	shown := map[int]int{}
	for _, c := range tally.Counts {
		shown[c.Option] += c.Votes
	}
	sum := 0
	for o := range max(len(shown), len(rows.Counts)) + 1 {
		if shown[o] != rows.Counts[o] {
			t.Fatalf("poll %d option %d: the tally shows %d, the counters hold %d", pollID, o, shown[o], rows.Counts[o])
		}
		sum += rows.Counts[o]
	}
	ballots, err := s.Polls.Ballots(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	if secret {
		if len(ballots) != 0 {
			t.Fatalf("secret poll %d has ballots %+v", pollID, ballots)
		}
		if sum != rows.Voters {
			t.Fatalf("secret poll %d: %d counted choices from %d participants", pollID, sum, rows.Voters)
		}
		return rows.Ballots, rows.Counts
	}
	if len(ballots) != rows.Ballots {
		t.Fatalf("poll %d: Ballots returns %d of %d ballots", pollID, len(ballots), rows.Ballots)
	}
	fromBallots := map[int]int{}
	for _, b := range ballots {
		for _, c := range b.Choices {
			fromBallots[c]++
		}
	}
	for o := range max(len(rows.Counts), len(fromBallots)) + 1 {
		if rows.Counts[o] != fromBallots[o] {
			t.Fatalf("poll %d option %d: counter %d, ballots %d", pollID, o, rows.Counts[o], fromBallots[o])
		}
	}
	return rows.Ballots, rows.Counts
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
	const members = 500
	first := func(i int) int { return i%3 + 1 }
	changes := func(i int) bool { return i%7 == 0 }
	twice := func(i int) bool { return i%5 == 0 }
	second := func(i int) int { return (i+1)%3 + 1 }

	type answer struct{ open, secret []string }
	answers := make([]answer, members)
	var mu sync.Mutex
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := fmt.Sprintf("m%03d", i)
			<-gate
			var inner sync.WaitGroup
			clicks := 1
			if twice(i) {
				clicks = 2
			}
			for range clicks {
				inner.Add(2)
				go func() {
					defer inner.Done()
					a := env.say(user, fmt.Sprintf("/vote %d %d", open.ID, first(i)))
					mu.Lock()
					answers[i].open = append(answers[i].open, a)
					mu.Unlock()
				}()
				go func() {
					defer inner.Done()
					a := env.say(user, fmt.Sprintf("/vote %d %d", secret.ID, first(i)))
					mu.Lock()
					answers[i].secret = append(answers[i].secret, a)
					mu.Unlock()
				}()
			}
			inner.Wait()
			if changes(i) {
				a := env.say(user, fmt.Sprintf("/vote %d %d", open.ID, second(i)))
				b := env.say(user, fmt.Sprintf("/vote %d %d", secret.ID, second(i)))
				mu.Lock()
				answers[i].open = append(answers[i].open, a)
				answers[i].secret = append(answers[i].secret, b)
				mu.Unlock()
			}
		}()
	}
	close(gate)
	wg.Wait()

	wantOpen := map[int]int{}
	wantSecret := map[int]int{}
	for i := range members {
		final := first(i)
		if changes(i) {
			final = second(i)
		}
		wantOpen[final]++
		wantSecret[first(i)]++
		a := answers[i]
		if n := recordedOnce(t, i, a.open[:len(a.open)-btoi(changes(i))], "is recorded"); n != 1 {
			t.Fatalf("member %d: %d open votes recorded: %q", i, n, a.open)
		}
		if changes(i) && !strings.Contains(a.open[len(a.open)-1], "is changed from") {
			t.Fatalf("member %d: change answered %q", i, a.open[len(a.open)-1])
		}
		if n := recordedOnce(t, i, a.secret, "secret ballot in poll"); n != 1 {
			t.Fatalf("member %d: %d secret votes recorded: %q", i, n, a.secret)
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
	clock := bot.NewManualClock(pollsStart)
	handles := fresh(t, e, clock).openN(2)
	envs := []*pollsEnv{newPollsEnv(t, handles[0], clock), newPollsEnv(t, handles[1], clock)}
	open := envs[0].openPoll(t, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}})
	secret := envs[0].openPoll(t, polls.OpenRequest{Question: "Ratify (secret)?", Options: []string{"Yes", "No"}, Secret: true})
	const members = 100
	recorded := make([][2]int, members) // per member: open, secret
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range members {
		for _, env := range envs {
			for k, p := range []*polls.Poll{open, secret} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := env.svc.Vote(context.Background(), polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Choices: []int{1 + i%2}})
					if err != nil {
						t.Error(err)
						return
					}
					if res.Outcome == polls.Recorded {
						mu.Lock()
						recorded[i][k]++
						mu.Unlock()
					}
				}()
			}
		}
	}
	wg.Wait()
	for i, r := range recorded {
		if r != [2]int{1, 1} {
			t.Fatalf("member %d: recorded %d open and %d secret votes, want one each", i, r[0], r[1])
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
	clock := bot.NewManualClock(pollsStart)
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
	clock := bot.NewManualClock(pollsStart)
	handles := fresh(t, e, clock).openN(2)
	envs := []*pollsEnv{newPollsEnv(t, handles[0], clock), newPollsEnv(t, handles[1], clock)}
	for _, secret := range []bool{false, true} {
		p := envs[0].openPoll(t, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No"}, Secret: secret})
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				_, err := envs[i%2].svc.Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: fmt.Sprintf("console:m%d", i)}, Choices: []int{1 + i%2}})
				if err != nil && bot.ErrorCode(err) != bot.ECONFLICT {
					t.Error(err)
				}
			}()
		}
		close(gate)
		for range 20 { // let some votes in first
			if _, err := handles[1].Polls.Poll(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		if won, err := handles[1].Polls.ClosePoll(ctx, p.ID, "console:steward", pollsStart); !won || err != nil {
			t.Fatal(won, err)
		}
		atClose := countsOf(t, handles[1], p.ID)
		wg.Wait()
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
	if ok, err := env.stores.Polls.ClosePoll(ctx, closed.ID, "console:steward", pollsStart); !ok || err != nil {
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

// countsOf returns a tally's counters as "option/unit=votes", in order.
func countsOf(t testing.TB, s *Stores, pollID int64) string {
	t.Helper()
	tally, err := s.Polls.Tally(context.Background(), pollID)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range tally.Counts {
		parts = append(parts, fmt.Sprintf("%d/%s=%d", c.Option, c.Unit, c.Votes))
	}
	return strings.Join(parts, " ")
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

// VoteSecretBallot opens a secret ballot in s's database with the
// service the conformance tests use, and casts the votes: voters[i], of
// units[i], chooses choices[i], in order, one second apart on clock. It
// returns the poll's ID. Engines' own secret ballot tests vote with it
// (see SecretBallots).
func VoteSecretBallot(t testing.TB, s *Stores, clock *bot.ManualClock, voters, units []string, choices []int) int64 {
	t.Helper()
	ctx := context.Background()
	env := newPollsEnv(t, s, clock)
	p := env.openPoll(t, polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No", "Undecided"}, Secret: true, Rule: polls.RuleCoalition})
	for i, v := range voters {
		if units[i] != "" {
			must(t, s.Polls.SetUnit(ctx, v, units[i]))
		}
		clock.Advance(time.Second)
		if _, err := env.svc.Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: v, Name: v}, Choices: []int{choices[i]}}); err != nil {
			t.Fatal(err)
		}
	}
	return p.ID
}

// secretRun votes on a fresh database with VoteSecretBallot. It returns
// everything the Store interface tells of the poll, before and after it
// closes.
func secretRun(t *testing.T, e Engine, voters, units []string, choices []int) string {
	t.Helper()
	ctx := context.Background()
	clock := bot.NewManualClock(pollsStart)
	s := fresh(t, e, clock).open()
	id := VoteSecretBallot(t, s, clock, voters, units, choices)
	var b strings.Builder
	show := func() {
		tally, err := s.Polls.Tally(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ballots, err := s.Polls.Ballots(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		rp, err := s.Polls.ResultPost(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p := *tally.Poll
		coalition := p.Coalition
		p.Coalition = nil
		fmt.Fprintf(&b, "%+v\n%+v\n%+v\n%+v\n%+v\n", p, coalition, tally.Counts, ballots, rp)
	}
	show()
	if _, err := s.Polls.ClosePoll(ctx, id, "console:steward", clock.Now()); err != nil {
		t.Fatal(err)
	}
	show()
	return b.String()
}

// testSecretBallotUnlinkable votes twice with the same members in the same
// order and the same totals per unit, but with the choices dealt out
// differently among the members. Nothing the store returns may differ
// between the two: it records no choice against a voter. (Each engine
// also checks its tables for anything that links a ballot to its voter.)
func testSecretBallotUnlinkable(t *testing.T, e Engine) {
	voters, units, choices, shuffled := SecretBallots()
	a := secretRun(t, e, voters, units, choices)
	b := secretRun(t, e, voters, units, shuffled)
	if a != b {
		t.Fatalf("the store tells the runs apart, so it links ballots to voters:\n%s\n----\n%s", a, b)
	}
	if !strings.Contains(a, "Voters:120") {
		t.Fatalf("the votes were not counted:\n%s", a)
	}
}

// testClosePollOnce: many callers in several processes close one poll at
// once; exactly one is told it closed it, and that close owns the first
// result post.
func testClosePollOnce(t *testing.T, e Engine) {
	clock := bot.NewManualClock(pollsStart)
	handles := fresh(t, e, clock).openN(4)
	env := newPollsEnv(t, handles[0], clock)
	ctx := context.Background()
	p := env.openPoll(t, polls.OpenRequest{Question: "Q?", Options: []string{"A", "B"}, ClosesAt: pollsStart.Add(time.Hour)})
	if next, ok, err := handles[1].Polls.NextClose(ctx); err != nil || !ok || !next.Equal(pollsStart.Add(time.Hour)) {
		t.Fatalf("next close %v %v %v", next, ok, err)
	}
	won := make([]bool, 20)
	together(len(won), func(i int) {
		var err error
		if won[i], err = handles[i%len(handles)].Polls.ClosePoll(ctx, p.ID, "schedule", pollsStart); err != nil {
			t.Error(err)
		}
	})
	if winners := trues(won); winners != 1 {
		t.Fatalf("%d callers closed the poll", winners)
	}
	if _, ok, _ := handles[2].Polls.NextClose(ctx); ok {
		t.Fatal("a closed poll still has a deadline pending")
	}
	got, err := handles[3].Polls.Poll(ctx, p.ID)
	if err != nil || !got.ClosedAt.Equal(pollsStart) || got.ClosedBy != "schedule" || got.Revision <= p.Revision {
		t.Fatalf("closed poll %+v %v", got, err)
	}
	if rp, err := handles[3].Polls.ResultPost(ctx, p.ID); err != nil || rp.State != polls.ResultSending || rp.Attempts != 0 || !rp.ClosedAt.Equal(pollsStart) {
		t.Fatalf("result post after the close %+v %v", rp, err)
	}
}

// testPollsStoredAndListed: a poll reads back as stored, times in UTC to
// the second; OpenPolls lists a channel's polls not yet closed, oldest
// first; DuePolls those whose deadline has come, earliest first;
// NextClose the earliest deadline; a missing poll is polls.ErrNotFound.
func testPollsStoredAndListed(t *testing.T, e Engine) {
	clock := bot.NewManualClock(pollsStart)
	d := fresh(t, e, clock)
	s := d.open()
	ctx := context.Background()
	newPoll := func(channel string, closesIn time.Duration) *polls.Poll {
		t.Helper()
		p := &polls.Poll{Question: "Ratify? " + channel, Options: []string{"Yes", "No", "Abstain"}, MaxChoices: 1,
			Rule: polls.RuleMajority, Favour: 1, Against: 2, Coalition: testCoalition(),
			Platform: "slack", Channel: channel, Thread: "1700000000.000100", OpenedBy: "slack:U1", OpenedByName: "Sam",
			OpenedAt: clock.Now().Add(500 * time.Millisecond)}
		if closesIn > 0 {
			p.ClosesAt = clock.Now().Add(closesIn)
		}
		must(t, s.Polls.CreatePoll(ctx, p))
		return p
	}
	a := newPoll("C1", 3*time.Hour)
	b := newPoll("C1", time.Hour)
	c := newPoll("C2", 2*time.Hour)
	none := newPoll("C1", 0)
	if !(a.ID < b.ID && b.ID < c.ID && c.ID < none.ID) {
		t.Fatalf("IDs %d %d %d %d do not increase", a.ID, b.ID, c.ID, none.ID)
	}
	secret := &polls.Poll{Question: "Secret?", Options: []string{"Yes", "No"}, Secret: true, Hidden: true, MaxChoices: 2,
		Platform: "discord", Channel: "81", OpenedBy: "discord:1", OpenedAt: pollsStart}
	must(t, s.Polls.CreatePoll(ctx, secret))

	closeStores(t, s)
	s = d.open()
	got, err := s.Polls.Poll(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *a
	want.OpenedAt = pollsStart
	if !equalPolls(got, &want) {
		t.Fatalf("stored %+v\nread   %+v", want, *got)
	}
	if got, err := s.Polls.Poll(ctx, secret.ID); err != nil || !equalPolls(got, secret) {
		t.Fatalf("secret poll read as %+v, %v", got, err)
	}
	if got, err := s.Polls.Poll(ctx, 999); !errors.Is(err, polls.ErrNotFound) || got != nil {
		t.Fatalf("missing poll: %v %v", got, err)
	}
	if _, err := s.Polls.Tally(ctx, 999); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("tally of a missing poll: %v", err)
	}
	if _, err := s.Polls.ResultPost(ctx, 999); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("result post of a missing poll: %v", err)
	}
	if rp, err := s.Polls.ResultPost(ctx, a.ID); err != nil || rp.State != polls.ResultNone || rp.PollID != a.ID {
		t.Fatalf("result post of an open poll: %+v %v", rp, err)
	}

	ids := func(ps []*polls.Poll, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprint(p.ID))
		}
		return strings.Join(out, " ")
	}
	if got, want := ids(s.Polls.OpenPolls(ctx, "slack", "C1")), fmt.Sprint(a.ID, " ", b.ID, " ", none.ID); got != want {
		t.Fatalf("open polls in C1: %s, want %s", got, want)
	}
	if got := ids(s.Polls.OpenPolls(ctx, "discord", "C1")); got != "" {
		t.Fatalf("open polls in discord C1: %s", got)
	}
	if got, want := ids(s.Polls.DuePolls(ctx, pollsStart.Add(2*time.Hour))), fmt.Sprint(b.ID, " ", c.ID); got != want {
		t.Fatalf("due polls: %s, want %s", got, want)
	}
	if next, ok, err := s.Polls.NextClose(ctx); err != nil || !ok || !next.Equal(b.ClosesAt) {
		t.Fatalf("next close %v %v %v, want %v", next, ok, err, b.ClosesAt)
	}
	if ok, err := s.Polls.ClosePoll(ctx, b.ID, "slack:U1", pollsStart.Add(time.Minute)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if got, want := ids(s.Polls.OpenPolls(ctx, "slack", "C1")), fmt.Sprint(a.ID, " ", none.ID); got != want {
		t.Fatalf("open polls in C1 after a close: %s, want %s", got, want)
	}
	if got, want := ids(s.Polls.DuePolls(ctx, pollsStart.Add(2*time.Hour))), fmt.Sprint(c.ID); got != want {
		t.Fatalf("due polls after a close: %s, want %s", got, want)
	}
	if next, ok, err := s.Polls.NextClose(ctx); err != nil || !ok || !next.Equal(c.ClosesAt) {
		t.Fatalf("next close %v %v %v, want %v", next, ok, err, c.ClosesAt)
	}
	if ok, err := s.Polls.ClosePoll(ctx, b.ID, "slack:U2", pollsStart.Add(2*time.Minute)); ok || err != nil {
		t.Fatalf("closed a closed poll again: %v %v", ok, err)
	}
}

// equalPolls compares polls field by field, times by instant and in UTC.
func equalPolls(a, b *polls.Poll) bool {
	for _, t := range []time.Time{a.OpenedAt, a.ClosesAt, a.ClosedAt} {
		if !t.IsZero() && t.Location() != time.UTC {
			return false
		}
	}
	ca, cb := *a, *b
	ca.Coalition, cb.Coalition = nil, nil
	return fmt.Sprintf("%+v %+v", ca, a.Coalition) == fmt.Sprintf("%+v %+v", cb, b.Coalition)
}

// testUnits: the unit a member names is kept, replaced by a later one,
// and remembered across a restart; an unknown member has none.
func testUnits(t *testing.T, e Engine) {
	ctx := context.Background()
	d := fresh(t, e, bot.NewManualClock(pollsStart))
	s := d.open()
	if u, err := s.Polls.Unit(ctx, "console:alice"); err != nil || u != "" {
		t.Fatalf("unit of a member who named none: %q %v", u, err)
	}
	must(t, s.Polls.SetUnit(ctx, "console:alice", "P-2"))
	must(t, s.Polls.SetUnit(ctx, "console:bob", "P-4"))
	must(t, s.Polls.SetUnit(ctx, "console:alice", "CSEA/SEIU Local 2001"))
	closeStores(t, s)
	s = d.open()
	for member, want := range map[string]string{"console:alice": "CSEA/SEIU Local 2001", "console:bob": "P-4", "console:carol": ""} {
		if u, err := s.Polls.Unit(ctx, member); err != nil || u != want {
			t.Errorf("unit of %s: %q %v, want %q", member, u, err, want)
		}
	}
}

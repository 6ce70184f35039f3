package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// SecretBallots returns the votes of the secret ballot tests: 120 members,
// in an order that is not their key order, their units, their choices,
// and the same choices dealt out differently among the members of each
// unit. Two runs that cast the same votes with choices and then with
// shuffled have the same totals per unit, so a database that records
// nothing linking a ballot to its voter ends up the same after both; an
// engine's own test compares its tables (or files) after the two.
func SecretBallots() (voters, units []string, choices, shuffled []int) {
	const n = 120
	voters = make([]string, n)
	units = make([]string, n)
	choices = make([]int, n)
	for i := range voters {
		voters[i] = fmt.Sprintf("console:member%03d", (i*37)%n) // not in key order
		units[i] = []string{"P-2", "P-4", ""}[i%3]
		choices[i] = 1 + (i/3)%3
	}
	// Deal the same choices to different members of each unit.
	shuffled = slices.Clone(choices)
	rng := rand.New(rand.NewPCG(1, 2))
	for u := range 3 {
		var idx []int
		for i := u; i < n; i += 3 {
			idx = append(idx, i)
		}
		perm := rng.Perm(len(idx))
		for k, i := range idx {
			shuffled[i] = choices[idx[perm[k]]]
		}
	}
	if slices.Equal(choices, shuffled) {
		panic("storetest: the shuffle of the secret ballots changed nothing")
	}
	return voters, units, choices, shuffled
}

// VoteSecretBallot opens a secret ballot in s's database with the
// service the conformance tests use, and casts the votes: voters[i], of
// units[i], chooses choices[i], in order, one second apart on clock. It
// returns the poll's ID. Engines' own secret ballot tests vote with it
// (see SecretBallots).
func VoteSecretBallot(t testing.TB, s *Stores, clock *bot.ManualClock, voters, units []string, choices []int) int64 {
	t.Helper()
	return voteSecret(t, s, clock, voters, units, choices, false)
}

// VoteSecretRankedBallot is VoteSecretBallot on a secret ranked poll:
// choice c is cast as the ranking c, then the option after it.
func VoteSecretRankedBallot(t testing.TB, s *Stores, clock *bot.ManualClock, voters, units []string, choices []int) int64 {
	t.Helper()
	return voteSecret(t, s, clock, voters, units, choices, true)
}

// voteSecret opens a secret poll, ranked or with the coalition rule, and
// casts the votes of VoteSecretBallot.
func voteSecret(t testing.TB, s *Stores, clock *bot.ManualClock, voters, units []string, choices []int, ranked bool) int64 {
	t.Helper()
	ctx := context.Background()
	env := newPollsEnv(t, s, clock)
	req := polls.OpenRequest{Question: "Ratify?", Options: []string{"Yes", "No", "Undecided"}, Secret: true, Rule: polls.RuleCoalition}
	if ranked {
		req.Rule, req.Ranked = polls.RuleNone, true
	}
	p := env.openPoll(t, req)
	for i, v := range voters {
		if units[i] != "" {
			must(t, s.Polls.SetUnit(ctx, v, units[i]))
		}
		clock.Advance(time.Second)
		vote := []int{choices[i]}
		if ranked {
			vote = append(vote, choices[i]%3+1)
		}
		if _, err := env.svc.Vote(ctx, polls.VoteRequest{PollID: p.ID, Voter: bot.User{ID: v, Name: v}, Choices: vote}); err != nil {
			t.Fatal(err)
		}
	}
	return p.ID
}

// secretRun votes on a fresh database with VoteSecretBallot. It returns
// everything the Store interface tells of the poll, before and after it
// closes.
func secretRun(t *testing.T, e Engine, voters, units []string, choices []int, ranked bool) string {
	t.Helper()
	ctx := context.Background()
	clock := bot.NewManualClock(PollsStart())
	s := fresh(t, e, clock).open()
	id := voteSecret(t, s, clock, voters, units, choices, ranked)
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
		rankings, err := s.Polls.Rankings(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(rankings, func(a, b polls.Ranking) int { return slices.Compare(a.Order, b.Order) })
		fmt.Fprintf(&b, "%+v\n", rankings)
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
	for _, ranked := range []bool{false, true} {
		a := secretRun(t, e, voters, units, choices, ranked)
		b := secretRun(t, e, voters, units, shuffled, ranked)
		if a != b {
			t.Fatalf("ranked %v: the store tells the runs apart, so it links ballots to voters:\n%s\n----\n%s", ranked, a, b)
		}
		if !strings.Contains(a, "Voters:120") {
			t.Fatalf("the votes were not counted:\n%s", a)
		}
		if ranked && !strings.Contains(a, "{Order:[1 2] Votes:42} {Order:[2 3] Votes:39} {Order:[3 1] Votes:39}") {
			t.Fatalf("the rankings were not counted:\n%s", a)
		}
	}
}

package polls_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/polls"
)

// ballots builds rankings of one ballot each from option lists.
func ballots(orders ...[]int) []polls.Ranking {
	out := make([]polls.Ranking, len(orders))
	for i, o := range orders {
		out[i] = polls.Ranking{Order: o, Votes: 1}
	}
	return out
}

func TestInstantRunoff(t *testing.T) {
	cases := []struct {
		name       string
		options    int
		rankings   []polls.Ranking
		winner     int
		rounds     int
		eliminated []int
		tie        bool
	}{
		{name: "majority of first preferences", options: 3,
			rankings: []polls.Ranking{{Order: []int{1, 2}, Votes: 3}, {Order: []int{2}, Votes: 1}, {Order: []int{3}, Votes: 1}},
			winner:   1, rounds: 1},
		{name: "transfers decide", options: 3,
			// A 4, B 3, C 2 (C's go to B): B wins 5 to 4.
			rankings: []polls.Ranking{{Order: []int{1}, Votes: 4}, {Order: []int{2, 1}, Votes: 3}, {Order: []int{3, 2}, Votes: 2}},
			winner:   2, rounds: 2, eliminated: []int{3}},
		{name: "exhausted ballots leave the count", options: 3,
			// A 4, B 3, C 2 (ranking nothing else): A has 4 of 7 continuing.
			rankings: []polls.Ranking{{Order: []int{1}, Votes: 4}, {Order: []int{2}, Votes: 3}, {Order: []int{3}, Votes: 2}},
			winner:   1, rounds: 2, eliminated: []int{3}},
		{name: "tie for fewest: fewest first preferences goes", options: 4,
			// Round 1: A 4, B 3, C 2, D 2: C and D tie, same first
			// preferences, so D (listed last) goes; D's go to C. Round 2:
			// A 4, B 3, C 4 ... B goes; B's go to C: C 7, A 4.
			rankings: []polls.Ranking{{Order: []int{1}, Votes: 4}, {Order: []int{2, 3}, Votes: 3}, {Order: []int{3}, Votes: 2}, {Order: []int{4, 3}, Votes: 2}},
			winner:   3, rounds: 3, eliminated: []int{4, 2}, tie: true},
		{name: "tie in a later round uses first preferences", options: 3,
			// Round 1: A 3, B 2, C 1 ... C goes to B: A 3, B 3 of 6: no
			// majority; tied, equal first preferences? A 3 > B 2, so B goes.
			rankings: ballots([]int{1}, []int{1}, []int{1}, []int{2}, []int{2}, []int{3, 2}),
			winner:   1, rounds: 3, eliminated: []int{3, 2}, tie: true},
		{name: "nobody voted", options: 2, rankings: nil, winner: 0, rounds: 1},
	}
	for _, c := range cases {
		ro := polls.InstantRunoff(c.options, c.rankings)
		var elim []int
		tie := false
		for _, r := range ro.Rounds {
			if r.Eliminated > 0 {
				elim = append(elim, r.Eliminated)
			}
			tie = tie || r.TieBroken
		}
		if ro.Winner != c.winner || len(ro.Rounds) != c.rounds || !slices.Equal(elim, c.eliminated) || tie != c.tie {
			t.Errorf("%s: winner %d after %d rounds, eliminated %v, tie %v; want %d, %d, %v, %v",
				c.name, ro.Winner, len(ro.Rounds), elim, tie, c.winner, c.rounds, c.eliminated, c.tie)
		}
	}
}

func TestRankedPoll(t *testing.T) {
	e := newEnv(t)
	e.mustSay("steward", `/poll "Priority?" "Pay" "Pension" "Health" --ranked --rule majority`, "not by a rule")
	e.mustSay("steward", `/poll "Priority?" "Pay" "Pension" "Health" --ranked --multi`, "order every option already")
	c := e.open(`/poll "Priority?" "Pay" "Pension" "Health" --ranked`)
	if len(c.Buttons) != 0 || !strings.Contains(c.Footer, "rank the options, most preferred first: /vote 1 1 2 3") ||
		!strings.Contains(c.Body, "Ranked choice: order the options") {
		t.Fatalf("ranked card: %+v", c)
	}
	// The card's ranking element submits the same command a member types.
	if c.Ranking == nil || !slices.Equal(c.Ranking.Options, []string{"Pay", "Pension", "Health"}) || c.Ranking.Command([]int{3, 1, 2}) != "/vote 1 3 1 2" {
		t.Fatalf("ranked card's ranking: %+v", c.Ranking)
	}
	e.mustSay("alice", c.Ranking.Command([]int{3, 1, 2}), "Your ranking in poll 1 is recorded: 1st 3. Health, 2nd 1. Pay, 3rd 2. Pension.")
	e.mustSay("alice", "/vote 1 3 1 2", "Your vote is already counted")
	e.mustSay("alice", "/vote 1 1 1", "You ranked 1. Pay twice")
	e.mustSay("alice", "/vote 1 4", "Poll 1 has no option 4")
	// Changing an open ranked ballot moves it.
	e.mustSay("alice", "/vote 1 Pension Pay", "1st 2. Pension, 2nd 1. Pay")
	e.mustSay("bob", "/vote 1 1", "1st 1. Pay")
	e.mustSay("carol", "/vote 1 3 2", "1st 3. Health, 2nd 2. Pension")
	e.mustSay("dave", "/vote 1 3 1", "recorded")
	e.mustSay("erin", "/vote 1 1 2", "recorded")
	// First preferences: Pay 2, Pension 1, Health 2. Pension goes, its
	// ballot to Pay: Pay 3 of 5.
	if got := e.counts(1); !slices.Equal(got, []int{2, 1, 2}) {
		t.Fatalf("first preferences %v", got)
	}
	e.mustSay("steward", "/poll results 1", `Instant-runoff count:
Round 1: Pay 2, Pension 1, Health 2. Pension is eliminated.
Round 2: Pay 3, Health 2.
Pay leads with 3 of 5 continuing ballots (60%).`)
	e.mustSay("steward", "/poll close 1", "")
	e.mustSay("steward", "/poll results 1", "Pay wins with 3 of 5 continuing ballots")
	// The export keeps each ranking in order.
	e2 := newEnv(t)
	e2.open(`/poll "Priority?" "Pay" "Pension" "Health" --ranked`)
	e2.mustSay("alice", "/vote 1 3 1 2", "recorded")
	rec := e2.mustSay("steward", "/poll export 1", "open ballot")
	if !strings.Contains(string(rec.Replies()[0].File.Data), "1,Priority?,console:alice,alice,,3 1 2,Health; Pay; Pension") {
		t.Fatalf("ranked export:\n%s", rec.Replies()[0].File.Data)
	}
}

func TestSecretRankedPoll(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Priority?" "Pay" "Pension" "Health" --ranked --anonymous`)
	e.mustSay("alice", "/vote 1 2 3", "Nothing links it to you, so it cannot be changed.")
	e.mustSay("alice", "/vote 1 1", "already voted")
	e.mustSay("bob", "/vote 1 3 2", "recorded")
	e.mustSay("carol", "/vote 1 2", "recorded")
	e.restart()
	e.mustSay("steward", "/poll results 1", "Pension leads with 2 of 3 continuing ballots")
}

// BenchmarkInstantRunoff45000 counts 45,000 ranked ballots over 10
// options, each ballot on its own (no two grouped), the way a large
// open ballot with every ranking different would be.
func BenchmarkInstantRunoff45000(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 11))
	rankings := make([]polls.Ranking, 45000)
	for i := range rankings {
		perm := rng.Perm(10)
		order := make([]int, 1+rng.IntN(10))
		for k := range order {
			order[k] = perm[k] + 1
		}
		rankings[i] = polls.Ranking{Order: order, Votes: 1}
	}
	b.ResetTimer()
	for b.Loop() {
		if ro := polls.InstantRunoff(10, rankings); ro.Winner == 0 {
			b.Fatal("no winner")
		}
	}
}

// TestStoredCardRebuildsTheRanking checks that a ranked poll's card, and
// its ranking's options, can be rebuilt from the store after a restart;
// a closed poll's card takes no ranking, and a key of no poll gives no
// card.
func TestStoredCardRebuildsTheRanking(t *testing.T) {
	e := newEnv(t)
	shown := e.open(`/poll "Priority?" "Pay" "Pension" "Health" --ranked`)
	e.restart()
	ctx := context.Background()
	c, ok, err := e.svc.StoredCard(ctx, shown.Key)
	if err != nil || !ok || c.Ranking == nil {
		t.Fatalf("stored card %+v, %v, %v", c, ok, err)
	}
	if !slices.Equal(c.Ranking.Options, []string{"Pay", "Pension", "Health"}) || c.Ranking.Value != "1" || c.Ranking.Command([]int{3, 1}) != shown.Ranking.Command([]int{3, 1}) {
		t.Errorf("rebuilt ranking %+v, shown %+v", *c.Ranking, *shown.Ranking)
	}
	e.mustSay("steward", "/poll close 1", "closed")
	if c, ok, err := e.svc.StoredCard(ctx, shown.Key); err != nil || !ok || c.Ranking != nil {
		t.Errorf("closed poll's card: ranking %+v, %v, %v", c.Ranking, ok, err)
	}
	for _, key := range []string{"poll:9", "poll:x", "reminder:1"} {
		if _, ok, err := e.svc.StoredCard(ctx, key); ok || err != nil {
			t.Errorf("StoredCard(%q) = %v, %v", key, ok, err)
		}
	}
}

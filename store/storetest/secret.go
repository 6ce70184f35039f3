package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
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

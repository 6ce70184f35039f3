package faq

import (
	"flag"
	"fmt"
	"sync"
	"testing"
)

var suspects = flag.Bool("faq.suspects", false, "print the training phrasings whose label a classifier trained without them contradicts")

// suspectAt is the probability from which a classifier trained without a
// phrasing contradicts its label: it puts another class (an entry, or no
// entry) first with at least this probability.
const suspectAt = 0.9

// TestLabelSuspects prints, with -faq.suspects, the training phrasings
// whose label a matcher trained without them (five-fold cross-validation)
// contradicts with high confidence: the lines to read against the
// entries' texts when looking for phrasings filed under the wrong entry
// (see kb/phrasings/README.md).
func TestLabelSuspects(t *testing.T) {
	if !*suspects {
		t.Skip("run with -faq.suspects to print the suspect phrasings")
	}
	kb := loadDefault(t)
	const k = 5
	out := make([][]string, k)
	var wg sync.WaitGroup
	for fold := range k {
		rest, held := crossFold(kb.Phrasings, k, fold)
		wg.Go(func() {
			m := NewMatcher(kb.WithPhrasings(rest), nil, Options{})
			for _, q := range held {
				r := m.Match(q.Question)
				if len(r.Candidates) == 0 {
					continue
				}
				first := r.Candidates[0]
				got, p := first.Entry.ID, first.Probability
				if none := r.Features.OffTopic; none > p {
					got, p = OutOfScope, none
				}
				if got != q.Want && p >= suspectAt {
					out[fold] = append(out[fold], fmt.Sprintf("%s\t%s\t%.2f\t%d\t%s", q.Want, got, p, q.Line, q.Question))
				}
			}
		})
	}
	wg.Wait()
	for _, lines := range out {
		for _, l := range lines {
			fmt.Println(l)
		}
	}
}

// crossFold splits ps for k-fold cross-validation: held is every k-th
// phrasing from the fold-th, rest the others.
func crossFold(ps []Labeled, k, fold int) (rest, held []Labeled) {
	for i, p := range ps {
		if i%k == fold {
			held = append(held, p)
		} else {
			rest = append(rest, p)
		}
	}
	return rest, held
}

package faq

import (
	"math"
	"slices"
	"testing"
)

// TestNeighboursFindATextItself checks that a training text is at
// cosine 1 from its own class and that a question sharing no feature
// with any text is near none.
func TestNeighboursFindATextItself(t *testing.T) {
	kb := loadDefault(t)
	c := kb.Model.c
	if c.near == nil {
		t.Fatal("the stored model has no nearest texts")
	}
	near := func(q string) []float64 {
		var rows []int32
		var vals []float32
		for _, f := range c.fz.features(tokenize(q, maxQueryTokens), nil) {
			if row, ok := slices.BinarySearch(c.keys, f.key); ok {
				rows, vals = append(rows, int32(row)), append(vals, f.val)
			}
		}
		best := make([]float64, len(c.classes))
		c.near.nearest(rows, vals, best)
		return best
	}
	e := kb.Entries[3]
	best := near(e.Question)
	if math.Abs(best[3]-1) > 0.01 {
		t.Errorf("%q: cosine %.3f with its own entry's nearest text, want 1", e.Question, best[3])
	}
	for i, b := range near("zzqx") {
		if b != 0 {
			t.Errorf("a question of no known feature: cosine %.3f with %s, want 0", b, c.classes[i])
		}
	}
}

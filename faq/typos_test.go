package faq

import (
	"strings"
	"testing"
)

// TestMisspeltSlipsOneLetterInSomeWords checks that the typos are the
// slips members make: every question changes, each changed word is one
// edit from the word it was, and the same set gets the same typos each
// time, so that measurements can be compared.
func TestMisspeltSlipsOneLetterInSomeWords(t *testing.T) {
	set := []Labeled{
		{Want: "pension", Question: "what happens to my pension"},
		{Want: "wage-freeze", Question: "Is there a wage freeze in the agreement?"},
		{Want: OutOfScope, Question: "ok"},
	}
	got := Misspelt(set)
	if again := Misspelt(set); got[0] != again[0] || got[1] != again[1] {
		t.Errorf("Misspelt is not repeatable: %v then %v", got[:2], again[:2])
	}
	if got[2].Question != "ok" {
		t.Errorf("a message without a word of three letters became %q", got[2].Question)
	}
	for i, q := range got[:2] {
		if q.Question == set[i].Question || q.Want != set[i].Want {
			t.Errorf("%q became %+v, want the same label and a typo", set[i].Question, q)
		}
		before, after := strings.Fields(set[i].Question), strings.Fields(q.Question)
		if len(before) != len(after) {
			t.Fatalf("%q became %q: words added or lost", set[i].Question, q.Question)
		}
		for j := range before {
			if d := osaDistance(strings.ToLower(before[j]), strings.ToLower(after[j]), 3); d > 1 {
				t.Errorf("%q became %q, %d edits", before[j], after[j], d)
			}
		}
	}
}

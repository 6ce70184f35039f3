package faq

import "testing"

// TestSlipsAreAnsweredLikeTheWordsMeant checks that a question with
// typos is answered as it is when spelt right.
func TestSlipsAreAnsweredLikeTheWordsMeant(t *testing.T) {
	m := NewMatcher(loadDefault(t), nil, Options{})
	for _, tc := range []struct{ slip, meant string }{
		{"wat abut my pensoin", "what about my pensoin"},
		{"wat abut my pensoin", "what about my pension"},
		{"is tehre a wage freez", "is there a wage freeze"},
		{"whne is teh deadlnie to vote", "when is the deadline to vote"},
		{"how much will the stat save", "how much will the state save"},
	} {
		got, want := m.Match(tc.slip), m.Match(tc.meant)
		if want.Outcome != Answer {
			t.Fatalf("%q: %v, want an answer", tc.meant, want.Outcome)
		}
		if got.Outcome != Answer || got.Entry != want.Entry {
			t.Errorf("%q: %v %v (confidence %.2f), want %v as for %q", tc.slip, got.Outcome, entryID(got), got.Confidence, want.Entry.ID, tc.meant)
		}
	}
}

func entryID(r Result) string {
	if r.Entry == nil {
		return "-"
	}
	return r.Entry.ID
}

// TestNearestWordCorrectsOnlyUnambiguousSlips checks the speller's
// choice of word.
func TestNearestWordCorrectsOnlyUnambiguousSlips(t *testing.T) {
	var words [][]vocabWord
	for _, w := range []string{"pension", "pensions", "the", "then", "than", "freeze", "free", "fees"} {
		words = addVocab(words, vocabWord{word: w, mask: letterMask(w), df: 1})
	}
	for _, tc := range []struct {
		word, want string
		ok         bool
	}{
		{"pensoin", "pension", true}, // a swap
		{"teh", "the", true},         // a swap in a short word
		{"frezee", "freeze", true},
		{"thn", "the", true}, // the, then or than: stop words all
		{"fee", "", false},   // free or fees
		{"pnsn", "", false},  // two edits in a short word
	} {
		got, ok := nearestWord(words, tc.word, max(typoBudget(len(tc.word)), 1))
		if got != tc.want || ok != tc.ok {
			t.Errorf("nearestWord(%q) = %q, %v; want %q, %v", tc.word, got, ok, tc.want, tc.ok)
		}
	}
}

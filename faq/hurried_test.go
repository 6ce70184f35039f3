package faq

import (
	"slices"
	"strings"
	"testing"
)

// TestShortenedReadsBackAsWritten checks that the shorthand table reads
// every short form Shortened writes back as the words it stands for: a
// question in shorthand reaches the matcher in the same words as the
// question written out.
func TestShortenedReadsBackAsWritten(t *testing.T) {
	var set []Labeled
	for _, q := range []string{
		"What are you going to do about my pension because of the deal?",
		"Do we get raises before the governor signs, or right now?",
		"I don't know what the deadline is, please tell me, thanks",
		"How many people will be laid off in the next few years, though?",
	} {
		set = append(set, Labeled{Want: OutOfScope, Question: q})
	}
	short := Shortened(set)
	changed := 0
	for i, q := range short {
		if q.Question != strings.ToLower(strings.NewReplacer("'", "", "?", "").Replace(set[i].Question)) {
			changed++
		}
		want, got := tokenize(set[i].Question, maxQueryTokens), tokenize(q.Question, maxQueryTokens)
		if !slices.Equal(got, want) {
			t.Errorf("%q reads as %q, want %q as for %q", q.Question, got, want, set[i].Question)
		}
	}
	if changed < len(set)-1 {
		t.Errorf("only %d of %d questions were written in shorthand: %v", changed, len(set), short)
	}
	if again := Shortened(set); !slices.Equal(again, short) {
		t.Errorf("Shortened wrote %v, then %v", short, again)
	}
}

// TestWrappedKeepsTheQuestion checks that Wrapped adds small talk around
// each question, the same each time, and keeps the question whole.
func TestWrappedKeepsTheQuestion(t *testing.T) {
	set := []Labeled{{Want: "pension", Question: "is my pension safe"}, {Want: OutOfScope, Question: "whats the weather"}}
	wrapped := Wrapped(set)
	for i, q := range wrapped {
		if !strings.Contains(q.Question, set[i].Question) || len(q.Question) <= len(set[i].Question) || q.Want != set[i].Want {
			t.Errorf("%q wrapped as %q (%s)", set[i].Question, q.Question, q.Want)
		}
	}
	if again := Wrapped(set); !slices.Equal(again, wrapped) {
		t.Errorf("Wrapped wrote %v, then %v", wrapped, again)
	}
}

// TestSmallTalkAroundAQuestion checks that chat fillers and small talk
// around a question do not change which entry answers it, and that an
// off-topic message wrapped alike is still not answered.
func TestSmallTalkAroundAQuestion(t *testing.T) {
	m := NewMatcher(loadDefault(t), nil, Options{})
	answered := []Labeled{
		{Want: "wage-freeze", Question: "ugh long night lol anyway is there a wage freeze? thx"},
		{Want: "retirement-age", Question: "omg ngl im worried, does the deal raise the retirement age, tia"},
		{Want: "deadline", Question: "hey sorry to bother u, when is the deadline for a deal lmk"},
		{Want: "wage-freeze", Question: "hiya, my cat kept me up all night. is there a wage freeze? no rush"},
	}
	if r := Evaluate(m, answered); r.Correct != len(answered) {
		t.Errorf("%d of %d questions in small talk answered right; missed %+v", r.Correct, len(answered), r.Misses)
	}
	for _, q := range []string{
		"ugh long night lol anyway whats the weather tomorrow? thx",
		"omg ngl, when does the mall open, tia",
	} {
		if r := m.Match(q); r.Outcome == Answer {
			t.Errorf("%q answered with %s (confidence %.2f)", q, r.Entry.ID, r.Confidence)
		}
	}
	if r := m.Match("lol"); r.Outcome != Clarify || !r.SmallTalk {
		t.Errorf(`"lol": %v (small talk %v), want a request to ask in words`, r.Outcome, r.SmallTalk)
	}
}

// TestClausesKeepNumbersAndLinks checks where a message is split into
// clauses: after the punctuation that ends one, never inside a number
// or a link.
func TestClausesKeepNumbersAndLinks(t *testing.T) {
	got := clauses("ugh, long night. is the 1.6 billion (6,500 jobs) real? see https://ct.gov/x.html!\nthx")
	want := []string{"ugh", " long night", " is the 1.6 billion (6,500 jobs) real", " see https://ct.gov/x.html", "thx"}
	if !slices.Equal(got, want) {
		t.Errorf("clauses: %q, want %q", got, want)
	}
}

// TestDollarSignAloneIsMoney checks that a "$" standing for money is
// read as the word, and one before a number as nothing.
func TestDollarSignAloneIsMoney(t *testing.T) {
	got := tokenize("how much $ do we lose, $40.1 billion?", maxQueryTokens)
	want := []string{"how", "much", "money", "do", "we", "lose", "40.1", "billion"}
	if !slices.Equal(got, want) {
		t.Errorf("tokenize: %q, want %q", got, want)
	}
}

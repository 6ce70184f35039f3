package faq

import (
	"slices"
	"sync"
	"testing"
)

// TestValidationPhrasings measures the matcher on the training phrasings
// that SplitPhrasings holds apart, with a classifier trained on the rest:
// wording that neither the knowledge base nor the classifier has seen,
// as written and with typos. Its floors are below the measured figures
// (see docs/faq-matcher.md); they catch a change that fits the entries'
// own wording at the expense of members'.
func TestValidationPhrasings(t *testing.T) {
	kb := loadDefault(t)
	train, val := SplitPhrasings(kb.Phrasings)
	if len(val) < len(kb.Phrasings)/6 || len(train)+len(val) != len(kb.Phrasings) {
		t.Fatalf("split %d + %d of %d phrasings", len(train), len(val), len(kb.Phrasings))
	}
	m := splitMatcher(t)
	for _, tc := range []struct {
		name                         string
		set                          []Labeled
		p1, wrong, offered, falseAns float64
	}{
		{"validation", val, 0.8, 0.025, 0.93, 0.04},
		{"validation with typos", Misspelt(val), 0.7, 0.03, 0.89, 0.04},
	} {
		r := Evaluate(m, tc.set)
		b := Evaluate(NewBaseline(kb), tc.set)
		t.Logf("%s: P@1 %.3f wrong %.3f answered or suggested %.3f false answers %.3f; baseline P@1 %.3f",
			tc.name, r.PrecisionAt1(), r.WrongRate(), r.OfferedRate(), r.FalseAnswerRate(), b.PrecisionAt1())
		if r.PrecisionAt1() < tc.p1 || r.WrongRate() > tc.wrong || r.OfferedRate() < tc.offered || r.FalseAnswerRate() > tc.falseAns {
			t.Errorf("%s: P@1 %.3f, wrong %.3f, answered or suggested %.3f, false answers %.3f; want at least %.2f, at most %.3f, at least %.2f, at most %.3f",
				tc.name, r.PrecisionAt1(), r.WrongRate(), r.OfferedRate(), r.FalseAnswerRate(), tc.p1, tc.wrong, tc.offered, tc.falseAns)
		}
		if r.PrecisionAt1() < b.PrecisionAt1()+0.05 {
			t.Errorf("%s: P@1 %.3f is not well ahead of plain BM25 (%.3f)", tc.name, r.PrecisionAt1(), b.PrecisionAt1())
		}
	}
}

// split is the matcher trained on the training part of the validation
// split (less any phrasing equal to a validation question), trained once
// for the tests that need it: training is the slowest thing they do.
var split struct {
	once sync.Once
	m    *Matcher
}

// splitMatcher returns the matcher trained on the validation split's
// training part.
func splitMatcher(t testing.TB) *Matcher {
	t.Helper()
	kb := loadDefault(t)
	split.once.Do(func() {
		train, val := SplitPhrasings(kb.Phrasings)
		trained, _ := kb.WithPhrasings(train).WithoutQuestions(val)
		split.m = NewMatcher(trained, nil, Options{})
	})
	return split.m
}

// TestBorrowedWordsAreOffered checks that a message using an entry's
// words for another subject, with words the knowledge base never uses, is
// offered the entry rather than answered with it, while a member's own
// question in the same words is still answered. The messages are none of
// the training phrasings, so the stored classifier has not learnt them.
func TestBorrowedWordsAreOffered(t *testing.T) {
	kb := loadDefault(t)
	borrowed := []string{
		"the sanitation crews in waterbury got a 3 percent raise",
		"the ferry deckhands in new london won a 3 percent raise",
	}
	for _, q := range borrowed {
		if _, left := kb.WithoutQuestions([]Labeled{{Want: OutOfScope, Question: q}}); left != 0 {
			t.Fatalf("%q is a training phrasing; the test needs a message the classifier has not seen", q)
		}
	}
	m := NewMatcher(kb, nil, Options{})
	for _, q := range borrowed {
		r := m.Match(q)
		if r.Outcome == Answer || r.Features.Novelty < foreignNovelty || r.Features.OffTopic < foreignOffTopic {
			t.Errorf("%q: %s %s at %.2f, novelty %.2f, off-topic %.2f; want it not answered for its unknown words",
				q, r.Outcome, r.Candidates[0].Entry.ID, r.Confidence, r.Features.Novelty, r.Features.OffTopic)
		}
	}
	if r := m.Match("is there a 3 percent raise after the freeze"); r.Outcome != Answer || r.Entry.ID != "raises" {
		t.Errorf("the raise after the freeze: %s, best %s; want the raises entry answered", r.Outcome, r.Candidates[0].Entry.ID)
	}
}

// TestSplitPhrasingsIsFixed checks that the validation split takes one in
// five of each entry's phrasings, and the same ones every time.
func TestSplitPhrasingsIsFixed(t *testing.T) {
	kb := loadDefault(t)
	train, val := SplitPhrasings(kb.Phrasings)
	again, _ := SplitPhrasings(kb.Phrasings)
	if !slices.Equal(train, again) {
		t.Fatal("the split changes from run to run")
	}
	count := func(set []Labeled) map[string]int {
		n := map[string]int{}
		for _, p := range set {
			n[p.Want]++
		}
		return n
	}
	all, held := count(kb.Phrasings), count(val)
	for id, n := range all {
		if held[id] != n/5 {
			t.Errorf("%s: %d of %d phrasings held apart, want %d", id, held[id], n, n/5)
		}
	}
}

// TestMembersWordingIsAnsweredOrOffered asks questions in members' own
// words about what the entries cover, including facts added to them: the
// right entry is answered or offered, and no other entry is asserted.
func TestMembersWordingIsAnsweredOrOffered(t *testing.T) {
	m := NewMatcher(loadDefault(t), nil, Options{})
	for q, want := range map[string]string{
		"whats the last day to get a deal done":                 "deadline",
		"how did P-2 vote":                                      "vote-result",
		"could the governor cut more now":                       "rescission-authority",
		"did the members vote it down?":                         "vote-result",
		"was the deal ratified":                                 "vote-result",
		"what if nobody agrees by august":                       "deadline",
		"will I lose my job":                                    "job-security",
		"will my premiums go up":                                "health-care",
		"can they reopen the contract":                          "renegotiation",
		"wat abut my pensoin":                                   "pension",
		"is the governor sending his negotiator":                "renegotiation",
		"can departments suggest other cuts instead of layoffs": "layoffs",
	} {
		r := m.Match(q)
		switch {
		case r.Outcome == Answer && r.Entry.ID == want:
		case r.Outcome == Answer:
			t.Errorf("%q: answered with %s (confidence %.2f), want %s", q, r.Entry.ID, r.Confidence, want)
		case r.Outcome == Suggest && slices.ContainsFunc(r.Suggestions, func(e *Entry) bool { return e.ID == want }):
		default:
			t.Errorf("%q: %v %v, want %s answered or offered", q, r.Outcome, r.Candidates, want)
		}
	}
}

// TestAmbiguousQuestionsOfferBoth checks that a question two entries
// answer about equally well offers both, and that one which touches a
// second entry answers with the first and offers the second beside it.
func TestAmbiguousQuestionsOfferBoth(t *testing.T) {
	m := NewMatcher(loadDefault(t), nil, Options{})
	r := m.Match("vote")
	if r.Outcome != Suggest || len(r.Suggestions) < 2 {
		t.Errorf("vote: %v %v, want suggestions", r.Outcome, r.Suggestions)
	}
	found := false
	for _, q := range []string{"was the deal ratified", "is the wage freeze still happening if the vote failed", "will I lose my job if it fails"} {
		r := m.Match(q)
		if r.Outcome == Answer && len(r.Related) == 1 && r.Related[0] != r.Entry {
			found = true
		}
		if len(r.Candidates) > 1 && r.Candidates[1].Probability >= m.opts.Ambiguity*r.Candidates[0].Probability && r.Outcome == Answer {
			t.Errorf("%q: answered although the second entry is nearly as likely: %v", q, r.Candidates)
		}
	}
	if !found {
		t.Error("no question touching two entries offered the second beside its answer")
	}
}

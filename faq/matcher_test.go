package faq

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTokenize(t *testing.T) {
	for in, want := range map[string][]string{
		"So no pay bump for 2 yrs??":           {"so", "no", "pay", "bump", "for", "2", "years"},
		"What's the 3% raise in 2012-13?":      {"what", "is", "the", "3", "percent", "raise", "in", "2012-13"},
		"$1.6 billion, 6,500 layoffs.":         {"1.6", "billion", "6500", "layoffs"},
		"<@U123> @everyone is it frozen?":      {"is", "it", "freeze"},
		"re-vote on the P-4 contract":          {"re-vote", "on", "the", "p-4", "contract"},
		"July 15th; Aug. 31":                   {"july", "15", "august", "31"},
		"Governor’s cuts":                      {"governors", "cuts"},
		"🎉🎉 — ***":                             nil,
		"two unions, four years":               {"2", "unions", "4", "years"},
		"<https://example.org|a link> pension": {"pension"},
	} {
		if got := tokenize(in, 100); !reflect.DeepEqual(got, want) {
			t.Errorf("tokenize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := tokenize(strings.Repeat("pay ", 1000), maxQueryTokens); len(got) != maxQueryTokens {
		t.Errorf("%d tokens kept of a long question", len(got))
	}
}

func TestOSADistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"pension", "pension", 0},
		{"pention", "pension", 1},      // substitution
		{"agian", "again", 1},          // transposition
		{"retirment", "retirement", 1}, // deletion
		{"wellness", "welness", 1},
		{"seperately", "separately", 1},
		{"ca", "abc", 3}, // OSA, unlike full Damerau, cannot edit a transposed pair again
		{"freeze", "layoff", 6},
	} {
		if got := osaDistance(tc.a, tc.b, 10); got != tc.want {
			t.Errorf("osaDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	if got := osaDistance("freeze", "layoff", 2); got != 2 {
		t.Errorf("bounded distance = %d, want the limit 2", got)
	}
}

func TestLexiconAndTypos(t *testing.T) {
	m := NewMatcher(loadDefault(t), nil, Options{})
	for q, want := range map[string]string{
		"are pink slips going out":      "layoffs",        // lexicon phrase
		"any COLA after the freeze":     "raises",         // abbreviation
		"is the retirment age going up": "retirement-age", // typo
		"wat is the welness progam":     "wellness-program",
		"how much does the pakage save": "savings",
		"are our wages frozen":          "wage-freeze", // irregular form
		"will the TA protect my job":    "job-security",
	} {
		r := m.Match(q)
		if r.Outcome != Answer || r.Entry.ID != want {
			t.Errorf("%q: %v %v (confidence %.2f), want %s", q, r.Outcome, r.Candidates, r.Confidence, want)
		}
	}
	// Short words are not "corrected" into knowledge base words.
	ix := m.idx.Load()
	for _, w := range []string{"snow", "dog", "pay"} {
		s := slot{}
		s.addWord(ix, w, stem(w), true)
		if w != "pay" && len(s.terms) > 0 {
			t.Errorf("%q corrected to %v", w, s.terms)
		}
	}
}

func TestConfidenceSeparatesInAndOutOfScope(t *testing.T) {
	m := NewMatcher(loadDefault(t), nil, Options{})
	in := m.Match("how many unions have to ratify the agreement")
	out := m.Match("where can I buy a cheap used car")
	if in.Confidence < 0.8 || out.Confidence > 0.2 || out.Outcome != Abstain {
		t.Errorf("in scope %.2f (%v), out of scope %.2f (%v)", in.Confidence, in.Outcome, out.Confidence, out.Outcome)
	}
	if r := m.Match(""); !r.Empty || r.Outcome != Abstain {
		t.Errorf("empty question: %+v", r)
	}
	if r := m.Match("\xff\xfe pension"); r.Outcome != Answer {
		t.Errorf("invalid UTF-8 around a question: %+v", r)
	}
}

// syntheticKB returns the default knowledge base grown to n entries with
// generated ones drawn from its own vocabulary and made-up words, so the
// index has realistic term statistics and a larger vocabulary.
func syntheticKB(tb testing.TB, n int) *KB {
	tb.Helper()
	base := loadDefault(tb)
	var vocab []string
	for _, e := range base.Entries {
		vocab = append(vocab, strings.Fields(strings.ToLower(e.Answer))...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		if rng.IntN(3) == 0 {
			return fmt.Sprintf("term%dx%c", rng.IntN(5000), 'a'+rune(rng.IntN(26)))
		}
		return vocab[rng.IntN(len(vocab))]
	}
	sentence := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = word()
		}
		return strings.Join(ws, " ")
	}
	kb := *base
	kb.Entries = append([]*Entry(nil), base.Entries...)
	kb.byID = map[string]*Entry{}
	for _, e := range kb.Entries {
		kb.byID[e.ID] = e
	}
	for i := len(kb.Entries); i < n; i++ {
		e := &Entry{
			ID:         fmt.Sprintf("synthetic-%d", i),
			Topic:      sentence(3),
			Question:   sentence(8) + "?",
			Alternates: []string{sentence(7), sentence(9), sentence(6), sentence(8)},
			Keywords:   []string{word(), word(), word()},
			Answer:     sentence(60),
			Sources:    []string{"union-hall-help"},
		}
		kb.Entries = append(kb.Entries, e)
		kb.byID[e.ID] = e
	}
	return &kb
}

func TestSyntheticKBStillAnswers(t *testing.T) {
	m := NewMatcher(syntheticKB(t, 500), nil, Options{})
	if r := m.Match("is there a wage freeze"); len(r.Candidates) == 0 || r.Candidates[0].Entry.ID != "wage-freeze" {
		t.Errorf("synthetic KB: %v", r.Candidates)
	}
}

// benchQuestions are the dev and held-out questions, as members ask them.
func benchQuestions(b *testing.B) []string {
	var qs []string
	for _, f := range []string{"testdata/dev-questions.tsv", "testdata/holdout-questions.tsv"} {
		for _, q := range readSet(b, f) {
			qs = append(qs, q.Question)
		}
	}
	return qs
}

func benchmarkMatch(b *testing.B, kb *KB) {
	m := NewMatcher(kb, nil, Options{})
	qs := benchQuestions(b)
	lat := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		start := time.Now()
		m.Match(qs[i%len(qs)])
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkMatchDefaultKB is one question against the default knowledge
// base (target: well under 1 ms).
func BenchmarkMatchDefaultKB(b *testing.B) { benchmarkMatch(b, loadDefault(b)) }

// BenchmarkMatch2000 is one question against a 2,000-entry knowledge base
// (target: under 5 ms).
func BenchmarkMatch2000(b *testing.B) { benchmarkMatch(b, syntheticKB(b, 2000)) }

// BenchmarkBuild2000 is the cost of indexing 2,000 entries, paid at start-up
// and on each /faq add.
func BenchmarkBuild2000(b *testing.B) {
	kb := syntheticKB(b, 2000)
	for b.Loop() {
		NewMatcher(kb, nil, Options{})
	}
}

package faq

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"
)

// Baseline is plain BM25 over the same entries, for comparison: each
// entry is one document (question, alternates and answer together), words
// are lower-cased, stop words dropped and the rest stemmed; there is no
// lexicon, no typo correction, no fields and no confidence. It answers
// with its best entry whenever any word matches.
type Baseline struct {
	entries []*Entry
	k1, b   float64
	avgLen  float64
	docLen  []float64
	tf      []map[string]float64
	df      map[string]int
}

// NewBaseline indexes kb's entries.
func NewBaseline(kb *KB) *Baseline {
	bl := &Baseline{entries: kb.Entries, k1: 1.2, b: 0.75, df: map[string]int{}}
	var total float64
	for _, e := range kb.Entries {
		text := e.Question + " " + strings.Join(e.Alternates, " ") + " " + e.Answer
		tf := map[string]float64{}
		words := baselineWords(text)
		for _, w := range words {
			tf[w]++
		}
		for w := range tf {
			bl.df[w]++
		}
		bl.tf = append(bl.tf, tf)
		bl.docLen = append(bl.docLen, float64(len(words)))
		total += float64(len(words))
	}
	bl.avgLen = max(total/float64(max(len(kb.Entries), 1)), 1)
	return bl
}

func baselineWords(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if english.IsStopWord(w) {
			continue
		}
		out = append(out, english.Stem(w, false))
	}
	return out
}

// Predict implements System.
func (bl *Baseline) Predict(question string) Prediction {
	n := float64(len(bl.entries))
	scores := make([]float64, len(bl.entries))
	for _, w := range baselineWords(question) {
		df := float64(bl.df[w])
		if df == 0 {
			continue
		}
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for d, tf := range bl.tf {
			f := tf[w]
			if f == 0 {
				continue
			}
			scores[d] += idf * f * (bl.k1 + 1) / (f + bl.k1*(1-bl.b+bl.b*bl.docLen[d]/bl.avgLen))
		}
	}
	order := make([]int, 0, len(scores))
	for d, s := range scores {
		if s > 0 {
			order = append(order, d)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return scores[order[i]] > scores[order[j]] })
	p := Prediction{Confidence: -1}
	for i, d := range order {
		if i == maxCandidates {
			break
		}
		p.Ranked = append(p.Ranked, bl.entries[d].ID)
	}
	if len(p.Ranked) > 0 {
		p.ID = p.Ranked[0]
	}
	return p
}

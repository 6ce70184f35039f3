package faq

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"slices"
	"strings"

	"github.com/unionhall/unionhall/faq/passages"
)

// OutOfScope is the expected id of a question the knowledge base should
// not answer, in evaluation files.
const OutOfScope = "-"

// Labeled is one evaluation question with the entry id expected to answer
// it, or OutOfScope.
type Labeled struct {
	// Want is the expected entry id, or OutOfScope.
	Want string
	// Question is the question text.
	Question string
	// Line is the line number in the file.
	Line int
}

// ReadLabeled reads an evaluation file: one question a line, the expected
// id, a tab, the question. Blank lines and lines starting with "#" are
// skipped. known, when not nil, is used to reject ids that are not in the
// knowledge base.
func ReadLabeled(r io.Reader, known func(id string) bool) ([]Labeled, error) {
	var out []Labeled
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, q, ok := strings.Cut(line, "\t")
		id, q = strings.TrimSpace(id), strings.TrimSpace(q)
		if !ok || id == "" || q == "" {
			return nil, fmt.Errorf("line %d: want an id, a tab and a question", n)
		}
		if id != OutOfScope && known != nil && !known(id) {
			return nil, fmt.Errorf("line %d: %q is not an entry of the knowledge base", n, id)
		}
		out = append(out, Labeled{Want: id, Question: q, Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no questions")
	}
	return out, nil
}

// Prediction is what a system did with one question: the id it answered
// with ("" when it did not answer) and its ranking of entries, best first.
type Prediction struct {
	ID     string
	Ranked []string
	// Suggested are the ids offered instead of an answer, or beside it.
	Suggested []string
	// Confidence is the system's confidence, or -1 when it has none.
	Confidence float64
	// Quoted is the passage of the union's documents answered with, if
	// any; Offered are the passages offered instead; Beside is the
	// passage shown beside an entry's answer; TopPassage is the passage
	// ranked first, quoted or not (nil without documents).
	Quoted     *passages.Passage
	Offered    []passages.Passage
	Beside     *passages.Passage
	TopPassage *passages.Passage
}

// PassageHolds reports whether a passage holds the provision an
// evaluation file names as a question's answer: a clause or section
// number ("13.3", "10.3.5"), or a number in one document, after the
// document's file name without its extension ("side-letter-overtime:3").
// A quoted passage is right when it holds the answer.
func PassageHolds(p passages.Passage, label string) bool {
	if doc, number, ok := strings.Cut(label, ":"); ok {
		name := path.Base(p.File)
		return strings.TrimSuffix(name, path.Ext(name)) == doc && p.Covers(number)
	}
	return p.Covers(label)
}

// answersWith reports whether the prediction answered with want: the
// entry itself, or a quoted passage that holds it.
func (p Prediction) answersWith(want string) bool {
	return p.ID != "" && p.ID == want || p.Quoted != nil && PassageHolds(*p.Quoted, want)
}

// offers reports whether the prediction offered want among its
// suggestions, or showed a passage holding it beside its answer.
func (p Prediction) offers(want string) bool {
	return slices.Contains(p.Suggested, want) || slices.ContainsFunc(p.Offered, func(q passages.Passage) bool { return PassageHolds(q, want) }) ||
		p.besideHolds(want)
}

// besideHolds reports whether the passage shown beside the answer holds
// want.
func (p Prediction) besideHolds(want string) bool {
	return p.Beside != nil && PassageHolds(*p.Beside, want)
}

// System is something that can be evaluated: the matcher, or the plain
// BM25 baseline.
type System interface {
	Predict(question string) Prediction
}

// Predict implements System for the matcher: it answers only when the
// outcome is Answer, and ranks its candidates.
func (m *Matcher) Predict(question string) Prediction {
	r := m.Match(question)
	p := Prediction{Confidence: r.Confidence}
	switch r.Outcome {
	case Answer:
		p.ID = r.Entry.ID
		if r.Beside != nil {
			p.Beside = &r.Beside.Passage
		}
	case Passage:
		p.Quoted = &r.Quoted.Passage
	}
	for _, q := range r.Offered {
		p.Offered = append(p.Offered, q.Passage)
	}
	if ranked := m.rankPassages(question); len(ranked) > 0 {
		p.TopPassage = &ranked[0].Passage
	}
	for _, e := range append(r.Suggestions, r.Related...) {
		p.Suggested = append(p.Suggested, e.ID)
	}
	for _, c := range r.Candidates {
		p.Ranked = append(p.Ranked, c.Entry.ID)
	}
	return p
}

// Miss is one question a system got wrong.
type Miss struct {
	Labeled
	// Got is the id it answered with, or "" when it did not answer.
	Got string
	// Top is its best-ranked id, even when it did not answer.
	Top string
	// Confidence is its confidence.
	Confidence float64
}

// Report is the result of evaluating a system on a question set.
type Report struct {
	// InScope counts questions with an expected entry; Correct those
	// answered with it, Wrong those answered with another entry, and
	// Offered those answered with it or offered it among suggestions
	// (instead of an answer, or beside a wrong one).
	InScope, Correct, Wrong, Offered int
	// First counts in-scope questions whose expected entry is ranked
	// first, answered or not: the ceiling on Correct.
	First int
	// ReciprocalRanks sums 1/rank of the expected entry in the ranking
	// (0 when it is not ranked).
	ReciprocalRanks float64
	// OutOfScope counts OutOfScope questions; FalseAnswers those answered
	// anyway.
	OutOfScope, FalseAnswers int
	// Quoted counts in-scope questions answered with a passage of the
	// union's documents, QuotedRight those whose passage holds the
	// answer, OfferedPassages those offered a passage that does, and
	// BesideRight those answered by an entry with a passage that does
	// beside it. The right passage is cited for QuotedRight +
	// OfferedPassages + BesideRight questions.
	Quoted, QuotedRight, OfferedPassages, BesideRight int
	// QuotedOutOfScope counts OutOfScope questions answered with a
	// passage.
	QuotedOutOfScope int
	// Misses lists every question not handled right, in file order.
	Misses []Miss
}

// PrecisionAt1 is the share of in-scope questions answered with the
// expected entry.
func (r Report) PrecisionAt1() float64 { return ratio(r.Correct, r.InScope) }

// WrongRate is the share of in-scope questions answered with another
// entry than the expected one.
func (r Report) WrongRate() float64 { return ratio(r.Wrong, r.InScope) }

// OfferedRate is the share of in-scope questions answered with the
// expected entry or offered it among suggestions.
func (r Report) OfferedRate() float64 { return ratio(r.Offered, r.InScope) }

// CitedRate is the share of in-scope questions for which the right
// passage of the union's documents was quoted, offered or shown beside an
// entry's answer.
func (r Report) CitedRate() float64 {
	return ratio(r.QuotedRight+r.OfferedPassages+r.BesideRight, r.InScope)
}

// FirstRate is the share of in-scope questions whose expected entry is
// ranked first, answered or not.
func (r Report) FirstRate() float64 { return ratio(r.First, r.InScope) }

// MRR is the mean reciprocal rank of the expected entry over in-scope
// questions.
func (r Report) MRR() float64 {
	if r.InScope == 0 {
		return 0
	}
	return r.ReciprocalRanks / float64(r.InScope)
}

// FalseAnswerRate is the share of out-of-scope questions that got an
// answer.
func (r Report) FalseAnswerRate() float64 { return ratio(r.FalseAnswers, r.OutOfScope) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Evaluate runs sys on every question and scores it. A question whose
// expected answer is a provision of the union's documents is answered
// right by a quoted passage that holds it (see PassageHolds).
func Evaluate(sys System, set []Labeled) Report {
	var r Report
	for _, q := range set {
		p := sys.Predict(q.Question)
		miss := Miss{Labeled: q, Got: p.ID, Confidence: p.Confidence}
		if p.Quoted != nil {
			miss.Got = p.Quoted.Citation()
		}
		if len(p.Ranked) > 0 {
			miss.Top = p.Ranked[0]
		}
		answered := p.ID != "" || p.Quoted != nil
		if q.Want == OutOfScope {
			r.OutOfScope++
			if answered {
				r.FalseAnswers++
				r.Misses = append(r.Misses, miss)
			}
			if p.Quoted != nil {
				r.QuotedOutOfScope++
			}
			continue
		}
		r.InScope++
		for i, id := range p.Ranked {
			if id == q.Want {
				r.ReciprocalRanks += 1 / float64(i+1)
				if i == 0 {
					r.First++
				}
				break
			}
		}
		if p.TopPassage != nil && PassageHolds(*p.TopPassage, q.Want) {
			miss.Top = p.TopPassage.Citation()
			r.First++
			r.ReciprocalRanks++
		}
		if p.Quoted != nil {
			r.Quoted++
		}
		if p.answersWith(q.Want) {
			r.Correct++
			r.Offered++
			if p.Quoted != nil {
				r.QuotedRight++
			}
			continue
		}
		if answered {
			r.Wrong++
		}
		if p.offers(q.Want) {
			r.Offered++
			switch {
			case slices.ContainsFunc(p.Offered, func(o passages.Passage) bool { return PassageHolds(o, q.Want) }):
				r.OfferedPassages++
			case p.besideHolds(q.Want):
				r.BesideRight++
			}
		}
		r.Misses = append(r.Misses, miss)
	}
	return r
}

// validationSeed fixes which training phrasings SplitPhrasings holds
// apart, so that every measurement uses the same validation set.
const validationSeed = 20110701

// SplitPhrasings holds apart one in five of each entry's training
// phrasings (and of the out-of-scope ones), chosen by a fixed seed, as a
// validation set for a classifier trained on the rest.
func SplitPhrasings(ps []Labeled) (train, validation []Labeled) {
	return splitPhrasings(ps, validationSeed)
}

// splitPhrasings is SplitPhrasings with another seed: a choice made on
// several splits depends less on which phrasings one split holds apart.
func splitPhrasings(ps []Labeled, seed uint64) (train, validation []Labeled) {
	byID := map[string][]Labeled{}
	var ids []string
	for _, p := range ps {
		if byID[p.Want] == nil {
			ids = append(ids, p.Want)
		}
		byID[p.Want] = append(byID[p.Want], p)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	for _, id := range ids {
		group := append([]Labeled(nil), byID[id]...)
		rng.Shuffle(len(group), func(i, j int) { group[i], group[j] = group[j], group[i] })
		n := len(group) / 5
		validation = append(validation, group[:n]...)
		train = append(train, group[n:]...)
	}
	return train, validation
}

// WithPhrasings returns a copy of kb whose training phrasings are ps and
// which has no stored model, so that a Matcher built on it trains its
// classifier on ps.
func (kb *KB) WithPhrasings(ps []Labeled) *KB {
	c := *kb
	c.Phrasings = ps
	c.Model = nil
	return &c
}

// WithoutQuestions returns kb without the training phrasings that are,
// word for word, questions of set, and how many it left out, so that a
// classifier is never measured on what it learnt.
func (kb *KB) WithoutQuestions(set []Labeled) (*KB, int) {
	asked := map[string]bool{}
	for _, q := range set {
		asked[normalizeKey(q.Question)] = true
	}
	var keep []Labeled
	for _, p := range kb.Phrasings {
		if !asked[normalizeKey(p.Question)] {
			keep = append(keep, p)
		}
	}
	if len(keep) == len(kb.Phrasings) {
		return kb, 0
	}
	return kb.WithPhrasings(keep), len(kb.Phrasings) - len(keep)
}

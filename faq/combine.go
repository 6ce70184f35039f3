package faq

import "math"

// Defaults of the Options that combine the classifier with BM25F.
const (
	DefaultBlend     = 2
	DefaultAmbiguity = 0.5
	DefaultRelatedAt = 0.05
	// DefaultClassifierAnswerAt is high because a member told the wrong
	// thing about their contract is worse off than one told to ask a
	// steward: on held-apart phrasings it keeps wrong answers near 2%.
	DefaultClassifierAnswerAt = 0.85
	// DefaultClassifierSuggestAt is the confidence from which the best
	// entries are offered rather than a steward.
	DefaultClassifierSuggestAt = 0.4
)

// DefaultClassifierCalibration was fitted like DefaultCalibration, for a
// knowledge base with a classifier (see calibrate_test.go).
var DefaultClassifierCalibration = Calibration{Bias: -0.60, Coverage: 1.81, Unknown: -0.38, Strength: -0.31, Runner: -0.68,
	Class: 3.25, ClassRunner: -1.96, OffTopic: -1.63, Agree: 0.26, Novelty: -1.65}

// combine decides about a question from the classifier's probabilities
// and BM25F's ranking together: each entry's score is the classifier's
// log-probability plus Blend × its BM25F score as a share of the perfect
// score, and the scores, with the classifier's for "no entry", are turned
// back into probabilities. r holds BM25F's candidates and features.
func (m *Matcher) combine(ix *index, slots []slot, sh shape, question string, r Result, perfect float64) Result {
	k := len(m.clf.classes)
	var pbuf [maxClasses]float32
	probs := pbuf[:k]
	toks := tokenize(question, maxQueryTokens)
	novelty := m.clf.scores(toks, probs)
	var zbuf [maxClasses]float64
	z := zbuf[:k]
	for i, p := range probs {
		z[i] = math.Log(float64(p) + 1e-9)
	}
	bm := r.Candidates
	if perfect > 0 {
		for _, c := range bm {
			z[c.doc] += m.opts.Blend * c.Score / perfect
		}
	}
	softmax(z)
	entries := z[:k-1]
	var best [maxCandidates]int32
	n := 0
	for d := range entries {
		c := int32(d)
		if n < maxCandidates {
			best[n] = c
			n++
		} else if entries[d] > entries[best[n-1]] {
			best[n-1] = c
		} else {
			continue
		}
		for j := n - 1; j > 0 && entries[best[j]] > entries[best[j-1]]; j-- {
			best[j], best[j-1] = best[j-1], best[j]
		}
	}
	score := func(doc int32) float64 {
		for _, c := range bm {
			if c.doc == doc {
				return c.Score
			}
		}
		return 0
	}
	// A question that is word for word one of an entry's own phrasings
	// asks for that entry.
	exact, isExact := ix.exact[normalizeKey(question)]
	isExact = isExact && exact >= 0
	if isExact {
		i := 0
		for i < n-1 && best[i] != exact {
			i++
		}
		best[i] = exact
		copy(best[1:i+1], best[:i])
		best[0] = exact
	}
	r.Candidates = make([]Candidate, n)
	for i, d := range best[:n] {
		r.Candidates[i] = Candidate{Entry: ix.entries[d], Score: score(d), Probability: entries[d], doc: d}
	}
	top := best[0]
	first, second := r.Candidates[0], Candidate{}
	if n > 1 {
		second = r.Candidates[1]
	}
	f := &r.Features
	f.Class, f.ClassRunner, f.OffTopic = first.Probability, second.Probability, z[k-1]
	f.Novelty = novelty
	f.Agree = 0
	if len(bm) > 0 && bm[0].doc == top {
		f.Agree = 1
	}
	f.Coverage, f.Curated, _ = ix.coverage(slots, top)
	f.Strength = 0
	if perfect > 0 {
		f.Strength = score(top) / perfect
	}
	f.Subjects, f.Bare, f.Owned = ix.owned(slots, sh, top)
	conf := m.opts.Calibration.logistic(*f)
	r.Confidence = conf
	// A bare subject that is not the best entry's own ("my pay") is the
	// subject of several entries: they are offered, not asserted, unless
	// the classifier has learnt the words as one entry's ("total
	// savings", "sebak").
	vague := f.Bare && !f.Owned && first.Probability < bareAnswerAt
	if vague {
		r.Confidence = min(conf, answerTextOnly)
	}
	if isExact {
		r.Confidence = max(conf, exactConfidence)
	}

	switch {
	case isExact || r.Confidence >= m.opts.AnswerAt && second.Probability < m.opts.Ambiguity*first.Probability:
		r.Outcome, r.Entry = Answer, first.Entry
		if second.Entry != nil && second.Probability >= m.opts.RelatedAt && ix.touches(slots, second.doc, first.doc) {
			r.Related = []*Entry{second.Entry}
		}
	case conf >= m.opts.SuggestAt || conf >= m.opts.AnswerAt:
		r.Outcome = Suggest
		for _, c := range r.Candidates[:min(len(r.Candidates), maxSuggestions)] {
			r.Suggestions = append(r.Suggestions, c.Entry)
		}
	}
	return r
}

// touches reports whether the question names a subject that entry doc has
// in its question, alternates or keywords and entry other does not: a
// question about "the vote and the 80 percent rule" touches the
// ratification rules beside the vote result.
func (ix *index) touches(slots []slot, doc, other int32) bool {
	var subjects uint64
	for i, s := range slots {
		if s.subject && i < 64 {
			subjects |= 1 << i
		}
	}
	_, _, mine := ix.coverage(slots, doc)
	_, _, theirs := ix.coverage(slots, other)
	return mine&^theirs&subjects != 0
}

// bareAnswerAt is the probability from which a bare subject that is not
// one entry's own is answered with the entry the classifier prefers.
const bareAnswerAt = 0.9

// maxSuggestions is how many entries are offered when the matcher is
// unsure: the right one is among the best three far more often than it is
// first.
const maxSuggestions = 3

// exactConfidence is the confidence in the entry a question is word for
// word one of the phrasings of (its question, an alternate or a phrasing
// a steward added).
const exactConfidence = 0.99

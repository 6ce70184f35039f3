package faq

import (
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/unionhall/unionhall/faq/passages"
)

// Quoted is a passage of the union's documents that answers a question,
// with what a reply needs to quote it.
type Quoted struct {
	// Passage is the passage quoted.
	Passage passages.Passage
	// Citation names it, e.g. "Article 13, Section 13.3 (Filing)".
	Citation string
	// Sentence is the passage's sentence that best answers the question:
	// the one sharing the most (rarest) words with it.
	Sentence string
	// Score is the passage's BM25 score for the question.
	Score float64
	// Coverage is the share of the question's subject words the passage
	// contains, as written or through the lexicon.
	Coverage float64
}

// Passage answers are decided by these thresholds, chosen on the
// development set in testdata/agreement-dev.tsv (see
// TestAgreementDevSet): a passage is quoted when its BM25 score reaches
// PassageScoreAt and it contains at least PassageCoverageAt of the
// question's subject words, so that a passage sharing only "how many
// days" with a question is not quoted.
const (
	PassageScoreAt    = 7.0
	PassageCoverageAt = 0.6
)

// BM25 parameters for passages, and how much more a word in a passage's
// heading titles counts than one in its text: a passage titled "Filing"
// is about filing even where its text says so once.
const (
	passageK1          = 1.2
	passageB           = 0.75
	passageTitleWeight = 2
	// passageWeightStop and passageWeightCommon are how much a stop
	// word and an everyday word of a question count.
	passageWeightStop   = 0.4
	passageWeightCommon = 0.5
	// passageWeightLexicon is how much a lexicon synonym of a question
	// word counts.
	passageWeightLexicon = 0.5
	maxPassageTokens     = 1 << 16
)

// passageIndex finds the passage that best answers a question, reading
// passages and questions the way the matcher reads entries: tokenized
// with its shorthand and canonical forms, stemmed, and with the union's
// lexicon.
type passageIndex struct {
	passages []passages.Passage
	terms    map[string]int32
	postings [][]passagePosting // by term id, in passage order
	// lexicon maps the stems of a member's word or phrase to the stems of
	// what it means in the documents.
	lexicon  map[string][]string
	lexWords int
}

// passagePosting is one passage's BM25 weight for a term, idf included.
type passagePosting struct {
	doc int32
	w   float32
}

// newPassageIndex indexes ps; it returns nil when there are none.
func newPassageIndex(ps []passages.Passage, lexicon map[string]string) *passageIndex {
	if len(ps) == 0 {
		return nil
	}
	px := &passageIndex{passages: ps, terms: map[string]int32{}, lexicon: map[string][]string{}}
	tfs := make([]map[int32]float64, len(ps))
	lengths := make([]float64, len(ps))
	var total float64
	for d, p := range ps {
		tf := map[int32]float64{}
		for _, h := range p.Headings {
			for _, st := range indexedStems(h.Title) {
				tf[intern(px.terms, st)] += passageTitleWeight
			}
		}
		text := indexedStems(p.Text)
		for _, st := range text {
			tf[intern(px.terms, st)]++
		}
		tfs[d], lengths[d] = tf, float64(len(text))
		total += lengths[d]
	}
	avg := max(total/float64(len(ps)), 1)
	px.postings = make([][]passagePosting, len(px.terms))
	df := make([]int, len(px.terms))
	for _, tf := range tfs {
		for id := range tf {
			df[id]++
		}
	}
	n := float64(len(ps))
	for d, tf := range tfs {
		norm := passageK1 * (1 - passageB + passageB*lengths[d]/avg)
		for id, f := range tf {
			idf := math.Log(1 + (n-float64(df[id])+0.5)/(float64(df[id])+0.5))
			px.postings[id] = append(px.postings[id], passagePosting{doc: int32(d), w: float32(idf * f * (passageK1 + 1) / (f + norm))})
		}
	}
	for _, pl := range px.postings {
		sort.Slice(pl, func(i, j int) bool { return pl[i].doc < pl[j].doc })
	}
	for key, val := range lexicon {
		k := strings.Join(passageStems(key), " ")
		if k == "" {
			continue
		}
		px.lexicon[k] = passageStems(val)
		px.lexWords = max(px.lexWords, len(strings.Fields(k)))
	}
	return px
}

// passageStems returns the stems of the words of text, hyphenated words
// stemmed whole as the matcher does.
func passageStems(text string) []string {
	toks := tokenize(text, maxPassageTokens)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = stem(joinHyphens(t))
	}
	return out
}

// indexedStems returns the stems a passage's text is indexed under: a
// hyphenated word counts both whole and as its parts, as the matcher
// indexes entries, so "call-back" is found by "callback" and by "call".
func indexedStems(text string) []string {
	var out []string
	for _, t := range tokenize(text, maxPassageTokens) {
		out = append(out, stem(joinHyphens(t)))
		if strings.Contains(t, "-") {
			for _, part := range strings.Split(t, "-") {
				if part != "" {
					out = append(out, stem(part))
				}
			}
		}
	}
	return out
}

// passageWord is one word of a question: the terms it is looked up by,
// with their weights, and whether it names a subject.
type passageWord struct {
	stems   []string
	weights []float64
	subject bool
}

// read turns a question into its words, with the lexicon's meanings of
// its words and phrases.
func (px *passageIndex) read(question string) []passageWord {
	toks := tokenize(question, maxQueryTokens)
	stems := make([]string, len(toks))
	for i, t := range toks {
		stems[i] = stem(joinHyphens(t))
	}
	var words []passageWord
	for i := 0; i < len(toks); {
		n, meaning := px.matchLexicon(stems[i:])
		for j := i; j < i+max(n, 1); j++ {
			w := passageWord{stems: []string{stems[j]}, weights: []float64{1}}
			switch t := toks[j]; {
			case isStopword(t):
				w.weights[0] = passageWeightStop
			case isCommon(t):
				w.weights[0] = passageWeightCommon
			default:
				w.subject = !isNumeric(t) && !isBotWord(t)
			}
			if j == i {
				for _, m := range meaning {
					w.stems = append(w.stems, m)
					w.weights = append(w.weights, passageWeightLexicon)
				}
			}
			words = append(words, w)
		}
		i += max(n, 1)
	}
	return words
}

// matchLexicon finds the longest lexicon phrase at the start of stems.
func (px *passageIndex) matchLexicon(stems []string) (int, []string) {
	for n := min(px.lexWords, len(stems)); n >= 1; n-- {
		if m, ok := px.lexicon[strings.Join(stems[:n], " ")]; ok {
			return n, m
		}
	}
	return 0, nil
}

// find returns the passage that best answers question, by BM25, or false
// when no passage shares a word with it. It does not judge whether the
// passage answers well enough.
func (px *passageIndex) find(question string) (Quoted, bool) {
	words := px.read(question)
	scores := make([]float64, len(px.passages))
	for _, w := range words {
		best := map[int32]float64{} // a word counts once per passage, by its best term
		for k, st := range w.stems {
			id, ok := px.terms[st]
			if !ok {
				continue
			}
			for _, p := range px.postings[id] {
				best[p.doc] = max(best[p.doc], float64(p.w)*w.weights[k])
			}
		}
		for d, s := range best {
			scores[d] += s
		}
	}
	top := -1
	for d, s := range scores {
		if s > 0 && (top < 0 || s > scores[top]) {
			top = d
		}
	}
	if top < 0 {
		return Quoted{}, false
	}
	p := px.passages[top]
	return Quoted{
		Passage:  p,
		Citation: p.Citation(),
		Sentence: px.bestSentence(p.Text, words, asksAmount(question)),
		Score:    scores[top],
		Coverage: px.coverage(int32(top), words),
	}, true
}

// has reports whether passage doc contains term st.
func (px *passageIndex) has(doc int32, st string) bool {
	id, ok := px.terms[st]
	if !ok {
		return false
	}
	pl := px.postings[id]
	i := sort.Search(len(pl), func(i int) bool { return pl[i].doc >= doc })
	return i < len(pl) && pl[i].doc == doc
}

// coverage is the share of the question's subject words that passage doc
// contains, as written or through the lexicon; 0 for a question without
// subject words.
func (px *passageIndex) coverage(doc int32, words []passageWord) float64 {
	var subjects, found int
	for _, w := range words {
		if !w.subject {
			continue
		}
		subjects++
		for _, st := range w.stems {
			if px.has(doc, st) {
				found++
				break
			}
		}
	}
	if subjects == 0 {
		return 0
	}
	return float64(found) / float64(subjects)
}

// bestSentence returns the sentence of text sharing the most with the
// question's words, the first of equals. When the question asks for an
// amount ("how much notice before a layoff"), a sentence with a number
// in it counts as sharing one more of its words: the rule's figure
// ("at least forty-five (45) calendar days") answers, the sentence
// that repeats the question's words ("the notice shall state the
// reason for the layoff") does not.
func (px *passageIndex) bestSentence(text string, words []passageWord, amount bool) string {
	sentences := passages.Sentences(text)
	var heaviest float64
	for _, w := range words {
		for _, x := range w.weights {
			heaviest = max(heaviest, x)
		}
	}
	best, bestScore := "", -1.0
	for _, s := range sentences {
		have := map[string]bool{}
		for _, st := range passageStems(s) {
			have[st] = true
		}
		var score float64
		for _, w := range words {
			var ws float64
			for k, st := range w.stems {
				if have[st] {
					ws = max(ws, w.weights[k])
				}
			}
			score += ws
		}
		if amount && strings.ContainsAny(clauseNumber.ReplaceAllString(s, ""), "0123456789") {
			score += heaviest
		}
		if score > bestScore {
			best, bestScore = s, score
		}
	}
	return best
}

// clauseNumber is a clause's own number at the start of its first
// sentence ("11.2.1 "), which is no amount.
var clauseNumber = regexp.MustCompile(`^\s*\(?[0-9]+(\.[0-9]+)*\)?\.?\s`)

// amountQuestion matches questions that ask for a number of days, hours,
// dollars or times, or a share.
var amountQuestion = regexp.MustCompile(`\bhow (many|much|long|soon|often|far|old)\b|\bwhat (percent|percentage|rate|age)\b`)

// asksAmount reports whether question asks for an amount (see
// amountQuestion).
func asksAmount(question string) bool {
	return amountQuestion.MatchString(strings.ToLower(question))
}

// answers reports whether q answers its question well enough to be
// quoted (see PassageScoreAt).
func (q Quoted) answers() bool {
	return q.Score >= PassageScoreAt && q.Coverage >= PassageCoverageAt
}

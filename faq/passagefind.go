package faq

import (
	"cmp"
	"maps"
	"math"
	"regexp"
	"slices"
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
	// Score is the score of the passage's best unit (clause) for the
	// question: BM25, its best sentence's words and, when the question
	// asks for an amount or a date, whether it states one.
	Score float64
	// Coverage is the share of the question's subject words the passage
	// contains, as written or through the lexicon.
	Coverage float64
	// UnitCoverage is that share in the passage's best unit alone.
	UnitCoverage float64
	// Lead is how many times the next passage's score this passage's is
	// (0 when no other passage shares a word with the question): a
	// passage far ahead of the others is the one that answers.
	Lead float64
}

// Passage answers are decided by these thresholds, chosen on the
// development sets in testdata/agreement-dev*.tsv (see
// TestAgreementDevSet) so that a wrong passage, or any passage for a
// question the documents do not answer, is rarely quoted: a passage is
// quoted when its score reaches PassageScoreAt, its best clause holds
// PassageCoverageAt of the question's subject words and it leads the
// next passage by PassageLeadAt. Otherwise up to four passages scoring
// PassageOfferAt, holding PassageOfferCoverageAt of the subject words,
// are offered for the member to choose, beside any entries: offered, a
// passage that does not answer costs the member a glance, not a wrong
// rule. Four, because the sections of one article often score alike and
// the one that answers is the fourth for about one question in 25 on the
// development sets; a longer list no longer reads at a glance on a phone.
// The lead is 1.5 rather than 1.4: on the development sets 120 passages
// are quoted rightly rather than 148, but 3 wrongly or for questions the
// documents do not answer rather than 9, and a passage not quoted is
// still offered, one tap away.
const (
	PassageScoreAt         = 12.0
	PassageCoverageAt      = 0.6
	PassageLeadAt          = 1.5
	PassageOfferAt         = 8.0
	PassageOfferCoverageAt = 0.25
	passagesOffered        = 4
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
	passageWeightCommon = 0.6
	maxPassageTokens    = 1 << 16
)

// passageIndex finds the passage that best answers a question, reading
// passages and questions the way the matcher reads entries: tokenized
// with its shorthand and canonical forms, stemmed, and with the union's
// lexicon.
//
// A passage may hold a whole section; it is searched by its units (each
// paragraph, which is one clause in a numbered agreement, under the
// passage's headings), so that the clause that answers is found as if it
// stood alone, and the passage that holds it is quoted.
type passageIndex struct {
	passages []passages.Passage
	terms    map[string]int32
	postings [][]passagePosting // by term id, in unit order
	// unitPassage is the passage each unit belongs to.
	unitPassage []int32
	// lexicon maps the stems of a member's word or phrase to the stems of
	// what it means in the documents.
	lexicon  map[string][]string
	lexWords int
	// idf is each term's inverse document frequency over the units.
	idf []float64
	// sentences holds, for each unit, the terms of each sentence: question
	// words found together in one sentence are a rule, not a unit that
	// happens to mention each.
	sentences [][][]int32
	// passageTerms are the terms of each passage, headings included.
	passageTerms []map[int32]bool
	// sentenceWeight is how much a unit's best sentence adds to its BM25
	// score.
	sentenceWeight float64
	// figures and dates say which units state an amount ("forty-five
	// (45) calendar days") or a date or time ("July 1", "7:00 a.m.").
	figures, dates []bool
	// answerTypeBonus is added to a unit that states what the question
	// asks for: an amount for "how many", a date for "when".
	answerTypeBonus float64
	// spelling are the words a question's slips are corrected to: the
	// documents', the lexicon's and the stop and everyday words; known
	// says which words are no slips (those, and the words the entries'
	// classifier learnt).
	spelling [][]vocabWord
	known    func(word string) bool
}

// defaultAnswerTypeBonus was chosen on the development sets (see
// TestPassageWeightSweep).
const defaultAnswerTypeBonus = 2.0

// defaultSentenceWeight was chosen on the development sets (see
// TestPassageWeightSweep).
const defaultSentenceWeight = 0.5

// passagePosting is one unit's BM25 weight for a term, idf included.
type passagePosting struct {
	doc int32
	w   float32
}

// newPassageIndex indexes ps; it returns nil when there are none. knows,
// when not nil, reports the other words members use that are no slips
// (the words the entries' classifier learnt).
func newPassageIndex(ps []passages.Passage, lexicon map[string]string, knows func(word string) bool) *passageIndex {
	if len(ps) == 0 {
		return nil
	}
	px := &passageIndex{passages: ps, terms: map[string]int32{}, lexicon: map[string][]string{}, sentenceWeight: defaultSentenceWeight, answerTypeBonus: defaultAnswerTypeBonus}
	var tfs []map[int32]float64
	var lengths []float64
	var total float64
	var unitSentences [][][]string // each unit's sentences' stems
	st := stemmer{}
	surface := map[string]int32{} // the documents' words, for the speller
	for d, p := range ps {
		var titles []string
		for _, h := range p.Headings {
			titles = append(titles, st.indexedStems(h.Title, surface)...)
		}
		own := map[int32]bool{}
		for _, para := range strings.Split(p.Text, "\n\n") {
			if strings.TrimSpace(para) == "" {
				continue
			}
			tf := map[int32]float64{}
			for _, w := range titles {
				id := intern(px.terms, w)
				tf[id] += passageTitleWeight
				own[id] = true
			}
			var text []string
			var sentences [][]string
			for _, sentence := range passages.Sentences(para) {
				stems := st.indexedStems(sentence, surface)
				sentences = append(sentences, stems)
				text = append(text, stems...)
			}
			for _, w := range text {
				id := intern(px.terms, w)
				tf[id]++
				own[id] = true
			}
			tfs = append(tfs, tf)
			lengths = append(lengths, float64(len(text)))
			total += float64(len(text))
			px.unitPassage = append(px.unitPassage, int32(d))
			px.figures = append(px.figures, hasFigure(para))
			px.dates = append(px.dates, statesDate(para, text))
			unitSentences = append(unitSentences, sentences)
		}
		px.passageTerms = append(px.passageTerms, own)
	}
	avg := max(total/float64(len(tfs)), 1)
	px.postings = make([][]passagePosting, len(px.terms))
	df := make([]int, len(px.terms))
	for _, tf := range tfs {
		for id := range tf {
			df[id]++
		}
	}
	n := float64(len(tfs))
	px.idf = make([]float64, len(px.terms))
	for id := range px.idf {
		px.idf[id] = math.Log(1 + (n-float64(df[id])+0.5)/(float64(df[id])+0.5))
	}
	for u, tf := range tfs {
		norm := passageK1 * (1 - passageB + passageB*lengths[u]/avg)
		for id, f := range tf {
			px.postings[id] = append(px.postings[id], passagePosting{doc: int32(u), w: float32(px.idf[id] * f * (passageK1 + 1) / (f + norm))})
		}
	}
	for _, pl := range px.postings {
		sort.Slice(pl, func(i, j int) bool { return pl[i].doc < pl[j].doc })
	}
	px.sentences = make([][][]int32, len(tfs))
	for u, ss := range unitSentences {
		for _, stems := range ss {
			ids := make([]int32, len(stems))
			for i, w := range stems {
				ids[i] = px.terms[w]
			}
			px.sentences[u] = append(px.sentences[u], ids)
		}
	}
	// Words that stem alike ("unit", "units") mean all their meanings,
	// gathered in a fixed order so that a question reads the same way in
	// every run.
	words := documentWords(lexicon)
	for _, key := range slices.Sorted(maps.Keys(words)) {
		k := strings.Join(st.passageStems(key), " ")
		if k == "" {
			continue
		}
		for _, m := range st.passageStems(words[key]) {
			if !slices.Contains(px.lexicon[k], m) {
				px.lexicon[k] = append(px.lexicon[k], m)
			}
		}
		px.lexWords = max(px.lexWords, len(strings.Fields(k)))
	}
	px.setSpelling(surface, words, knows)
	return px
}

// setSpelling gathers the words a question's slips are corrected to:
// every word of the documents (counts, edited text, so none is a slip),
// the lexicon's words and the stop and everyday words.
func (px *passageIndex) setSpelling(counts map[string]int32, lexicon map[string]string, knows func(string) bool) {
	for k, v := range lexicon {
		for _, t := range tokenize(k+" "+v, maxPassageTokens) {
			counts[t]++
		}
	}
	for _, w := range slices.Sorted(maps.Keys(counts)) {
		if lettersOnly(w) {
			px.spelling = addVocab(px.spelling, vocabWord{word: w, mask: letterMask(w), df: counts[w]})
		}
	}
	for _, w := range spellingWords() {
		px.spelling = addVocab(px.spelling, vocabWord{word: w, mask: letterMask(w), df: stopCount})
	}
	px.known = func(w string) bool {
		return counts[w] > 0 || isStopword(w) || isCommon(w) || knows != nil && knows(w)
	}
}

// spell returns the tokens with each word that is neither the documents'
// nor otherwise known replaced by the documents' word it is a slip of,
// as the entries' speller does (see nearestWord); toks is not changed.
func (px *passageIndex) spell(toks []string) []string {
	out := toks
	for i, t := range toks {
		if len(t) < minSpelled || !lettersOnly(t) || px.known(t) {
			continue
		}
		if fix, ok := nearestWord(px.spelling, t, max(typoBudget(len(t)), 1)); ok {
			if &out[0] == &toks[0] {
				out = append([]string(nil), toks...)
			}
			out[i] = fix
		}
	}
	return out
}

// stemmer stems words, remembering each word's stem: a document repeats
// its words, and stemming is most of the cost of indexing one. A nil
// stemmer remembers nothing.
type stemmer map[string]string

// stem returns word's stem (see stem).
func (s stemmer) stem(word string) string {
	if st, ok := s[word]; ok {
		return st
	}
	st := stem(word)
	if s != nil {
		s[word] = st
	}
	return st
}

// passageStems returns the stems of the words of text, hyphenated words
// stemmed whole as the matcher does.
func (s stemmer) passageStems(text string) []string {
	toks := tokenize(text, maxPassageTokens)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = s.stem(joinHyphens(t))
	}
	return out
}

// indexedStems returns the stems a passage's text is indexed under: a
// hyphenated word counts both whole and as its parts, as the matcher
// indexes entries, so "call-back" is found by "callback" and by "call".
// It counts each word as written in surface.
func (s stemmer) indexedStems(text string, surface map[string]int32) []string {
	var out []string
	for _, t := range tokenize(text, maxPassageTokens) {
		surface[t]++
		out = append(out, s.stem(joinHyphens(t)))
		if strings.Contains(t, "-") {
			for _, part := range strings.Split(t, "-") {
				if part != "" {
					out = append(out, s.stem(part))
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
	toks := px.spell(tokenize(question, maxQueryTokens))
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
			case isStopword(t) || j > 0 && toks[j-1] == "how" && amountWords[t]:
				w.weights[0] = passageWeightStop
			case isCommon(t):
				w.weights[0] = passageWeightCommon
			default:
				w.subject = !isNumeric(t) && !isBotWord(t)
			}
			if j == i {
				// A meaning counts as the member's word would, and a
				// phrase's ("comp time") at least as an everyday word.
				// A phrase the vocabulary knows names a subject, even
				// made of everyday words ("call back", "no call no
				// show").
				weight := w.weights[0]
				if n > 1 {
					weight = max(weight, passageWeightCommon)
					w.subject = true
				}
				for _, m := range meaning {
					w.stems = append(w.stems, m)
					w.weights = append(w.weights, weight)
				}
			}
			words = append(words, w)
		}
		i += max(n, 1)
	}
	return words
}

// amountWords follow "how" in a question that asks for an amount ("how
// long", "how much"): they are the question's form, not its subject.
var amountWords = map[string]bool{"long": true, "much": true, "many": true, "soon": true, "often": true, "far": true, "old": true, "early": true, "late": true}

// matchLexicon finds the longest lexicon phrase at the start of stems.
func (px *passageIndex) matchLexicon(stems []string) (int, []string) {
	for n := min(px.lexWords, len(stems)); n >= 1; n-- {
		if m, ok := px.lexicon[strings.Join(stems[:n], " ")]; ok {
			return n, m
		}
	}
	return 0, nil
}

// rank returns the n passages that best answer question, best first,
// each scored by its best unit; fewer when fewer share a word with it.
func (px *passageIndex) rank(question string, n int) []Quoted {
	words := px.read(question)
	scores := make([]float64, len(px.unitPassage))
	for _, w := range words {
		best := map[int32]float64{} // a word counts once per unit, by its best term
		for k, st := range w.stems {
			id, ok := px.terms[st]
			if !ok {
				continue
			}
			for _, p := range px.postings[id] {
				best[p.doc] = max(best[p.doc], float64(p.w)*w.weights[k])
			}
		}
		for u, s := range best {
			scores[u] += s
		}
	}
	px.addSentences(scores, words)
	amount, when := asksAmount(question), asksWhen(question)
	if (amount || when) && px.answerTypeBonus > 0 {
		for u := range scores {
			if scores[u] > 0 && (amount && px.figures[u] || when && px.dates[u]) {
				scores[u] += px.answerTypeBonus
			}
		}
	}
	byPassage := map[int32]float64{}
	bestUnit := map[int32]int32{}
	for u, s := range scores {
		if d := px.unitPassage[u]; s > 0 && s > byPassage[d] {
			byPassage[d], bestUnit[d] = s, int32(u)
		}
	}
	order := slices.Collect(maps.Keys(byPassage))
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(byPassage[b], byPassage[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var out []Quoted
	for i, d := range order[:min(n, len(order))] {
		p := px.passages[d]
		q := Quoted{
			Passage:      p,
			Citation:     p.Citation(),
			Sentence:     px.bestSentence(p.Text, words, amount),
			Score:        byPassage[d],
			Coverage:     px.coverage(d, words),
			UnitCoverage: px.unitCoverage(bestUnit[d], words),
		}
		if i+1 < len(order) {
			q.Lead = q.Score / byPassage[order[i+1]]
		}
		out = append(out, q)
	}
	return out
}

// addSentences adds to the score of each unit that has one its best
// sentence's score: the idf of the question's words that the sentence
// holds.
func (px *passageIndex) addSentences(scores []float64, words []passageWord) {
	if px.sentenceWeight == 0 {
		return
	}
	type term struct {
		id int32
		w  float64
	}
	wordTerms := make([][]term, 0, len(words))
	for _, w := range words {
		var ts []term
		for k, st := range w.stems {
			if id, ok := px.terms[st]; ok {
				ts = append(ts, term{id, w.weights[k] * px.idf[id]})
			}
		}
		if len(ts) > 0 {
			wordTerms = append(wordTerms, ts)
		}
	}
	for u := range scores {
		if scores[u] == 0 {
			continue
		}
		var bestSentence float64
		for _, ids := range px.sentences[u] {
			var s float64
			for _, ts := range wordTerms {
				var best float64
				for _, t := range ts {
					if slices.Contains(ids, t.id) {
						best = max(best, t.w)
					}
				}
				s += best
			}
			bestSentence = max(bestSentence, s)
		}
		scores[u] += px.sentenceWeight * bestSentence
	}
}

// coverage is the share of the question's subject words that passage doc
// contains, as written or through the lexicon; 0 for a question without
// subject words.
func (px *passageIndex) coverage(doc int32, words []passageWord) float64 {
	return subjectShare(words, func(id int32) bool { return px.passageTerms[doc][id] }, px.terms)
}

// unitCoverage is the share of the question's subject words that unit u
// contains.
func (px *passageIndex) unitCoverage(u int32, words []passageWord) float64 {
	return subjectShare(words, func(id int32) bool {
		pl := px.postings[id]
		i := sort.Search(len(pl), func(i int) bool { return pl[i].doc >= u })
		return i < len(pl) && pl[i].doc == u
	}, px.terms)
}

// subjectShare is the share of the subject words among words that has
// reports present by one of their terms; 0 without subject words.
func subjectShare(words []passageWord, has func(id int32) bool, terms map[string]int32) float64 {
	var subjects, found int
	for _, w := range words {
		if !w.subject {
			continue
		}
		subjects++
		if slices.ContainsFunc(w.stems, func(st string) bool {
			id, ok := terms[st]
			return ok && has(id)
		}) {
			found++
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
		for _, w := range stemmer(nil).passageStems(s) {
			have[w] = true
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

// whenQuestion matches questions that ask for a date, a time or a day.
var whenQuestion = regexp.MustCompile(`\bwhen\b|\bwhat (day|date|time|month)\b|\bhow soon\b|\bdeadline\b|\bby when\b`)

// asksWhen reports whether question asks for a date or a time (see
// whenQuestion).
func asksWhen(question string) bool {
	return whenQuestion.MatchString(strings.ToLower(question))
}

// dateWords are the stems of months' and weekdays' names.
var dateWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("january february march april may june july august september october november december monday tuesday wednesday thursday friday saturday sunday") {
		m[stem(w)] = true
	}
	return m
}()

// timeOfDay matches a time of day ("7:00") in a document's text.
var timeOfDay = regexp.MustCompile(`[0-9]:[0-5][0-9]`)

// statesDate reports whether a unit of text, whose stems are given,
// states a date, a day or a time: a month's or weekday's name, a year or
// a time of day.
func statesDate(text string, stems []string) bool {
	for _, w := range stems {
		if dateWords[w] || len(w) == 4 && (strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20")) && isNumeric(w) {
			return true
		}
	}
	return strings.Contains(text, ":") && timeOfDay.MatchString(text)
}

// hasFigure reports whether text states a number, other than the clause
// numbers that start its lines.
func hasFigure(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if strings.ContainsAny(clauseNumber.ReplaceAllString(line, ""), "0123456789") {
			return true
		}
	}
	return false
}

// asksAmount reports whether question asks for an amount (see
// amountQuestion).
func asksAmount(question string) bool {
	return amountQuestion.MatchString(strings.ToLower(question))
}

// answers reports whether q answers its question well enough to be
// quoted (see PassageScoreAt).
func (q Quoted) answers() bool {
	return q.Score >= PassageScoreAt && q.UnitCoverage >= PassageCoverageAt && (q.Lead == 0 || q.Lead >= PassageLeadAt)
}

// supports reports whether q is worth showing beside an entry's answer:
// it would be quoted but for its lead over the next passage. The entry
// has already settled what the question is about, so the passage need
// not stand out from its neighbours; it only has to hold the question's
// subject in one clause and score as a quote does.
func (q Quoted) supports() bool {
	return q.Score >= PassageScoreAt && q.UnitCoverage >= PassageCoverageAt
}

// offerable reports whether q is worth offering among suggestions (see
// PassageOfferAt).
func (q Quoted) offerable() bool {
	return q.Score >= PassageOfferAt && q.Coverage >= PassageOfferCoverageAt
}

package faq

import (
	"math"
	"math/bits"
	"sort"
	"strings"
	"sync"
)

// field is one of the parts of an entry that BM25F scores separately.
type field int

const (
	fieldQuestion field = iota
	fieldAlternates
	fieldKeywords
	fieldAnswer
	numFields
)

// Params are the BM25F parameters: one saturation constant, and a weight
// and a length normalisation per field.
type Params struct {
	// K1 controls how quickly repeated occurrences of a term stop adding
	// to an entry's score.
	K1 float64
	// Weight is how much an occurrence in each field counts (question,
	// alternates, keywords, answer).
	Weight [numFields]float64
	// B is the length normalisation per field, from 0 (none) to 1 (full).
	B [numFields]float64
}

// DefaultParams favours the curated fields (the canonical question,
// alternates and keywords) over the answer text, which mentions many
// things in passing.
var DefaultParams = Params{
	K1:     2,
	Weight: [numFields]float64{fieldQuestion: 3, fieldAlternates: 1, fieldKeywords: 2.5, fieldAnswer: 0.5},
	B:      [numFields]float64{fieldQuestion: 0.5, fieldAlternates: 0.75, fieldKeywords: 0.4, fieldAnswer: 0.75},
}

// posting is one entry's precomputed score for one term: idf × the BM25F
// saturated, length-normalised, field-weighted term frequency.
type posting struct {
	doc int32
	w   float32
	// curated reports that the term is in the entry's question,
	// alternates or keywords, not only in its answer text.
	curated bool
}

// vocabWord is a knowledge base word that typos are corrected to.
type vocabWord struct {
	word string
	mask uint64 // letters present, for a cheap distance bound
	df   int32  // how many entries (classifier: training texts) use it, to break ties
}

// index is an immutable BM25F index over a knowledge base and the extra
// phrasings stewards added. A new index is built for every change, so
// readers never lock.
type index struct {
	entries  []*Entry
	params   Params
	terms    map[string]int32 // stem → term id
	names    []string         // term id → stem
	stems    map[string]string
	idf      []float32
	postings [][]posting // per term, sorted by doc
	lexicon  map[string][]int32
	lexWords int
	building bool
	topics   []map[string]bool // per entry, the stems of its topic
	keywords []map[string]bool // per entry, its keywords as stems joined by spaces
	exact    map[string]int32  // a phrasing's words (normalizeKey) → its entry, or -1 when several entries have it
	vocab    [][]vocabWord     // by length in bytes
	stemVoc  [][]vocabWord     // stems, by length in bytes
	scratch  sync.Pool
}

// scratch is the per-query working memory, pooled to keep queries from
// allocating in proportion to the knowledge base.
type scratch struct {
	scores  []float32
	touched []int32
}

// docTerms is one entry's term frequencies per field, and the length of
// each field in terms, while the index is built.
type docTerms struct {
	tf  map[int32]*[numFields]float32
	len [numFields]float64
}

// count adds one occurrence of term id in field f.
func (dt *docTerms) count(id int32, f field) {
	c := dt.tf[id]
	if c == nil {
		c = new([numFields]float32)
		dt.tf[id] = c
	}
	c[f]++
	dt.len[f]++
}

// surfaceWords are the knowledge base's words as written (not stemmed)
// that typos may be corrected to, each with the entries that use it.
type surfaceWords map[string]map[int32]bool

// use notes that entry d uses word w, when w may be a correction.
func (sw surfaceWords) use(w string, d int32) {
	if !correctable(w) {
		return
	}
	if sw[w] == nil {
		sw[w] = map[int32]bool{}
	}
	sw[w][d] = true
}

// know notes word w as a correction that no entry uses (a lexicon
// phrase's word), when it may be one.
func (sw surfaceWords) know(w string) {
	if correctable(w) && sw[w] == nil {
		sw[w] = map[int32]bool{}
	}
}

// buildIndex indexes the entries with the lexicon. extra holds phrasings
// added at run time, by entry id; they count as alternates.
func buildIndex(entries []*Entry, lexicon map[string]string, extra map[string][]string, p Params) *index {
	ix := &index{
		entries:  entries,
		params:   p,
		terms:    map[string]int32{},
		stems:    map[string]string{},
		lexicon:  map[string][]int32{},
		building: true,
	}
	defer func() { ix.building = false }()
	words := surfaceWords{}
	ix.labelEntries()
	docs := ix.countTerms(extra, words)
	ix.indexPhrasings(extra)
	df := ix.weighTerms(docs)
	ix.expandLexicon(lexicon, words)
	ix.buildVocab(words, df)
	n := len(entries)
	ix.scratch.New = func() any {
		return &scratch{scores: make([]float32, n), touched: make([]int32, 0, 64)}
	}
	return ix
}

// labelEntries records each entry's topic as stems and its keywords as
// stems joined by spaces, which ranking compares with a question whole.
func (ix *index) labelEntries() {
	ix.topics = make([]map[string]bool, len(ix.entries))
	ix.keywords = make([]map[string]bool, len(ix.entries))
	for d, e := range ix.entries {
		ix.topics[d] = map[string]bool{}
		for _, tok := range tokenize(e.Topic, 1<<20) {
			for _, st := range ix.indexStems(tok) {
				ix.topics[d][st] = true
			}
		}
		ix.keywords[d] = map[string]bool{}
		for _, k := range e.Keywords {
			var stems []string
			for _, tok := range tokenize(k, 1<<20) {
				stems = append(stems, ix.stemOf(tok))
			}
			ix.keywords[d][strings.Join(stems, " ")] = true
		}
	}
}

// indexPhrasings records which entry each question, alternate and added
// phrasing belongs to, by its words.
func (ix *index) indexPhrasings(extra map[string][]string) {
	ix.exact = map[string]int32{}
	for d, e := range ix.entries {
		for _, p := range append(append([]string{e.Question}, e.Alternates...), extra[e.ID]...) {
			key := normalizeKey(p)
			if other, ok := ix.exact[key]; ok && other != int32(d) {
				ix.exact[key] = -1
			} else if key != "" {
				ix.exact[key] = int32(d)
			}
		}
	}
}

// countTerms counts each entry's terms per field, with the phrasings in
// extra as alternates, and notes in words the words each entry uses.
func (ix *index) countTerms(extra map[string][]string, words surfaceWords) []docTerms {
	docs := make([]docTerms, len(ix.entries))
	for d, e := range ix.entries {
		dt := &docs[d]
		dt.tf = map[int32]*[numFields]float32{}
		add := func(f field, texts ...string) {
			for _, text := range texts {
				ix.countText(dt, f, text, int32(d), words)
			}
		}
		add(fieldQuestion, e.Question)
		add(fieldAlternates, e.Alternates...)
		add(fieldAlternates, extra[e.ID]...)
		add(fieldKeywords, e.Topic)
		add(fieldKeywords, e.Keywords...)
		add(fieldAnswer, e.Answer)
	}
	return docs
}

// countText counts the terms of one text in field f of entry d: the stems
// of its words, and pairs of adjacent meaningful words, which tell
// "retirement age" from "retirement agreement".
func (ix *index) countText(dt *docTerms, f field, text string, d int32, words surfaceWords) {
	prev := ""
	for _, tok := range tokenize(text, 1<<20) {
		for _, st := range ix.indexStems(tok) {
			dt.count(ix.termID(st), f)
		}
		if isStopword(tok) {
			continue
		}
		cur := ix.stemOf(tok)
		if prev != "" {
			dt.count(ix.termID(bigram(prev, cur)), f)
		}
		prev = cur
		words.use(joinHyphens(tok), d)
	}
}

// weighTerms computes each term's idf and postings, and returns each
// term's document frequency.
func (ix *index) weighTerms(docs []docTerms) []int32 {
	n := len(docs)
	ix.names = make([]string, len(ix.terms))
	for st, id := range ix.terms {
		ix.names[id] = st
	}
	df := make([]int32, len(ix.terms))
	for _, dt := range docs {
		for id := range dt.tf {
			df[id]++
		}
	}
	ix.idf = make([]float32, len(ix.terms))
	ix.postings = make([][]posting, len(ix.terms))
	for id := range ix.idf {
		ix.idf[id] = float32(math.Log(1 + (float64(n)-float64(df[id])+0.5)/(float64(df[id])+0.5)))
		ix.postings[id] = make([]posting, 0, df[id])
	}
	avg := averageLengths(docs)
	for d, dt := range docs {
		for id, tf := range dt.tf {
			curated := tf[fieldQuestion]+tf[fieldAlternates]+tf[fieldKeywords] > 0
			w := ix.params.weight(ix.idf[id], tf, &dt.len, &avg)
			ix.postings[id] = append(ix.postings[id], posting{doc: int32(d), w: w, curated: curated})
		}
	}
	for id := range ix.postings {
		ps := ix.postings[id]
		sort.Slice(ps, func(i, j int) bool { return ps[i].doc < ps[j].doc })
	}
	return df
}

// averageLengths returns the average length of each field over the
// entries, at least 1.
func averageLengths(docs []docTerms) [numFields]float64 {
	var total, avg [numFields]float64
	for _, dt := range docs {
		for f := range numFields {
			total[f] += dt.len[f]
		}
	}
	for f := range numFields {
		avg[f] = max(total[f]/float64(max(len(docs), 1)), 1)
	}
	return avg
}

// weight is an entry's score for a term: idf × the BM25F saturated,
// length-normalised, field-weighted frequency tf, in an entry whose fields
// are length terms long, where avg are the average lengths.
func (p *Params) weight(idf float32, tf *[numFields]float32, length, avg *[numFields]float64) float32 {
	var t float64
	for f := range numFields {
		if tf[f] == 0 {
			continue
		}
		norm := 1 - p.B[f] + p.B[f]*length[f]/avg[f]
		t += p.Weight[f] * float64(tf[f]) / norm
	}
	return float32(float64(idf) * t * (p.K1 + 1) / (p.K1 + t))
}

// expandLexicon resolves the lexicon's expansions to term ids, keyed by
// the stems of each phrase, so "raises" finds the entry for "raise". The
// phrases' words become corrections too.
func (ix *index) expandLexicon(lexicon map[string]string, words surfaceWords) {
	for key, val := range lexicon {
		var keyStems []string
		for _, tok := range tokenize(key, maxPhraseWords+2) {
			keyStems = append(keyStems, ix.stemOf(tok))
		}
		if len(keyStems) == 0 || len(keyStems) > maxPhraseWords {
			continue
		}
		k := strings.Join(keyStems, " ")
		for _, tok := range tokenize(val, 64) {
			for _, st := range ix.indexStems(tok) {
				if id, ok := ix.terms[st]; ok && !containsID(ix.lexicon[k], id) {
					ix.lexicon[k] = append(ix.lexicon[k], id)
				}
			}
		}
		if _, ok := ix.lexicon[k]; !ok {
			ix.lexicon[k] = nil // a known phrase that expands to nothing here
		}
		ix.lexWords = max(ix.lexWords, len(keyStems))
		for _, tok := range tokenize(key, maxPhraseWords+2) {
			words.know(joinHyphens(tok))
		}
	}
}

// buildVocab files the words and stems typos are corrected to by length,
// where df is each term's document frequency; the letter mask rules out
// most candidates before any distance is computed.
func (ix *index) buildVocab(words surfaceWords, df []int32) {
	for w, docs := range words {
		ix.vocab = addVocab(ix.vocab, vocabWord{word: w, mask: letterMask(w), df: int32(len(docs))})
	}
	for st, id := range ix.terms {
		if correctable(st) && !isStopword(st) {
			ix.stemVoc = addVocab(ix.stemVoc, vocabWord{word: st, mask: letterMask(st), df: df[id]})
		}
	}
	for _, b := range [][][]vocabWord{ix.vocab, ix.stemVoc} {
		for _, words := range b {
			sort.Slice(words, func(i, j int) bool { return words[i].word < words[j].word })
		}
	}
}

// addTerm adds t to terms, keeping the larger weight of a repeated term.
func addTerm(terms []qterm, t qterm) []qterm {
	for k := range terms {
		if terms[k].id == t.id {
			terms[k].w = max(terms[k].w, t.w)
			return terms
		}
	}
	return append(terms, t)
}

func containsID(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func addVocab(b [][]vocabWord, w vocabWord) [][]vocabWord {
	for len(b) <= len(w.word) {
		b = append(b, nil)
	}
	b[len(w.word)] = append(b[len(w.word)], w)
	return b
}

// correctable reports whether a word may be the target or the source of
// a typo correction: letters only, at least four of them.
func correctable(w string) bool {
	if len(w) < 4 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

func letterMask(w string) uint64 {
	var m uint64
	for i := 0; i < len(w); i++ {
		m |= 1 << (w[i] & 63)
	}
	return m
}

// bigram is the term for two adjacent meaningful words.
func bigram(a, b string) string { return a + " " + b }

// termID returns the id of a stem, adding it while building.
func (ix *index) termID(st string) int32 { return intern(ix.terms, st) }

// intern returns the id of st in terms, numbering it next when it is new.
func intern(terms map[string]int32, st string) int32 {
	id, ok := terms[st]
	if !ok {
		id = int32(len(terms))
		terms[st] = id
	}
	return id
}

// stemOf stems a token through the index's cache. A hyphenated token is
// stemmed whole, without its hyphens ("re-vote" → "revot").
func (ix *index) stemOf(tok string) string {
	if st, ok := ix.stems[tok]; ok {
		return st
	}
	st := stem(joinHyphens(tok))
	if ix.building { // cache knowledge base words for later queries
		ix.stems[tok] = st
	}
	return st
}

// indexStems returns the stems a knowledge base token is indexed under: a
// hyphenated word counts both whole and as its parts, so "re-vote" is
// found by "revote" and "labor-management" by "labor".
func (ix *index) indexStems(tok string) []string {
	whole := ix.stemOf(tok)
	if !strings.Contains(tok, "-") {
		return []string{whole}
	}
	out := []string{whole}
	for _, part := range strings.Split(tok, "-") {
		if part != "" {
			out = append(out, ix.stemOf(part))
		}
	}
	return out
}

// correct returns the knowledge base word closest to w within the
// length-aware edit distance budget, and the distance; ok is false when
// there is none. Ties go to the word more entries use.
func correct(buckets [][]vocabWord, w string, maxD int) (best vocabWord, dist int, ok bool) {
	dist = maxD + 1
	eachCandidate(buckets, w, maxD, func(c vocabWord) {
		d := osaDistance(w, c.word, min(dist+1, maxD+1))
		if d < dist || d == dist && ok && c.df > best.df {
			best, dist, ok = c, d, d <= maxD
		}
	})
	return best, dist, ok && dist <= maxD
}

// eachCandidate calls visit with every word of buckets that may be within
// maxD edits of w: those whose length differs by at most maxD and whose
// letters differ in at most 2 × maxD (each edit changes at most two).
func eachCandidate(buckets [][]vocabWord, w string, maxD int, visit func(vocabWord)) {
	mask := letterMask(w)
	for l := max(len(w)-maxD, 0); l <= len(w)+maxD && l < len(buckets); l++ {
		for _, c := range buckets[l] {
			if bits.OnesCount64(mask^c.mask) <= 2*maxD {
				visit(c)
			}
		}
	}
}

// typoBudget is how many edits a word of n letters may contain and still
// be corrected: none for short words, where a single edit too often makes
// another real word, one up to eight letters, two beyond.
func typoBudget(n int) int {
	switch {
	case n < 5:
		return 0
	case n <= 8:
		return 1
	default:
		return 2
	}
}

// osaDistance is the optimal string alignment (restricted
// Damerau-Levenshtein) distance between a and b over bytes: insertions,
// deletions, substitutions and transpositions of adjacent letters. It
// stops early and returns limit when the distance is at least limit.
func osaDistance(a, b string, limit int) int {
	if a == b {
		return 0
	}
	la, lb := len(a), len(b)
	if abs(la-lb) >= limit {
		return limit
	}
	const maxLen = 64
	if la > maxLen || lb > maxLen {
		return limit
	}
	var rows [3][maxLen + 1]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[lb], limit)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

package faq

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Outcome is what the matcher decided to do with a question.
type Outcome int

// The outcomes.
const (
	// Abstain: the knowledge base has no answer the matcher trusts; the
	// member is pointed to a steward.
	Abstain Outcome = iota
	// Suggest: the matcher is unsure and offers two or three topics.
	Suggest
	// Answer: the matcher answers with one entry.
	Answer
	// Clarify: the message names no subject the matcher could look up
	// (a greeting, "thanks", "yes", a bare number, "why?"); the member
	// is asked to say in words what the question is about.
	Clarify
	// Passage: no entry answers, and a passage of the union's documents
	// does; the member is shown it with its citation.
	Passage
)

// String returns "abstain", "suggest", "answer", "clarify" or
// "passage".
func (o Outcome) String() string {
	switch o {
	case Passage:
		return "passage"
	case Answer:
		return "answer"
	case Clarify:
		return "clarify"
	case Suggest:
		return "suggest"
	default:
		return "abstain"
	}
}

// Candidate is one ranked entry for a question.
type Candidate struct {
	// Entry is the knowledge base entry.
	Entry *Entry
	// Score is its BM25F score (with lexicon and typo corrections), 0
	// when BM25F did not rank it.
	Score float64
	// Probability is its probability from the classifier's and BM25F's
	// scores together, by which candidates are ranked when the knowledge
	// base has a classifier; 0 without one.
	Probability float64

	doc int32
}

// Features are the signals the confidence is computed from, kept for
// evaluation and tuning.
type Features struct {
	// Coverage is the share of the question's meaningful words that the
	// best entry contains (typo-corrected words count a little less).
	Coverage float64
	// Unknown is the share of the question's meaningful words that the
	// knowledge base does not know at all.
	Unknown float64
	// Strength is the best score divided by the score a perfect match on
	// every question word would get.
	Strength float64
	// Runner is the second score divided by the best one.
	Runner float64
	// Curated is Coverage counting only the words the best entry has in
	// its question, alternates or keywords.
	Curated float64
	// Share is the best entry's share of the score among the entries the
	// question does not tell apart from it (see rank); 1 when there are
	// none. The confidence never exceeds it.
	Share float64
	// Subjects is the number of the question's words that name a
	// subject: words that are not stop words, everyday words or numbers,
	// and words for the bot itself ("you", "help").
	Subjects int
	// Bare reports a question of at most two words with one subject
	// word, such as "pension" or "my pay".
	Bare bool
	// Owned reports that the question's subject words are the best
	// entry's own: for a bare question, the best entry is the only one
	// whose topic names the subject word; for any other, at least one
	// subject word is in the best entry as the member wrote it (or
	// typo-corrected), not only as a lexicon synonym.
	Owned bool
	// Class is the probability of the best entry from the classifier's
	// and BM25F's scores together (see Matcher), or 0 when the knowledge
	// base has no classifier.
	Class float64
	// ClassRunner is that probability for the second-best entry.
	ClassRunner float64
	// OffTopic is the probability that no entry answers the question.
	OffTopic float64
	// Agree is 1 when BM25F alone ranks the same entry first, else 0.
	Agree float64
	// Novelty is the share of the question's subject words that neither
	// the entries nor their training phrasings use (see
	// classifier.novelty).
	Novelty float64
}

// Result is the matcher's decision about one question.
type Result struct {
	// Outcome is answer, suggest or abstain.
	Outcome Outcome
	// Entry is the answer when Outcome is Answer.
	Entry *Entry
	// Confidence is the estimated probability that the best candidate is
	// the right answer, from 0 to 1.
	Confidence float64
	// Candidates are the best entries, best first (at most five).
	Candidates []Candidate
	// Suggestions are the entries offered when Outcome is Suggest.
	Suggestions []*Entry
	// Related are entries offered beside an answer, for a question that
	// also touches them.
	Related []*Entry
	// Empty reports that the question had no words at all (only emoji,
	// mentions or punctuation).
	Empty bool
	// SmallTalk reports that the message is only a greeting, thanks or
	// chat such as "ok" or "test" (Outcome is then Clarify).
	SmallTalk bool
	// Thanks reports small talk that thanks the bot.
	Thanks bool
	// Features are the confidence's inputs.
	Features Features
	// Quoted is the passage quoted when Outcome is Passage.
	Quoted *Quoted
	// Offered are passages of the union's documents offered, beside any
	// Suggestions, when Outcome is Suggest, best first.
	Offered []Quoted
	// Beside is the passage of the union's documents on the question,
	// when one holds its subject, shown beside an entry's answer (Outcome
	// Answer) so that the member can read the agreement's own words.
	Beside *Quoted
}

// Calibration maps the Features to a confidence with a logistic function:
// confidence = 1 / (1 + exp(-(Bias + Σ weight × feature))).
type Calibration struct {
	Bias, Coverage, Unknown, Strength, Runner float64
	// Weights of the classifier's features, zero without a classifier.
	Class, ClassRunner, OffTopic, Agree, Novelty float64
}

// logistic applies the calibration.
func (c Calibration) logistic(f Features) float64 {
	z := c.Bias + c.Coverage*f.Coverage + c.Unknown*f.Unknown + c.Strength*f.Strength + c.Runner*f.Runner +
		c.Class*f.Class + c.ClassRunner*f.ClassRunner + c.OffTopic*f.OffTopic + c.Agree*f.Agree + c.Novelty*f.Novelty
	return 1 / (1 + math.Exp(-z))
}

// confidence is the calibrated confidence with two caps. It is at most
// the best entry's share of the score among the entries the question
// does not tell apart: when nothing the member wrote favours one of them,
// no calibration of the other features can make the best one more likely
// than that. And an entry that has the question's words only in its
// answer text, which mentions many things in passing, is at most
// answerTextOnly likely.
//
// A question whose subject words are not the best entry's own (see
// Features.Owned) is likewise at most answerTextOnly likely: a bare "my
// pay" is the subject of several entries, and a question reached only
// through a lexicon synonym ("can I be fired" → layoff) may be about
// something the entry does not cover.
func (c Calibration) confidence(f Features) float64 {
	p := min(c.logistic(f), f.Share)
	if f.Curated == 0 || !f.Owned {
		p = min(p, answerTextOnly)
	}
	return p
}

// DefaultCalibration was fitted by logistic regression on the default
// knowledge base with questions kept for that purpose only, in scope and
// on other subjects (see calibrate_test.go, which checks it stays fitted).
var DefaultCalibration = Calibration{Bias: -2.00, Coverage: 4.57, Unknown: -3.60, Strength: 2.34, Runner: -1.89}

// Options tune a Matcher. The zero value of a field means its default.
type Options struct {
	// Params are the BM25F parameters (DefaultParams).
	Params *Params
	// Calibration turns features into a confidence (DefaultCalibration).
	Calibration *Calibration
	// AnswerAt is the confidence from which the matcher answers (0.5, or
	// DefaultClassifierAnswerAt with a classifier).
	AnswerAt float64
	// SuggestAt is the confidence from which it offers suggestions
	// rather than abstaining (0.2, or DefaultClassifierSuggestAt with a
	// classifier).
	SuggestAt float64
	// Blend is how much BM25F's score (as a share of the perfect score)
	// adds to the classifier's log-probability of an entry (DefaultBlend).
	Blend float64
	// Ambiguity is the share of the best entry's probability from which
	// the second-best entry is as good an answer: both are offered rather
	// than one asserted (DefaultAmbiguity).
	Ambiguity float64
	// RelatedAt is the probability from which the second-best entry is
	// offered beside an answer, when the question also names a subject
	// that entry covers and the answer does not (DefaultRelatedAt).
	RelatedAt float64
	// Model is the classifier to combine with BM25F; one trained for
	// other entries is passed over. When nil, the knowledge base's own
	// (KB.Model) is used if it was trained on this knowledge base as it
	// is, else one is trained. A knowledge base without training
	// phrasings is answered by BM25F alone.
	Model *Model
}

// Matcher answers questions from a knowledge base. It is safe for
// concurrent use; AddPhrasing swaps in a rebuilt index atomically, so
// questions are never blocked and always see a complete index.
type Matcher struct {
	kb   *KB
	opts Options
	clf  *classifier // nil: BM25F alone
	// docs finds passages of the union's documents; nil without any.
	docs *passageIndex
	// refs names the passages for stewards (see PassageByRef).
	refs passageRefs

	mu    sync.Mutex // serialises changes to extra and promoted
	extra map[string][]string
	idx   atomic.Pointer[index]
	// promoted are the entries stewards promoted from passages (see
	// Promote); never nil.
	promoted atomic.Pointer[promotedSet]
}

// NewMatcher indexes kb. extra holds phrasings added earlier by stewards,
// by entry id; phrasings for unknown ids are ignored.
func NewMatcher(kb *KB, extra map[string][]string, opts Options) *Matcher {
	// The documents' index takes as long to build as the entries' on a
	// long agreement, and needs nothing of it until questions come: the
	// two are built side by side.
	m := &Matcher{kb: kb, extra: map[string][]string{}}
	docs := make(chan *passageIndex, 1)
	go func() { docs <- newPassageIndex(kb.Passages, kb.Lexicon, m.knows) }()
	if opts.Params == nil {
		opts.Params = &DefaultParams
	}
	clf := classifierFor(kb, opts.Model)
	if opts.Calibration == nil {
		opts.Calibration = &DefaultCalibration
		if clf != nil {
			opts.Calibration = &DefaultClassifierCalibration
		}
	}
	if opts.AnswerAt == 0 {
		opts.AnswerAt = 0.5
		if clf != nil {
			opts.AnswerAt = DefaultClassifierAnswerAt
		}
	}
	if opts.SuggestAt == 0 {
		opts.SuggestAt = 0.2
		if clf != nil {
			opts.SuggestAt = DefaultClassifierSuggestAt
		}
	}
	if opts.Blend == 0 {
		opts.Blend = DefaultBlend
	}
	if opts.Ambiguity == 0 {
		opts.Ambiguity = DefaultAmbiguity
	}
	if opts.RelatedAt == 0 {
		opts.RelatedAt = DefaultRelatedAt
	}
	m.opts, m.clf, m.refs = opts, clf, newPassageRefs(kb.Passages)
	m.promoted.Store(&promotedSet{})
	for id, ps := range extra {
		if kb.Entry(id) != nil {
			m.extra[id] = append([]string(nil), ps...)
		}
	}
	m.idx.Store(buildIndex(kb.Entries, kb.Lexicon, m.extra, *opts.Params))
	m.docs = <-docs
	return m
}

// KB returns the knowledge base the matcher answers from.
func (m *Matcher) KB() *KB { return m.kb }

// AddPhrasing makes phrasing another way to ask entry id (the knowledge
// base's or a promoted one), effective for the next question. It returns
// false when the entry already had that phrasing.
func (m *Matcher) AddPhrasing(id, phrasing string) (bool, error) {
	e := m.Entry(id)
	if e == nil {
		return false, fmt.Errorf("no entry %q", id)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if hasPhrasing(e, m.extra[id], phrasing) {
		return false, nil
	}
	// The index copies what it needs, so extra can change once the new
	// index is built; questions keep using the old one until the swap.
	m.extra[id] = append(m.extra[id], phrasing)
	if m.kb.Entry(id) == nil {
		next := *m.promoted.Load()
		next.own = m.promotedMatcher(next.entries)
		m.promoted.Store(&next)
		return true, nil
	}
	m.idx.Store(buildIndex(m.kb.Entries, m.kb.Lexicon, m.extra, *m.opts.Params))
	return true, nil
}

// HasPhrasing reports whether phrasing is already a way to ask entry id,
// ignoring case and spacing.
func (m *Matcher) HasPhrasing(id, phrasing string) bool {
	e := m.Entry(id)
	if e == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return hasPhrasing(e, m.extra[id], phrasing)
}

// hasPhrasing reports whether p is already a phrasing of e, ignoring case
// and spacing.
func hasPhrasing(e *Entry, extra []string, p string) bool {
	key := strings.Join(strings.Fields(strings.ToLower(p)), " ")
	for _, q := range append(append([]string{e.Question}, e.Alternates...), extra...) {
		if strings.Join(strings.Fields(strings.ToLower(q)), " ") == key {
			return true
		}
	}
	return false
}

// slot is one word (or lexicon phrase) of a question with the terms it
// may match.
type slot struct {
	terms   []qterm
	pair    []qterm // the bigram with the previous meaningful word; not counted for coverage
	content bool    // a meaningful word, counted for coverage
	subject bool    // names a subject (see Features.Subjects)
	direct  []int32 // the terms of the words as written or typo-corrected, not synonyms
	weight  float64 // how much it counts for coverage: 1, or less for everyday words
	typo    bool    // found only by typo correction
}

type qterm struct {
	id int32
	w  float32
}

// Weights of the ways a question word can reach a term.
const (
	weightStop      = 0.25 // a stop word found as it is
	weightExpansion = 0.5  // a lexicon synonym of a question word
	weightTypo1     = 0.8  // a typo one edit away
	weightTypo2     = 0.6  // a typo two edits away
	weightPair      = 0.5  // two adjacent words found side by side
	weightCommon    = 0.5  // how much an everyday word counts for coverage
	coverageTypo    = 0.75 // how much a typo-corrected word counts for coverage
	coverageAnswer  = 0.5  // how much a word found only in an answer counts for coverage
	nearTie         = 0.8  // a score at least this share of the best one is nearly as good
	// answerTextOnly caps the confidence in an entry that has none of the
	// question's words in its question, alternates or keywords: below the
	// default answer threshold, so it is offered, never asserted.
	answerTextOnly = 0.4
	maxCandidates  = 5
	// minSubjectless is the fewest words a question without a subject
	// word needs for the classifier to answer it: "why" and "how much"
	// name nothing, "was it close" may.
	minSubjectless = 3
)

// shape is what analyze learns about a question as a whole.
type shape struct {
	words     int  // tokens
	smallTalk bool // only greetings, thanks and chat
	thanks    bool // small talk that thanks the bot
	subjects  int  // slots that name a subject
}

// analyze turns a question into slots.
func (ix *index) analyze(question string) ([]slot, shape) {
	toks := tokenize(question, maxQueryTokens)
	sh := shape{words: len(toks), smallTalk: len(toks) > 0}
	for _, t := range toks {
		sh.smallTalk = sh.smallTalk && isSmallTalk(t)
		sh.thanks = sh.thanks || isThanks(t)
	}
	sh.thanks = sh.thanks && sh.smallTalk
	stems := make([]string, len(toks))
	for i, t := range toks {
		stems[i] = ix.stemOf(t)
	}
	slots := make([]slot, 0, len(toks))
	for i := 0; i < len(toks); {
		n, exp := ix.matchLexicon(stems[i:])
		s := slot{}
		for j := i; j < i+max(n, 1); j++ {
			switch {
			case isStopword(toks[j]):
			case isCommon(toks[j]):
				s.weight = max(s.weight, weightCommon)
			default:
				s.weight = 1
			}
			s.content = s.weight > 0
			s.addWord(ix, toks[j], stems[j], n == 0)
			// A misspelt stop word (see addWord) names nothing either.
			if isBotWord(toks[j]) || s.weight == 1 && !isStopword(toks[j]) && !isCommon(toks[j]) && !isNumeric(toks[j]) {
				s.subject = true
			}
		}
		for _, id := range exp {
			s.add(id, weightExpansion)
		}
		if !s.content {
			for k := range s.terms {
				s.terms[k].w *= weightStop
			}
		}
		if s.subject {
			sh.subjects++
		}
		slots = append(slots, s)
		i += max(n, 1)
	}
	// Adjacent meaningful words that the knowledge base also has side by
	// side add a term of their own.
	prev := ""
	for i, s := range slots {
		if !s.content {
			continue
		}
		cur := ""
		if len(s.terms) > 0 && s.terms[0].w == 1 {
			cur = ix.names[s.terms[0].id]
		}
		if prev != "" && cur != "" {
			if id, ok := ix.terms[bigram(prev, cur)]; ok {
				slots[i].pair = append(slots[i].pair, qterm{id: id, w: weightPair})
			}
		}
		prev = cur
	}
	return slots, sh
}

// matchLexicon finds the longest lexicon phrase at the start of stems and
// returns its length in words and its expansion; n is 0 when none
// matches.
func (ix *index) matchLexicon(stems []string) (n int, exp []int32) {
	for n = min(ix.lexWords, len(stems)); n >= 1; n-- {
		var key string
		if n == 1 {
			key = stems[0]
		} else {
			key = strings.Join(stems[:n], " ")
		}
		if e, ok := ix.lexicon[key]; ok {
			return n, e
		}
	}
	return 0, nil
}

// addWord adds the terms of one question word: itself when the knowledge
// base has it, else the parts of a hyphenated word, else (when allowed) a
// typo correction.
func (s *slot) addWord(ix *index, tok, st string, mayCorrect bool) {
	if id, ok := ix.terms[st]; ok {
		s.addDirect(id, 1)
		return
	}
	if strings.Contains(tok, "-") {
		for _, part := range strings.Split(tok, "-") {
			if id, ok := ix.terms[ix.stemOf(part)]; ok && part != "" {
				s.addDirect(id, 1)
			}
		}
		return
	}
	budget := typoBudget(len(tok))
	if !mayCorrect || budget == 0 || !correctable(tok) {
		return
	}
	if c, d, ok := correct(ix.vocab, tok, budget); ok {
		w := float32(weightTypo1)
		if d > 1 {
			w = weightTypo2
		}
		if isStopword(c.word) {
			// A misspelt "again" is no more meaningful than "again".
			s.content, s.weight = false, 0
			w *= weightStop
		}
		cst := ix.stemOf(c.word)
		if id, ok := ix.terms[cst]; ok {
			s.addDirect(id, w)
		}
		if _, exp := ix.matchLexicon([]string{cst}); exp != nil {
			for _, id := range exp {
				s.add(id, w*weightExpansion)
			}
		}
		s.typo = len(s.terms) > 0
		return
	}
	if len(st) >= 4 {
		if c, _, ok := correct(ix.stemVoc, st, 1); ok {
			s.addDirect(ix.terms[c.word], weightTypo1)
			s.typo = true
		}
	}
}

// addDirect adds a term of the word itself.
func (s *slot) addDirect(id int32, w float32) {
	s.add(id, w)
	if !containsID(s.direct, id) {
		s.direct = append(s.direct, id)
	}
}

func (s *slot) add(id int32, w float32) {
	for k := range s.terms {
		if s.terms[k].id == id {
			s.terms[k].w = max(s.terms[k].w, w)
			return
		}
	}
	s.terms = append(s.terms, qterm{id: id, w: w})
}

// find reports whether entry doc contains term id, and whether it does
// in its question, alternates or keywords rather than only its answer.
func (ix *index) find(id, doc int32) (found, curated bool) {
	ps := ix.postings[id]
	lo, hi := 0, len(ps)
	for lo < hi {
		mid := (lo + hi) / 2
		switch {
		case ps[mid].doc == doc:
			return true, ps[mid].curated
		case ps[mid].doc < doc:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false, false
}

// rank scores every entry for the slots with BM25F and returns the best
// candidates and the features of the best one.
func (ix *index) rank(slots []slot, sh shape) ([]Candidate, Features, float64) {
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	var f Features
	f.Unknown = unknownShare(slots)
	// Each term counts once, with the largest weight any word gave it.
	var buf [maxQueryTokens * 4]qterm
	terms := buf[:0]
	for _, s := range slots {
		for _, t := range s.terms {
			if len(terms) < cap(terms) {
				terms = addTerm(terms, t)
			}
		}
		for _, t := range s.pair {
			if len(terms) < cap(terms) {
				terms = addTerm(terms, t)
			}
		}
	}
	var perfect float64
	for _, t := range terms {
		perfect += float64(t.w) * float64(ix.idf[t.id]) * (ix.params.K1 + 1)
		for _, p := range ix.postings[t.id] {
			if sc.scores[p.doc] == 0 {
				sc.touched = append(sc.touched, p.doc)
			}
			sc.scores[p.doc] += t.w * p.w
		}
	}
	var top [maxCandidates]scored
	k := 0
	for _, d := range sc.touched {
		c := scored{doc: d, score: float64(sc.scores[d])}
		sc.scores[d] = 0
		if k < maxCandidates {
			top[k] = c
			k++
		} else if c.better(top[k-1]) {
			top[k-1] = c
		} else {
			continue
		}
		for j := k - 1; j > 0 && top[j].better(top[j-1]); j-- {
			top[j], top[j-1] = top[j-1], top[j]
		}
	}
	sc.touched = sc.touched[:0]
	if k == 0 || perfect == 0 {
		return nil, f, perfect
	}
	cands := make([]Candidate, k)
	for i := range cands {
		cands[i] = Candidate{Entry: ix.entries[top[i].doc], Score: top[i].score, doc: top[i].doc}
	}
	f.Strength = top[0].score / perfect
	var best uint64
	f.Coverage, f.Curated, best = ix.coverage(slots, top[0].doc)
	if k > 1 {
		f.Runner = top[1].score / top[0].score
	}
	// An entry that has every question word the best one has, in its
	// curated fields, and scores nearly as well, is one the question does
	// not tell apart from the best: only how often each entry repeats the
	// words orders them. The best entry is then right about as often as
	// its share of their scores.
	sum := top[0].score
	for _, c := range top[1:k] {
		if c.score < nearTie*top[0].score {
			break
		}
		if _, _, m := ix.coverage(slots, c.doc); best&^m == 0 {
			sum += c.score
		}
	}
	f.Share = top[0].score / sum
	f.Subjects, f.Bare, f.Owned = ix.owned(slots, sh, top[0].doc)
	return cands, f, perfect
}

// owned counts the subject words of a question and reports whether they
// are entry doc's own (see Features). A bare question's subject word is
// owned by the entries whose topic names it or, when no topic does or
// the subject is a phrase that one entry has as a keyword, by the entries
// that have it, as it stands, as one of their keywords.
func (ix *index) owned(slots []slot, sh shape, doc int32) (subjects int, bare, owned bool) {
	subjects = sh.subjects
	bare = sh.words <= 2 && subjects == 1
	for _, s := range slots {
		if !s.subject || len(s.direct) == 0 {
			continue
		}
		if !bare {
			for _, id := range s.direct {
				if found, _ := ix.find(id, doc); found {
					return subjects, false, true
				}
			}
			continue
		}
		var byTopic, byKeyword []int32
		names := make([]string, len(s.direct))
		for i, id := range s.direct {
			names[i] = ix.names[id]
		}
		phrase := strings.Join(names, " ")
		for d := range ix.entries {
			for _, n := range names {
				if ix.topics[d][n] {
					byTopic = append(byTopic, int32(d))
					break
				}
			}
			if ix.keywords[d][phrase] {
				byKeyword = append(byKeyword, int32(d))
			}
		}
		// A keyword of several words that is the whole phrase is
		// stronger evidence than a topic sharing one of its words.
		owners := byTopic
		if len(owners) == 0 || len(names) > 1 && len(byKeyword) == 1 {
			owners = byKeyword
		}
		return subjects, true, len(owners) == 1 && owners[0] == doc
	}
	return subjects, bare, false
}

// scored is an entry being ranked.
type scored struct {
	doc   int32
	score float64
}

// better orders by score, then by entry order so that ties are stable.
func (c scored) better(o scored) bool {
	return c.score > o.score || c.score == o.score && c.doc < o.doc
}

// coverage is the share of the meaningful slots that entry doc matches;
// when a question has only stop words, all its slots count. A word found
// only in the entry's answer text counts half: the answer mentions many
// things in passing, so it is weak evidence that the entry is what the
// member asked about. A question made only of everyday words ("how does
// it work") is never fully covered, since it names no subject. curated is
// the coverage by the question, alternates and keywords alone; the mask
// has a bit for each slot the entry matches there.
func (ix *index) coverage(slots []slot, doc int32) (cov, curated float64, mask uint64) {
	contentOnly := false
	for _, s := range slots {
		contentOnly = contentOnly || s.content
	}
	var got, gotCurated, total float64
	for i, s := range slots {
		w := 1.0
		if contentOnly {
			w = s.weight
		}
		if w == 0 {
			continue
		}
		total += w
		m, inCurated := 0.0, false
		for _, t := range s.terms {
			found, cur := ix.find(t.id, doc)
			if cur {
				m, inCurated = 1, true
				break
			}
			if found {
				m = coverageAnswer
			}
		}
		if s.typo {
			m *= coverageTypo
		}
		got += w * m
		if inCurated {
			gotCurated += w * m
			if i < 64 {
				mask |= 1 << i
			}
		}
	}
	if contentOnly {
		total = max(total, 1)
	}
	if total == 0 {
		return 0, 0, 0
	}
	return got / total, gotCurated / total, mask
}

// unknownShare is the share of meaningful slots with no term at all.
func unknownShare(slots []slot) float64 {
	var unknown, total float64
	for _, s := range slots {
		total += s.weight
		if len(s.terms) == 0 {
			unknown += s.weight
		}
	}
	if total == 0 {
		return 0
	}
	return unknown / total
}

// Match answers one question. It never fails: a question with no words,
// or none the knowledge base knows, is an abstention. A prepared entry
// that answers always wins, with the passage of the union's documents on
// the question beside it when one holds its subject (Result.Beside).
// Otherwise, for entries promoted from passages (see Promote): one that
// has the question as a phrasing answers; then a passage of the union's
// documents that answers well enough (see Quoted.answers) is quoted, or
// answered with the entry promoted from it; then a promoted entry that
// BM25F is confident of answers.
func (m *Matcher) Match(question string) Result {
	if !utf8.ValidString(question) {
		question = strings.ToValidUTF8(question, " ")
	}
	r := m.matchEntries(question)
	if r.Outcome == Answer && !r.Empty {
		r.Beside = m.beside(question, r.Entry)
		return r
	}
	// A question of everyday words names no subject of the entries, but
	// it may name one of the documents' in the vocabulary's words ("call
	// back"): the passages are asked too, and the request to clarify
	// stands when none is quoted or offered.
	subjectless := r.Outcome == Clarify && !r.SmallTalk
	if (r.Outcome != Abstain && r.Outcome != Suggest && !subjectless) || r.Empty {
		return r
	}
	promoted := m.promoted.Load()
	answer := func(e *Entry, confidence float64) Result {
		r.Outcome, r.Entry, r.Confidence, r.Suggestions = Answer, e, confidence, nil
		return r
	}
	if e := promoted.phrasing(question); e != nil {
		return answer(e, 1)
	}
	ranked := m.rankPassages(question)
	if len(ranked) > 0 && ranked[0].answers() {
		if e := m.PromotedFrom(ranked[0].Passage); e != nil {
			return answer(e, r.Confidence)
		}
		r.Outcome, r.Quoted, r.Suggestions = Passage, &ranked[0], nil
		return r
	}
	if e, confidence := promoted.match(question); e != nil {
		return answer(e, confidence)
	}
	// A passage offered that an entry was promoted from is offered as
	// that entry.
	for _, q := range ranked {
		switch e := m.PromotedFrom(q.Passage); {
		case !q.offerable():
		case e == nil:
			r.Offered = append(r.Offered, q)
		case !slices.Contains(r.Suggestions, e):
			r.Suggestions = append(r.Suggestions, e)
			r.Outcome = Suggest
		}
	}
	if len(r.Offered) > 0 {
		r.Outcome = Suggest
	}
	return r
}

// beside returns the passage to show beside e's answer to question, or
// nil: the passage ranked first when it holds the question's subject
// (see Quoted.supports), unless e was promoted from it and already quotes
// it.
func (m *Matcher) beside(question string, e *Entry) *Quoted {
	ranked := m.rankPassages(question)
	if len(ranked) == 0 || !ranked[0].supports() || m.PromotedFrom(ranked[0].Passage) == e {
		return nil
	}
	return &ranked[0]
}

// rankPassages returns the passages of the union's documents that best
// answer question, best first, whether or not well enough to quote. The
// question is read as written, with the documents' own speller: the
// entries' reading of it keeps only the clause about their subjects.
func (m *Matcher) rankPassages(question string) []Quoted {
	if m.docs == nil {
		return nil
	}
	return m.docs.rank(question, passagesOffered)
}

// knows reports whether the entries' classifier learnt a word, so that
// the documents' speller does not take it for a slip.
func (m *Matcher) knows(word string) bool {
	return m.clf != nil && m.clf.saw(word)
}

// matchEntries decides among the prepared entries alone.
func (m *Matcher) matchEntries(question string) Result {
	ix := m.idx.Load()
	asked := question
	if m.clf != nil {
		question = m.read(ix, question)
	}
	return m.decide(ix, asked, question)
}

// decide is Match's decision among the entries for a question read by
// read.
func (m *Matcher) decide(ix *index, asked, question string) Result {
	slots, sh := ix.analyze(question)
	if len(slots) == 0 {
		return Result{Outcome: Abstain, Empty: true}
	}
	cands, f, perfect := ix.rank(slots, sh)
	f.Subjects = sh.subjects
	r := Result{Candidates: cands, Features: f}
	// A greeting, "ok", "yes", a bare number or "why?" names nothing to
	// look up, however well its words happen to match some entry. With a
	// classifier, a question made only of everyday words is answered when
	// the classifier knows it as a way to ask for one entry ("was it
	// close", "how many more years do I have to work").
	if sh.smallTalk {
		r.Outcome, r.SmallTalk, r.Thanks = Clarify, true, sh.thanks
		return r
	}
	if m.clf != nil {
		r = m.combine(ix, slots, sh, asked, question, r, perfect)
		if sh.subjects == 0 && (r.Outcome != Answer || sh.words < minSubjectless) {
			r.Outcome, r.Entry, r.Suggestions, r.Related = Clarify, nil, nil, nil
		}
		return r
	}
	if sh.subjects == 0 {
		r.Outcome = Clarify
		return r
	}
	if len(cands) == 0 {
		return r
	}
	r.Confidence = m.opts.Calibration.confidence(f)
	switch {
	case r.Confidence >= m.opts.AnswerAt:
		r.Outcome, r.Entry = Answer, cands[0].Entry
	case r.Confidence >= m.opts.SuggestAt:
		r.Outcome = Suggest
		for _, c := range cands {
			if len(r.Suggestions) == 3 || len(r.Suggestions) >= 2 && c.Score < cands[0].Score/2 {
				break
			}
			r.Suggestions = append(r.Suggestions, c.Entry)
		}
	}
	return r
}

// read returns the words of a question as BM25F and the classifier read
// it: with its slips corrected (see classifier.spell), without the chat
// fillers (see dropFillers), and without the clauses before and after
// the question that name nothing the knowledge base knows ("ugh what a
// week, ..., no rush"). A message in which no clause names anything the
// knowledge base knows is read whole, so an off-topic one keeps the
// words that make it so.
func (m *Matcher) read(ix *index, question string) string {
	var raw, read []string // every word; the words spelled, without fillers
	var ends []int         // where each clause's words end in read
	var asks []bool        // whether each clause asks something
	first, last := -1, -1
	for i, c := range clauses(question) {
		if len(raw) >= maxReadTokens {
			break
		}
		words := tokenize(c, maxReadTokens-len(raw))
		raw = append(raw, words...)
		spelled := m.clf.spell(dropFillers(words))
		read = append(read, spelled...)
		ends = append(ends, len(read))
		asks = append(asks, slices.ContainsFunc(spelled, isQuestionWord))
		if ix.namesKnownSubject(spelled) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	// A question about the subject just named ("57 percent said yes,
	// why is that not enough") is part of the question, not small talk
	// after it.
	for first >= 0 && last+1 < len(ends) && asks[last+1] {
		last++
	}
	if first >= 0 {
		start := 0
		if first > 0 {
			start = ends[first-1]
		}
		read = read[start:ends[last]]
	}
	// A slip of a filler is one once spelled; a message of fillers alone
	// is read as written, as small talk.
	if read = dropFillers(read); len(read) == 0 {
		read = raw
	}
	return strings.Join(read[:min(len(read), maxQueryTokens)], " ")
}

// maxReadTokens bounds the words read to find the clauses around a
// question: twice as many as a question is answered from, so that small
// talk before a question does not push it out, while a message of pages
// costs no more than a long question.
const maxReadTokens = 2 * maxQueryTokens

// clauses splits text at line breaks and at the punctuation that ends a
// clause (". , ! ? ;") when a space or the end of the text follows it,
// so that a number ("1.6", "6,500") or a link stays whole.
func clauses(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '.', ',', '!', '?', ';':
			if i+1 < len(text) && text[i+1] != ' ' && text[i+1] != '\n' && text[i+1] != '\t' {
				continue
			}
		case '\n':
		default:
			continue
		}
		if strings.TrimSpace(text[start:i]) != "" {
			out = append(out, text[start:i])
		}
		start = i + 1
	}
	if strings.TrimSpace(text[start:]) != "" {
		out = append(out, text[start:])
	}
	return out
}

// namesKnownSubject reports whether words include a subject word (not a
// stop word, everyday word, number or word for the bot) that the
// knowledge base has, or a slip of one (as BM25F corrects it), or a
// lexicon phrase.
func (ix *index) namesKnownSubject(words []string) bool {
	for i, w := range words {
		if n, _ := ix.matchLexicon([]string{ix.stemOf(w)}); n > 0 {
			return true
		}
		if i+1 < len(words) {
			if n, _ := ix.matchLexicon([]string{ix.stemOf(w), ix.stemOf(words[i+1])}); n > 0 {
				return true
			}
		}
		if isStopword(w) || isCommon(w) || isNumeric(w) || isBotWord(w) {
			continue
		}
		if _, ok := ix.terms[ix.stemOf(w)]; ok {
			return true
		}
		if budget := typoBudget(len(w)); budget > 0 && correctable(w) {
			if c, _, ok := correct(ix.vocab, w, budget); ok && !isStopword(c.word) && !isCommon(c.word) {
				return true
			}
		}
	}
	return false
}

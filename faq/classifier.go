package faq

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
)

// classifier is a multinomial logistic regression that learns, from the
// knowledge base's training phrasings and its entries' own questions,
// alternates, topics and keywords, which entry a question asks for, or
// that it asks for none (the last class, OutOfScope). It reads the
// featurizer's features. It is not changed once trained.
type classifier struct {
	fz *featurizer
	// classes are the entry ids in knowledge base order, then OutOfScope.
	classes []string
	// keys are the features seen in training, sorted; row i of weights
	// (len(classes) values) belongs to keys[i].
	keys    []uint64
	weights weights
	bias    []float32
	// known are the stems of the words of the entries (answers included)
	// and of their phrasings; words are the same words as written, which
	// misspellings are matched against (see novelty).
	known map[string]bool
	// offTopic are the stems of the words that only messages no entry
	// answers use: words the speller leaves as they are.
	offTopic map[string]bool
	words    [][]vocabWord
	// spelling are words, and the stop and everyday words, that
	// misspellings are corrected to (see spell).
	spelling [][]vocabWord
	// near are the training texts as written, for the evidence of the
	// nearest one of each class.
	near *neighbours
}

// novelty is the share of a question's words (other than stop words and
// numbers) that neither the entries nor their phrasings use, even
// allowing for a typo. The classifier has no weight for a word it never
// saw, so "my dog's health insurance" looks to it like a question about
// health insurance; novelty says how much of the question it could not
// read.
func (c *classifier) novelty(toks []string) float64 {
	var total, novel int
	for _, t := range toks {
		if isStopword(t) || isNumeric(t) {
			continue
		}
		total++
		if c.known[stem(joinHyphens(t))] {
			continue
		}
		w := joinHyphens(t)
		if budget := typoBudget(len(w)); budget > 0 && correctable(w) {
			if _, _, ok := correct(c.words, w, budget); ok {
				continue
			}
		}
		novel++
	}
	if total == 0 {
		return 0
	}
	return float64(novel) / float64(total)
}

// learnVocabulary fills known and words from the texts of the entries
// (curated) and of the in-scope phrasings, and offTopic from the
// messages no entry answers. A word the phrasings use fewer than
// seenUses times is neither: in thousands of members' messages a word
// written once or twice is more often a slip ("deadlnie", "whne") than
// a word, and a slip taken for a word would be kept as written rather
// than corrected (see spell).
func (c *classifier) learnVocabulary(curated, inScope, outOfScope []string) {
	c.known, c.offTopic = map[string]bool{}, map[string]bool{}
	surface := map[string]int32{}
	inUses, offUses := map[string]int{}, map[string]int{}
	for i, t := range slices.Concat(curated, inScope) {
		for _, tok := range tokenize(t, 1<<20) {
			w := joinHyphens(tok)
			if i < len(curated) {
				c.known[stem(w)] = true
			}
			inUses[stem(w)]++
			if correctable(w) && len(w) <= 64 {
				surface[w]++
			}
		}
	}
	for _, t := range outOfScope {
		for _, tok := range tokenize(t, 1<<20) {
			offUses[stem(joinHyphens(tok))]++
		}
	}
	for st, n := range inUses {
		if n+offUses[st] >= seenUses {
			c.known[st] = true
		}
	}
	for st, n := range offUses {
		if !c.known[st] && n >= seenUses {
			c.offTopic[st] = true
		}
	}
	c.setWords(surface)
}

// seenUses is how many times the phrasings must use a word for the
// classifier to count it as one it learnt (see learnVocabulary), and for
// the speller to correct others' words to it (see setWords).
const seenUses = 3

// setWords files the words misspellings are matched against by length,
// with how often the texts use each. Only words used seenUses times or
// more are corrected to: a member's own typo in a phrasing is not a word to
// correct others' to.
func (c *classifier) setWords(counts map[string]int32) {
	c.words, c.spelling = nil, nil
	for _, w := range slices.Sorted(maps.Keys(counts)) {
		v := vocabWord{word: w, mask: letterMask(w), df: counts[w]}
		c.words = addVocab(c.words, v)
		if v.df >= seenUses {
			c.spelling = addVocab(c.spelling, v)
		}
	}
	for _, w := range spellingWords() {
		c.spelling = addVocab(c.spelling, vocabWord{word: w, mask: letterMask(w), df: stopCount})
	}
}

// stopCount is how often the speller takes a stop or everyday word to be
// used: more than any word of the knowledge base, so that "teh" is "the"
// rather than "tech".
const stopCount = 1 << 30

// scores sets probs (len(c.classes) long) to the probability of each class
// for a question's tokens: the classifier's weights, with each class's
// nearest training text (see neighbours). plain, when not nil, is set to
// the probabilities from the weights alone, without the nearest texts.
func (c *classifier) scores(toks []string, probs []float32, plain []float64) {
	var buf [16 * maxQueryTokens]feature
	fs := c.fz.features(toks, buf[:0])
	k := len(c.classes)
	var z [maxClasses]float64
	logits := z[:k]
	for i, b := range c.bias {
		logits[i] = float64(b)
	}
	var rowBuf [16 * maxQueryTokens]int32
	var valBuf [16 * maxQueryTokens]float32
	rows, vals := rowBuf[:0], valBuf[:0]
	for _, f := range fs {
		row, ok := slices.BinarySearch(c.keys, f.key)
		if !ok {
			continue
		}
		rows, vals = append(rows, int32(row)), append(vals, f.val)
		c.weights.add(logits, row, f.val)
	}
	if plain != nil {
		copy(plain, logits)
		softmax(plain)
	}
	if c.near != nil {
		var nb [maxClasses]float64
		near := nb[:k]
		c.near.nearest(rows, vals, near)
		for i, s := range near {
			blend := float64(neighbourBlend)
			if i == k-1 { // OutOfScope
				blend = offTopicNeighbourBlend
			}
			logits[i] += blend * s
		}
	}
	softmax(logits)
	for i, p := range logits {
		probs[i] = float32(p)
	}
}

// weights are a classifier's weights: a row for each feature of one
// weight for each class. A classifier just trained keeps them exactly as
// fitted; one read from a model file keeps them as the file stores them,
// a signed byte a class and a scale a row (see MarshalBinary), which is
// a quarter of the memory and gives the same products as the weights
// expanded to float32 would.
type weights struct {
	// k is the length of a row: the number of classes.
	k int
	// exact are the weights as trained, row after row; nil when read.
	exact []float32
	// levels and scales are the weights as stored: weight j of row i is
	// float32(int8(levels[i*k+j])) * scales[i]. The levels are signed
	// bytes kept as the file's bytes, so that reading them is a copy.
	levels []byte
	scales []float32
}

// add adds row's weights, times val, to logits.
func (w *weights) add(logits []float64, row int, val float32) {
	if w.exact != nil {
		for i, x := range w.exact[row*w.k : row*w.k+w.k] {
			logits[i] += float64(val * x)
		}
		return
	}
	scale := w.scales[row]
	for i, l := range w.levels[row*w.k : row*w.k+w.k] {
		// The conversion rounds the weight to float32, as expanding it
		// would, rather than let the two products fuse.
		logits[i] += float64(val * float32(float32(int8(l))*scale))
	}
}

// row sets dst (k long) to row's weights as float32 values.
func (w *weights) row(row int, dst []float32) {
	if w.exact != nil {
		copy(dst, w.exact[row*w.k:row*w.k+w.k])
		return
	}
	for i, l := range w.levels[row*w.k : row*w.k+w.k] {
		dst[i] = float32(float32(int8(l)) * w.scales[row])
	}
}

// quantized returns row's weights as stored: a signed byte a class, set
// in dst, and the row's scale. Stored weights are returned as they are,
// so that a model read and written again is the same file.
func (w *weights) quantized(row int, dst []byte) (scale float32) {
	if w.exact == nil {
		copy(dst, w.levels[row*w.k:row*w.k+w.k])
		return w.scales[row]
	}
	ws := w.exact[row*w.k : row*w.k+w.k]
	var top float32
	for _, x := range ws {
		top = max(top, float32(math.Abs(float64(x))))
	}
	scale = top / 127
	for j, x := range ws {
		if scale > 0 {
			dst[j] = byte(int8(math.Round(float64(x / scale))))
		} else {
			dst[j] = 0
		}
	}
	return scale
}

// maxClasses bounds the classes the classifier is trained for: a larger
// knowledge base is answered by BM25F alone.
const maxClasses = 512

// softmax turns logits into probabilities in place.
func softmax(z []float64) {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	var sum float64
	for i, v := range z {
		z[i] = math.Exp(v - m)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

// TrainOptions are the classifier's training settings. The zero value of
// a field means its default (DefaultTrainOptions).
type TrainOptions struct {
	// Epochs is how many times stochastic gradient descent goes through
	// the examples.
	Epochs int
	// Rate is the initial learning rate.
	Rate float64
	// L2 is the weight of the squared-weight penalty, which keeps the
	// classifier from trusting any one feature too much.
	L2 float64
	// Seed orders the examples, so that training is repeatable.
	Seed uint64
	// Features are the weights of the parts of a question's vector.
	Features featureWeights
	// Typos is how many copies of each training text, with synthetic
	// typos (see misspell), the classifier learns from besides the text
	// itself, so that a member's slip does not hide a word it knows;
	// negative for none.
	Typos int
	// Wrapped is the share of those copies that are also wrapped in
	// small talk ("hey quick question ... thx"; see hurried.go), so that
	// the words around a member's question do not drown it; negative
	// for none.
	Wrapped float64
}

// DefaultTrainOptions were chosen by cross-validation on the training
// part of the default knowledge base's phrasings (see SplitPhrasings).
// The penalty and the share of wrapped copies were chosen on the
// held-apart phrasings as written, with typos and wrapped in small talk,
// each with the confidence refitted: since the phrasings in members'
// hurried styles joined, a lighter penalty (1e-5 rather than 3e-5)
// answers about two in a hundred more of them at the same rate of
// mistakes, while wrapping every copy, or fewer, or none did no better.
var DefaultTrainOptions = TrainOptions{
	Epochs:   30,
	Rate:     0.5,
	L2:       1e-5,
	Seed:     1,
	Features: featureWeights{Words: 1, Chars: 1, Expansion: 0.5},
	Typos:    1,
	Wrapped:  0.5,
}

// withDefaults fills in the zero fields.
func (o TrainOptions) withDefaults() TrainOptions {
	d := DefaultTrainOptions
	if o.Epochs == 0 {
		o.Epochs = d.Epochs
	}
	if o.Rate == 0 {
		o.Rate = d.Rate
	}
	if o.L2 == 0 {
		o.L2 = d.L2
	}
	if o.Seed == 0 {
		o.Seed = d.Seed
	}
	if o.Features == (featureWeights{}) {
		o.Features = d.Features
	}
	if o.Typos == 0 {
		o.Typos = d.Typos
	}
	if o.Wrapped == 0 {
		o.Wrapped = d.Wrapped
	}
	return o
}

// example is one training text's features, merged by key and mapped to
// weight rows, and its class.
type example struct {
	rows  []int32
	vals  []float32
	class int
}

// trainingTexts are the texts the classifier learns from, by class: every
// entry's question, alternates, topic and keywords (the first curated of
// texts), and the phrasings.
func trainingTexts(kb *KB, phrasings []Labeled) (classes []string, texts []string, labels []int, curated int) {
	classOf := map[string]int{}
	for i, e := range kb.Entries {
		classes = append(classes, e.ID)
		classOf[e.ID] = i
		for _, t := range append(append([]string{e.Question, e.Topic}, e.Alternates...), e.Keywords...) {
			texts = append(texts, t)
			labels = append(labels, i)
		}
	}
	curated = len(texts)
	classes = append(classes, OutOfScope)
	classOf[OutOfScope] = len(classes) - 1
	for _, p := range phrasings {
		c, ok := classOf[p.Want]
		if !ok {
			continue
		}
		texts = append(texts, p.Question)
		labels = append(labels, c)
	}
	return classes, texts, labels, curated
}

// trainClassifier fits the classifier to kb's entries and the given
// phrasings.
func trainClassifier(kb *KB, phrasings []Labeled, opts TrainOptions) *classifier {
	opts = opts.withDefaults()
	classes, texts, labels, fromEntries := trainingTexts(kb, phrasings)
	c := &classifier{fz: newFeaturizer(kb.Lexicon, opts.Features), classes: classes}
	var curated, inScope, outOfScope []string
	for _, e := range kb.Entries {
		curated = append(curated, e.Answer)
	}
	for i, t := range texts {
		switch {
		case i < fromEntries:
			curated = append(curated, t)
		case classes[labels[i]] != OutOfScope:
			inScope = append(inScope, t)
		default:
			outOfScope = append(outOfScope, t)
		}
	}
	c.learnVocabulary(curated, inScope, outOfScope)
	for _, line := range trainingSmallTalk.lines() {
		for _, tok := range tokenize(line, maxQueryTokens) {
			c.known[stem(joinHyphens(tok))] = true
		}
	}
	written := len(texts)
	texts, labels = withTypos(texts, labels, opts.Typos, opts.Wrapped)
	examples := c.examples(texts, labels)
	c.fit(examples, opts)
	c.near = newNeighbours(examples[:written], len(c.keys))
	return c
}

// withTypos adds n copies of each text with synthetic typos, a share
// wrapped of them also wrapped in small talk, from a fixed seed so that a
// model is rebuilt byte for byte.
func withTypos(texts []string, labels []int, n int, wrapped float64) ([]string, []int) {
	rng := rand.New(rand.NewPCG(typoSeed, 2))
	k := len(texts)
	for range max(n, 0) {
		for i := range k {
			t := misspell(texts[i], rng)
			if rng.Float64() < wrapped {
				t = trainingSmallTalk.wrap(t, rng)
			}
			texts = append(texts, t)
			labels = append(labels, labels[i])
		}
	}
	return texts, labels
}

// examples featurizes the training texts, giving every feature seen a
// row of weights.
func (c *classifier) examples(texts []string, labels []int) []example {
	raw := make([][]feature, len(texts))
	seen := map[uint64]bool{}
	for i, t := range texts {
		toks := tokenize(t, maxQueryTokens)
		if words := dropFillers(toks); len(words) > 0 {
			toks = words // as Matcher.read reads a question
		}
		raw[i] = c.fz.features(toks, nil)
		for _, f := range raw[i] {
			seen[f.key] = true
		}
	}
	c.keys = slices.Sorted(maps.Keys(seen))
	examples := make([]example, len(texts))
	for i, fs := range raw {
		merged := map[int32]float32{}
		for _, f := range fs {
			row, _ := slices.BinarySearch(c.keys, f.key)
			merged[int32(row)] += f.val
		}
		ex := example{rows: slices.Sorted(maps.Keys(merged)), class: labels[i]}
		for _, row := range ex.rows {
			ex.vals = append(ex.vals, merged[row])
		}
		examples[i] = ex
	}
	return examples
}

// fit sets the weights by stochastic gradient descent on the
// L2-penalised log loss of the examples, with a learning rate that
// decays as 1/(1 + rate × L2 × step).
//
// It reads and writes only memory of its own, from one goroutine, so the
// race detector has nothing to find in it; it is left out of the race
// detector's instrumentation (go:norace), which would otherwise make
// training twenty times slower under go test -race.
//
//go:norace
func (c *classifier) fit(examples []example, opts TrainOptions) {
	k := len(c.classes)
	// The weights are kept as scale × v, so that the penalty, which
	// shrinks every weight at every step, costs one multiplication.
	v := make([]float64, len(c.keys)*k)
	bias := make([]float64, k)
	scale := 1.0
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	z := make([]float64, k)
	step := 0.0
	for range opts.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, idx := range order {
			ex := &examples[idx]
			rate := opts.Rate / (1 + opts.Rate*opts.L2*step)
			step++
			// z becomes the gradient of the loss by the logits.
			copy(z, bias)
			for j, row := range ex.rows {
				x := float64(ex.vals[j]) * scale
				for m, w := range v[int(row)*k : int(row)*k+k] {
					z[m] += x * w
				}
			}
			softmax(z)
			z[ex.class]--
			for m := range bias {
				bias[m] -= rate * z[m]
			}
			scale *= 1 - rate*opts.L2
			for j, row := range ex.rows {
				x := rate * float64(ex.vals[j]) / scale
				w := v[int(row)*k : int(row)*k+k]
				for m := range z {
					w[m] -= x * z[m]
				}
			}
			if scale < 1e-6 {
				for i := range v {
					v[i] *= scale
				}
				scale = 1
			}
		}
	}
	c.weights = weights{k: k, exact: make([]float32, len(v))}
	for i, x := range v {
		c.weights.exact[i] = float32(x * scale)
	}
	c.bias = make([]float32, k)
	for i, b := range bias {
		c.bias[i] = float32(b)
	}
}

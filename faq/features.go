package faq

import (
	"maps"
	"math"
	"slices"
	"strings"
)

// feature is one dimension of a question's sparse vector: the hash of a
// word, a pair of words or a piece of a word, and its value.
type feature struct {
	key uint64
	val float32
}

// Feature kinds, hashed in front of the text so that a word and a piece of
// a word spelt alike are different features.
const (
	kindWord byte = 'w' // a word's stem
	kindPair byte = 'b' // two adjacent words' stems
	kindChar byte = 'c' // 3 to 5 letters of a word, with its boundaries
)

// Bounds of the letter n-grams, which find a misspelt word's intact parts
// ("pensoin" shares "<pen", "pens" with "pension").
const (
	minGram = 3
	maxGram = 5
)

// featurizer turns a question into the classifier's features: the words'
// stems (after the general normalisation and the union's lexicon, as for
// the BM25F index), pairs of adjacent stems, and letter n-grams of each
// word. The word and letter parts are each scaled to a fixed length, so
// that long and short questions weigh alike.
type featurizer struct {
	lexicon  map[string][]string // the stems of a lexicon phrase, joined by spaces → the stems it expands to
	lexWords int
	weights  featureWeights
}

// featureWeights are the lengths the word part and the letter part of a
// question's vector are scaled to, and how much a lexicon expansion
// counts beside a word written out.
type featureWeights struct {
	Words, Chars, Expansion float32
}

// newFeaturizer prepares the lexicon's phrases and expansions as stems.
// Phrases that stem alike ("pink slip", "pink slips") expand to all their
// expansions, in the order of the phrases, so that the features do not
// depend on the order of a map.
func newFeaturizer(lexicon map[string]string, w featureWeights) *featurizer {
	fz := &featurizer{lexicon: map[string][]string{}, weights: w}
	for _, key := range slices.Sorted(maps.Keys(lexicon)) {
		var ks []string
		for _, tok := range tokenize(key, maxPhraseWords+2) {
			ks = append(ks, stem(joinHyphens(tok)))
		}
		if len(ks) == 0 || len(ks) > maxPhraseWords {
			continue
		}
		k := strings.Join(ks, " ")
		for _, tok := range tokenize(lexicon[key], 64) {
			if e := stem(joinHyphens(tok)); !slices.Contains(fz.lexicon[k], e) {
				fz.lexicon[k] = append(fz.lexicon[k], e)
			}
		}
		fz.lexWords = max(fz.lexWords, len(ks))
	}
	return fz
}

// features appends the features of a text's tokens to buf and returns
// it; a feature that occurs twice is listed twice, with its values to be
// added.
func (fz *featurizer) features(toks []string, buf []feature) []feature {
	stems := make([]string, len(toks))
	for i, t := range toks {
		stems[i] = stem(joinHyphens(t))
	}
	start := len(buf)
	for i, st := range stems {
		buf = append(buf, feature{key: hashFeature(kindWord, st, ""), val: 1})
		if i > 0 {
			buf = append(buf, feature{key: hashFeature(kindPair, stems[i-1], st), val: 1})
		}
	}
	for i := range stems {
		for n := min(fz.lexWords, len(stems)-i); n >= 1; n-- {
			exp, ok := fz.lexicon[strings.Join(stems[i:i+n], " ")]
			if !ok {
				continue
			}
			for _, e := range exp {
				buf = append(buf, feature{key: hashFeature(kindWord, e, ""), val: fz.weights.Expansion})
			}
			break
		}
	}
	scale(buf[start:], fz.weights.Words)
	start = len(buf)
	var word [64 + 2]byte
	for _, t := range toks {
		if len(t)+2 > len(word) {
			continue
		}
		w := append(append(append(word[:0], '<'), t...), '>')
		for n := minGram; n <= maxGram; n++ {
			for i := 0; i+n <= len(w); i++ {
				buf = append(buf, feature{key: hashBytes(kindChar, w[i:i+n]), val: 1})
			}
		}
	}
	scale(buf[start:], fz.weights.Chars)
	return buf
}

// scale multiplies fs so that their Euclidean length (counting repeated
// keys apart, a close enough measure for short questions) is length.
func scale(fs []feature, length float32) {
	var sum float32
	for _, f := range fs {
		sum += f.val * f.val
	}
	if sum == 0 {
		return
	}
	k := length / sqrt32(sum)
	for i := range fs {
		fs[i].val *= k
	}
}

// FNV-1a, 64 bits.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashFeature hashes a feature of the given kind made of one or two
// strings.
func hashFeature(kind byte, a, b string) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for i := 0; i < len(a); i++ {
		h = (h ^ uint64(a[i])) * fnvPrime
	}
	if b != "" {
		h = (h ^ ' ') * fnvPrime
		for i := 0; i < len(b); i++ {
			h = (h ^ uint64(b[i])) * fnvPrime
		}
	}
	return h
}

// hashBytes hashes a feature of the given kind made of bytes.
func hashBytes(kind byte, a []byte) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for _, c := range a {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

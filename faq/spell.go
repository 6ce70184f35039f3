package faq

import (
	"slices"
	"strings"
)

// minSpelled is the shortest word the speller corrects: "teh" and "hte"
// are common slips for "the", while two letters leave too little to go
// by.
const minSpelled = 3

// spell returns the tokens with each word the classifier never saw in
// training replaced by the word of the knowledge base, its phrasings or
// the stop and everyday word lists it is a slip of: the nearest by
// restricted Damerau-Levenshtein distance, within one edit for words of
// up to eight letters and two beyond, and only when no other word is as
// near (or all that are are stop words, which say nothing either way). A
// word the classifier learnt from, even one learnt from a message no
// entry answers, is kept as it is. toks is not changed; the result shares
// it when nothing is corrected.
func (c *classifier) spell(toks []string) []string {
	out, copied := toks, false
	for i, t := range toks {
		if len(t) < minSpelled || !lettersOnly(t) || c.saw(t) {
			continue
		}
		fix, ok := nearestWord(c.spelling, t, max(typoBudget(len(t)), 1))
		if !ok {
			continue
		}
		if !copied {
			out, copied = append([]string(nil), toks...), true
		}
		out[i] = fix
	}
	return out
}

// saw reports whether the word is one the classifier learnt from (other
// than in its own synthetic typos), or a stop or everyday word.
func (c *classifier) saw(tok string) bool {
	st := stem(joinHyphens(tok))
	return c.known[st] || c.offTopic[st] || isStopword(tok) || isCommon(tok)
}

// nearestWord returns the word of buckets nearest to w within maxD
// edits, when no other word is that near, or every other word that near
// is used less than a third as often (see vocabWord.df), or every word
// that near is a stop word.
func nearestWord(buckets [][]vocabWord, w string, maxD int) (string, bool) {
	var best vocabWord
	var runner int32 // how often the most used other word as near is used
	dist, allStop := maxD+1, true
	eachCandidate(buckets, w, maxD, func(c vocabWord) {
		d := osaDistance(w, c.word, dist+1)
		switch {
		case d > maxD || d > dist || c.word == best.word:
		case d < dist:
			best, runner, dist, allStop = c, 0, d, isStopword(c.word)
		case c.df > best.df:
			best, runner = c, max(runner, best.df)
			allStop = allStop && isStopword(c.word)
		default:
			runner = max(runner, c.df)
			allStop = allStop && isStopword(c.word)
		}
	})
	if dist > maxD || runner > 0 && !allStop && best.df < 3*runner {
		return "", false
	}
	return best.word, true
}

// lettersOnly reports whether w is made of the letters a to z.
func lettersOnly(w string) bool {
	return strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == ""
}

// spellingWords are the words the speller corrects to besides the
// knowledge base's: the stop words and everyday words of three letters
// or more.
func spellingWords() []string {
	var out []string
	for _, set := range []map[string]struct{}{stopwords, common} {
		for w := range set {
			if len(w) >= minSpelled && lettersOnly(w) {
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return out
}

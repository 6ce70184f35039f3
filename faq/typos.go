package faq

import (
	"math/rand/v2"
	"strings"
)

// typoSeed fixes the typos Misspelt and the classifier's training make,
// so that a measurement can be repeated and a trained model rebuilt byte
// for byte.
const typoSeed = 19680

// typoShare is the share of a text's words that misspell gives a typo
// (at least one word when any can take one): about the rate of members
// typing on a phone.
const typoShare = 0.3

// qwertyNeighbours are the letters next to each letter on a QWERTY
// keyboard, which a slipping thumb hits instead.
var qwertyNeighbours = [26]string{
	"qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn",
	"jiolm", "kop", "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy",
	"yhji", "cfgb", "qase", "zsdc", "tghu", "asx",
}

// misspell returns text with a typo in about typoShare of its words of
// three letters or more: two adjacent letters swapped, a letter dropped,
// a letter doubled, or a letter replaced by a neighbour on the keyboard.
// These are the slips members make; a word the classifier learnt only
// spelt right would otherwise be lost to it.
func misspell(text string, rng *rand.Rand) string {
	words := strings.Fields(text)
	var can []int
	for i, w := range words {
		if letters(w) >= 3 {
			can = append(can, i)
		}
	}
	if len(can) == 0 {
		return text
	}
	changed := false
	for _, i := range can {
		if rng.Float64() < typoShare {
			words[i], changed = typo(words[i], rng), true
		}
	}
	if !changed {
		i := can[rng.IntN(len(can))]
		words[i] = typo(words[i], rng)
	}
	return strings.Join(words, " ")
}

// letters counts the ASCII letters of w.
func letters(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if isLetter(w[i]) {
			n++
		}
	}
	return n
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// typo makes one slip in a word at one of its letters.
func typo(w string, rng *rand.Rand) string {
	var at []int
	for i := 0; i < len(w); i++ {
		if isLetter(w[i]) {
			at = append(at, i)
		}
	}
	i := at[rng.IntN(len(at))]
	b := []byte(w)
	switch rng.IntN(4) {
	case 0: // swap with the next letter, or the previous one at the end
		j := i + 1
		if j >= len(b) || !isLetter(b[j]) {
			j = i - 1
		}
		if j >= 0 && isLetter(b[j]) && b[i] != b[j] {
			b[i], b[j] = b[j], b[i]
			return string(b)
		}
		fallthrough
	case 1: // drop
		return string(b[:i]) + string(b[i+1:])
	case 2: // double
		return string(b[:i+1]) + string(b[i:])
	default: // a neighbouring key
		c := b[i] | 0x20
		near := qwertyNeighbours[c-'a']
		b[i] = near[rng.IntN(len(near))]
		return string(b)
	}
}

// Misspelt returns a copy of set in which every question has typos (see
// misspell), the same ones each time: a measurement of how well the
// matcher reads members' slips on questions it reads spelt right.
func Misspelt(set []Labeled) []Labeled {
	return rewritten(set, typoSeed, misspell)
}

// rewritten returns a copy of set with every question rewritten by
// write, whose random choices come from a fixed seed, so that the copy
// is the same each time and measurements on it can be compared.
func rewritten(set []Labeled, seed uint64, write func(string, *rand.Rand) string) []Labeled {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]Labeled, len(set))
	for i, q := range set {
		out[i] = q
		out[i].Question = write(q.Question, rng)
	}
	return out
}

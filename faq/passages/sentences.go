package passages

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviations end with a full stop that does not end a sentence; they are
// compared in lower case without their last full stop.
var abbreviations = map[string]bool{
	"sec": true, "secs": true, "art": true, "arts": true, "no": true, "nos": true,
	"para": true, "paras": true, "p": true, "pp": true, "ch": true, "cl": true,
	"e.g": true, "i.e": true, "cf": true, "vs": true, "v": true, "approx": true,
	"a.m": true, "p.m": true, "mr": true, "mrs": true, "ms": true, "dr": true, "st": true,
	"inc": true, "ltd": true, "co": true, "corp": true, "dept": true, "u.s": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true,
	"aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
}

// span is a sentence's byte offsets in its text.
type span struct{ start, end int }

// Sentences splits a passage into its sentences, so that the sentence that
// answers a question can be highlighted. It does not split after
// abbreviations ("Sec. 12.3", "No. 4", "8 a.m.", "e.g."), initials, a
// clause's number at a line's start ("1. The Employer") or inside decimals
// ("12.50"); a blank line always ends a sentence.
func Sentences(text string) []string {
	var out []string
	for _, s := range sentenceSpans(text) {
		out = append(out, text[s.start:s.end])
	}
	return out
}

// sentenceSpans finds the sentences of text, trimmed of surrounding space.
func sentenceSpans(text string) []span {
	var out []span
	start := 0
	emit := func(end int) {
		s, e := start, end
		for s < e && isSpaceByte(text[s]) {
			s++
		}
		for e > s && isSpaceByte(text[e-1]) {
			e--
		}
		if s < e {
			out = append(out, span{s, e})
		}
		start = end
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' && strings.HasPrefix(strings.TrimLeft(text[i+1:], " \t"), "\n") {
			emit(i)
			continue
		}
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(text) && strings.ContainsRune(`"')]`, rune(text[j])) {
			j++
		}
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if r != '”' && r != '’' {
				break
			}
			j += size
		}
		if j >= len(text) || !isSpaceByte(text[j]) {
			continue
		}
		next := strings.TrimLeft(text[j:], " \t\n")
		if next == "" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(next)
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) && !strings.ContainsRune(`("“'`, r) {
			continue
		}
		if c == '.' && !endsSentence(text, i) {
			continue
		}
		emit(j)
		i = j - 1
	}
	emit(len(text))
	return out
}

// endsSentence reports whether the full stop at text[i] ends a sentence,
// looking at the word it ends.
func endsSentence(text string, i int) bool {
	w := i
	for w > 0 && !isSpaceByte(text[w-1]) && text[w-1] != '(' {
		w--
	}
	word := text[w:i]
	lower := strings.ToLower(word)
	if abbreviations[lower] {
		return false
	}
	if utf8.RuneCountInString(word) == 1 && unicode.IsLetter([]rune(word)[0]) {
		return false // an initial, or "a." in "(a) ... b. ..."
	}
	if word != "" && strings.Trim(word, "0123456789.") == "" {
		lineStart := w == 0 || text[w-1] == '\n'
		return !lineStart // "1. The Employer" numbers a clause
	}
	return true
}

// isSpaceByte reports whether b is white space in the texts Split makes.
func isSpaceByte(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' }

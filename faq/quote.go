package faq

import (
	"strings"
	"unicode/utf8"

	"github.com/unionhall/unionhall/faq/passages"
)

// PassageNote follows every quoted passage: the bot quotes the agreement,
// it does not interpret it for a member's case.
const PassageNote = "This is the agreement's own text, not advice: ask your steward how it applies to you."

// MaxExcerptChars is the longest quoted excerpt: with its citation and
// PassageNote it stays within the smallest platform's message limit
// (Discord's 2,000 characters).
const MaxExcerptChars = 1500

// Excerpt is the passage as quoted to members: its text with the sentence
// that best answers marked in bold, and, when the passage is longer than
// max characters, only the sentences around that one, the cuts marked
// with "…".
func (q Quoted) Excerpt(max int) string {
	text := strings.TrimSpace(q.Passage.Text)
	if utf8.RuneCountInString(text)+4 <= max {
		if q.Sentence == "" || !strings.Contains(text, q.Sentence) {
			return text
		}
		return strings.Replace(text, q.Sentence, "**"+q.Sentence+"**", 1)
	}
	sentences := passages.Sentences(text)
	best := 0
	for i, s := range sentences {
		if s == q.Sentence {
			best = i
			break
		}
	}
	bold := "**" + sentences[best] + "**"
	if n := utf8.RuneCountInString(bold); n+2 > max {
		return "**" + cutRunes(sentences[best], max-6) + "…**"
	}
	lo, hi := best, best+1 // sentences[lo:hi] are quoted
	size := utf8.RuneCountInString(bold) + 2
	for grew := true; grew; {
		grew = false
		if hi < len(sentences) && size+1+utf8.RuneCountInString(sentences[hi]) <= max {
			size += 1 + utf8.RuneCountInString(sentences[hi])
			hi, grew = hi+1, true
		}
		if lo > 0 && size+1+utf8.RuneCountInString(sentences[lo-1]) <= max {
			size += 1 + utf8.RuneCountInString(sentences[lo-1])
			lo, grew = lo-1, true
		}
	}
	parts := append(append(append([]string{}, sentences[lo:best]...), bold), sentences[best+1:hi]...)
	out := strings.Join(parts, " ")
	if lo > 0 {
		out = "…" + out
	}
	if hi < len(sentences) {
		out += "…"
	}
	return out
}

// cutRunes returns the first n runes of s.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// Reply is what a member is told for a passage answer: the citation, the
// excerpt in quotation marks and PassageNote, e.g. `Article 13, Section
// 13.3 (Filing): "A grievance must be filed ..." This is the agreement's
// own text, ...`.
func (q Quoted) Reply() string {
	return q.Citation + `: "` + q.Excerpt(MaxExcerptChars) + `" ` + PassageNote
}

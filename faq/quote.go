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

// Excerpt is the passage as quoted to members: its text, and, when the
// passage is longer than max characters, only the sentences around the
// one that best answers, the cuts marked with "…".
func (q Quoted) Excerpt(max int) string {
	text := strings.TrimSpace(q.Passage.Text)
	if utf8.RuneCountInString(text) <= max {
		return text
	}
	sentences := passages.Sentences(text)
	best := 0
	for i, s := range sentences {
		if s == q.Sentence {
			best = i
			break
		}
	}
	if utf8.RuneCountInString(sentences[best]) > max {
		return cutRunes(sentences[best], max-1) + "…"
	}
	lo, hi := best, best+1 // sentences[lo:hi] are quoted
	size := utf8.RuneCountInString(sentences[best]) + 2
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
	out := strings.Join(sentences[lo:hi], " ")
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

// Reply is what a member is told for a passage answer: the citation and
// the sentence that best answers, in quotation marks, first (members read
// on phones, and chat shows no markup the adapters would not escape);
// then, when the passage says more, the excerpt around it; then
// PassageNote. For example: `Article 13, Section 13.3 (Filing): "A
// grievance must be filed within 20 working days." / From the text: "..."
// / This is the agreement's own text, ...`.
func (q Quoted) Reply() string {
	excerpt := q.Excerpt(MaxExcerptChars)
	best := strings.TrimSpace(q.Sentence)
	if best == "" || best == excerpt || utf8.RuneCountInString(best) > maxLeadChars {
		return q.Citation + `: "` + excerpt + `"` + "\n" + PassageNote
	}
	return q.Citation + `: "` + best + `"` + "\n" + `From the text: "` + excerpt + `"` + "\n" + PassageNote
}

// maxLeadChars is the longest best sentence that leads a reply on its own
// line; a longer one is read in the excerpt, so the reply stays within
// Discord's 2,000 characters.
const maxLeadChars = 300

// maxOfferChars is the longest sentence quoted when a passage is offered
// among suggestions; the member opens the passage for the rest.
const maxOfferChars = 140

// Offer is how a passage offered among suggestions is listed: its
// citation and the start of the sentence that best answers, e.g.
// `Article 9, Section 9.5 (Meal Periods and Rest Breaks): "9.5.1
// Employees who work more than six (6) hours in a day receive an unpaid
// meal period…"`.
func (q Quoted) Offer() string {
	best := strings.TrimSpace(q.Sentence)
	if best == "" {
		return q.Citation
	}
	if utf8.RuneCountInString(best) > maxOfferChars {
		best = strings.TrimSpace(cutRunes(best, maxOfferChars-1)) + "…"
	}
	return q.Citation + `: "` + best + `"`
}

// maxLabelChars is the longest button label: Slack allows 75 characters.
const maxLabelChars = 75

// Label is the passage's name on a button: its citation without the
// title ("Article 9, Section 9.5"), or with it when that is all it has.
func (q Quoted) Label() string {
	label := q.Citation
	if i := strings.LastIndex(label, " ("); i > 0 {
		label = label[:i]
	}
	if utf8.RuneCountInString(label) > maxLabelChars {
		label = cutRunes(label, maxLabelChars-1) + "…"
	}
	return label
}

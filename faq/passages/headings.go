package passages

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ranks order headings by depth: a heading contains the headings after it
// with a higher rank. A Markdown heading ranks at ten times its level, plus
// one for an article or a heading with a title only, two for a section and
// three for a clause, so that an author who writes "## Article 12" and
// "## Section 12.3" at one level still gets the section inside the
// article. Article and section lines, and clauses, rank below any Markdown
// heading, so that a Markdown "## Article 12" may hold plain "12.3.1"
// clauses.
const (
	rankArticleLine = 71
	rankSectionLine = 72
	rankDotted      = 73 // plus the number's depth: 12.3.1 is 76
	rankNumbered    = 90 // "1."
	rankLettered    = 91 // "(a)"
	rankRoman       = 92 // "(i)" inside "(a)"
)

// maxTitleRunes is the longest text after a heading's number that is read
// as its title; anything longer is the first sentence of its text.
const maxTitleRunes = 80

var (
	markdownHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	articleLine     = regexp.MustCompile(`^(?i:article|art\.)\s*(\d+|[IVXLCDM]+)\b\s*(.*)$`)
	sectionLine     = regexp.MustCompile(`^(?i:section|sec\.|§)\s*(\d+(?:\.\d+)*[A-Za-z]?)\b\.?\s*(.*)$`)
	dottedClause    = regexp.MustCompile(`^(\d{1,3}(?:\.\d{1,3})+)\.?(?:\s+(.*)|$)`)
	numberedClause  = regexp.MustCompile(`^(\d{1,2})[.)]\s+(.*)$`)
	letteredClause  = regexp.MustCompile(`^\(([a-z]{1,4}|[A-Z])\)\s*(.*)$`)
	romanNumeral    = regexp.MustCompile(`^[ivx]+$`)
	titleSeparator  = regexp.MustCompile(`^[-–—:.]\s*`)
)

// stripEmphasis removes Markdown emphasis marks so that
// "**ARTICLE 12 - LAYOFF**" is read like "ARTICLE 12 - LAYOFF".
func stripEmphasis(s string) string {
	s = strings.ReplaceAll(s, "**", "")
	s = strings.ReplaceAll(s, "__", "")
	s = strings.Trim(s, "*_ ")
	return s
}

// parsed is a line read as a heading: the heading, and any text that
// followed the heading's title on the same line.
type parsed struct {
	heading  Heading
	rest     string
	markdown bool // a "#" line, which is never part of the text
}

// readHeading reads line (already trimmed) as a heading, reporting false
// for ordinary text. markdown says whether "#" lines are headings (in a
// Markdown file); prevLetter is the letter of the open lettered clause,
// if any, which makes "(i)" a roman numeral unless it follows "(h)".
func readHeading(line string, markdown bool, prevLetter string) (parsed, bool) {
	if markdown {
		if m := markdownHeading.FindStringSubmatch(line); m != nil {
			text := stripEmphasis(m[2])
			level := len(m[1])
			if p, ok := readStructure(text, prevLetter); ok {
				p.heading.rank = level*10 + int(p.heading.Kind)
				if p.heading.Kind == Clause {
					p.heading.rank = level*10 + 3
				}
				if p.heading.Title == "" {
					p.heading.Title, p.rest = p.rest, ""
				}
				p.markdown = true
				return p, true
			}
			return parsed{heading: Heading{Kind: Titled, Title: text, Text: text, rank: level*10 + 1}, markdown: true}, true
		}
	}
	return readStructure(stripEmphasis(line), prevLetter)
}

// readStructure reads article, section and clause lines.
func readStructure(line, prevLetter string) (parsed, bool) {
	if m := articleLine.FindStringSubmatch(line); m != nil {
		if title, rest, ok := splitTitle(m[2], true); ok {
			return parsed{heading: Heading{Kind: Article, Number: m[1], Title: title, Text: line, rank: rankArticleLine}, rest: rest}, true
		}
	}
	if m := sectionLine.FindStringSubmatch(line); m != nil {
		if title, rest, ok := splitTitle(m[2], false); ok {
			return parsed{heading: Heading{Kind: Section, Number: m[1], Title: title, Text: line, rank: rankSectionLine}, rest: rest}, true
		}
	}
	if m := dottedClause.FindStringSubmatch(line); m != nil {
		depth := strings.Count(m[1], ".") + 1
		rest := m[2]
		if depth == 2 {
			// "12.3 Notice of Layoff" is a section; "12.50 an hour" is not.
			title, body, ok := splitTitle(rest, false)
			if !ok || rest == "" || !startsUpper(rest) {
				return parsed{}, false
			}
			return parsed{heading: Heading{Kind: Section, Number: m[1], Title: title, Text: line, rank: rankSectionLine}, rest: body}, true
		}
		return parsed{heading: Heading{Kind: Clause, Number: m[1], Title: clauseTitle(rest), Text: line, rank: rankDotted + depth}, rest: rest}, true
	}
	if m := numberedClause.FindStringSubmatch(line); m != nil && m[2] != "" {
		return parsed{heading: Heading{Kind: Clause, Number: m[1], Title: clauseTitle(m[2]), Text: line, rank: rankNumbered}, rest: m[2]}, true
	}
	if m := letteredClause.FindStringSubmatch(line); m != nil {
		n := m[1]
		rank := rankLettered
		if romanNumeral.MatchString(n) && (len(n) > 1 || prevLetter != "" && !follows(prevLetter, n)) {
			rank = rankRoman
		} else if len(n) > 1 {
			return parsed{}, false
		}
		return parsed{heading: Heading{Kind: Clause, Number: n, Text: line, rank: rank}, rest: m[2]}, true
	}
	return parsed{}, false
}

// maxClauseTitleWords is the most words a clause's run-in title has:
// "1. Purpose. The parties agree ..." is titled "Purpose", while "1. The
// Employer shall pay. Payment is ..." starts with a sentence.
const maxClauseTitleWords = 4

// clauseTitle is the run-in title that opens a clause's text ("Purpose"
// in "Purpose. The parties agree ..."), or "" when the text starts with a
// sentence.
func clauseTitle(text string) string {
	head, _, found := strings.Cut(text, ". ")
	words := strings.Fields(head)
	if !found || !startsUpper(head) || len(words) > maxClauseTitleWords || abbreviations[strings.ToLower(lastWord(head))] {
		return ""
	}
	for _, w := range words {
		if sentenceVerbs[strings.ToLower(w)] {
			return ""
		}
	}
	return head
}

// sentenceVerbs mark a clause's opening words as a sentence rather than a
// title: "The Employer shall pay." is not a title.
var sentenceVerbs = map[string]bool{"shall": true, "may": true, "will": true, "must": true, "is": true, "are": true, "be": true, "has": true, "have": true}

// lastWord is the last word of s.
func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// follows reports whether letter b comes right after letter a: "(i)" after
// "(h)" is a letter, not a roman one.
func follows(a, b string) bool {
	return len(a) == 1 && len(b) == 1 && b[0] == a[0]+1
}

// splitTitle separates a heading's title from text on the same line.
// After "ARTICLE 12" a title needs a separator ("- LAYOFF") or capitals,
// so that "Article 12 applies to ..." stays a sentence; a title starting
// in lower case is never one. A long run of words with no full stop is the
// heading's first sentence rather than its title.
func splitTitle(s string, article bool) (title, rest string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", true
	}
	if loc := titleSeparator.FindStringIndex(s); loc != nil {
		s = strings.TrimSpace(s[loc[1]:])
	} else if article && s != strings.ToUpper(s) {
		return "", "", false
	}
	if s == "" {
		return "", "", true
	}
	if !startsUpper(s) {
		return "", "", false
	}
	if i := strings.Index(s, ". "); i > 0 && utf8.RuneCountInString(s[:i]) <= maxTitleRunes {
		return s[:i], strings.TrimSpace(s[i+2:]), true
	}
	if strings.HasSuffix(s, ",") || strings.HasSuffix(s, ";") {
		return "", "", false
	}
	if utf8.RuneCountInString(s) > maxTitleRunes {
		return "", s, true
	}
	return strings.TrimSuffix(s, "."), "", true
}

// startsUpper reports whether s starts with a capital letter or digit.
func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}

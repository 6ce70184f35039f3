// Package passages turns the union's own documents (its agreement and side
// letters) into passages that can be quoted with a citation a member can
// look up: "Article 12, Section 12.3 (Notice of Layoff)".
//
// It follows the structure each document already has (Markdown headings,
// article and section lines, numbered clauses) rather than cutting text at
// fixed lengths, so that a quoted passage is one rule of the agreement,
// under the heading a steward would name.
package passages

import (
	"path"
	"strconv"
	"strings"
	"unicode"
)

// Kind says what a heading is in the agreement's structure; citations name
// articles, sections and clauses differently.
type Kind int

const (
	// Titled is a heading with no number of its own, such as a Markdown
	// heading "## Definitions".
	Titled Kind = iota
	// Article is an article line: "ARTICLE 12 - LAYOFF AND RECALL" or
	// "Article XII".
	Article
	// Section is a section line: "Section 12.3 Notice of Layoff",
	// "Sec. 12.3" or "12.3 Notice of Layoff".
	Section
	// Clause is a numbered clause at a line's start: "12.3.1", "(a)", "1.".
	Clause
)

// Heading is one step of a passage's place in its document, kept as the
// document writes it so that a citation quotes the document's own numbers.
type Heading struct {
	// Kind says whether this is an article, a section, a clause or a
	// heading with a title only.
	Kind Kind
	// Number is the number as written without its label: "12", "XII",
	// "12.3", "12.3.1", "a" for "(a)", "3" for "3.". It is empty for a
	// Titled heading.
	Number string
	// Title is the heading's title as written ("LAYOFF AND RECALL",
	// "Notice of Layoff"); a clause has one only when its text opens with
	// a short run-in title ("1. Purpose. The parties agree ...").
	Title string
	// Text is the whole heading line as written, without Markdown's "#"
	// marks and emphasis.
	Text string
	// Line is the heading's line in its file, counting from 1.
	Line int

	rank int // nesting depth: a heading contains the following ones of higher rank
}

// Passage is a piece of a document small enough to quote, with everything
// needed to say where it came from.
type Passage struct {
	// Document is the document's title: its first heading, or its file
	// name when it has none.
	Document string
	// Headings is the passage's place in the document, outermost first:
	// article, section, clause. It is empty for a preamble and for a
	// document with no structure.
	Headings []Heading
	// LastNumber is the number of the last clause merged into this passage
	// when several short clauses were quoted together ("12.3.2"), empty
	// otherwise; the passage's own number is its innermost heading's.
	LastNumber string
	// Preamble is true for the text before a document's first heading.
	Preamble bool
	// Text is the passage as written, lines kept, paragraphs separated by
	// a blank line.
	Text string
	// File is the file the passage came from, as it was given to Split or
	// found by Load.
	File string
	// Line is the first line of the passage (its heading's line when it
	// starts with one) in File, counting from 1.
	Line int
}

// Citation names the passage the way a steward would to find it in the
// printed agreement: "Article 12, Section 12.3 (Notice of Layoff)", with the
// clause's number when the passage is a clause ("Article 12, Section 12.3.1
// (Notice of Layoff)"), a range when short clauses were merged ("Section
// 12.3.1-12.3.2"), and for a document without articles or sections its
// title and numbered paragraph ("Side letter on mandatory overtime,
// paragraph 3"). The title in brackets is the innermost one the passage
// sits under.
func (p Passage) Citation() string {
	if p.Preamble {
		return p.Document + ", preamble"
	}
	var article, section, paragraph, clause string
	lastIsRange := func(i int) bool { return i == len(p.Headings)-1 && p.LastNumber != "" }
	for i, h := range p.Headings {
		n := h.Number
		switch h.Kind {
		case Article:
			article = n
			section, paragraph, clause = "", "", ""
		case Section:
			section, paragraph, clause = n, "", ""
			if lastIsRange(i) {
				section += "-" + p.LastNumber
			}
		case Clause:
			switch {
			case isDotted(n):
				section, paragraph, clause = n, "", ""
				if lastIsRange(i) {
					section += "-" + p.LastNumber
				}
			case isDigits(n):
				paragraph = n
				if lastIsRange(i) {
					paragraph += "-" + p.LastNumber
				}
			default:
				clause += "(" + n + ")"
				if lastIsRange(i) {
					clause += "-(" + p.LastNumber + ")"
				}
			}
		}
	}
	var parts []string
	if article != "" {
		parts = append(parts, "Article "+article)
	}
	if section != "" {
		parts = append(parts, "Section "+section+clause)
		clause = ""
	}
	if len(parts) == 0 {
		parts = append(parts, p.Document)
	}
	if paragraph != "" {
		word := "paragraph "
		if strings.Contains(paragraph, "-") {
			word = "paragraphs "
		}
		parts = append(parts, word+paragraph+clause)
		clause = ""
	}
	if clause != "" {
		parts = append(parts, "clause "+clause)
	}
	cite := strings.Join(parts, ", ")
	if title := p.innermostTitle(); title != "" {
		cite += " (" + title + ")"
	}
	return cite
}

// innermostTitle is the title of the deepest heading that has one, in
// title case when the document writes it in capitals.
func (p Passage) innermostTitle() string {
	for i := len(p.Headings) - 1; i >= 0; i-- {
		if t := p.Headings[i].Title; t != "" {
			return titleCase(t)
		}
	}
	return ""
}

// smallWords stay lower case inside a title: "Layoff and Recall".
var smallWords = map[string]bool{"a": true, "an": true, "and": true, "as": true, "at": true, "by": true, "for": true, "in": true, "of": true, "on": true, "or": true, "the": true, "to": true, "with": true}

// titleCase writes a title typed in capitals ("LAYOFF AND RECALL") as
// "Layoff and Recall"; a title already in mixed case is kept as written.
func titleCase(s string) string {
	if s != strings.ToUpper(s) {
		return s
	}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		if i > 0 && smallWords[w] {
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

// sentenceCase writes a document title typed in capitals ("SIDE LETTER ON
// MANDATORY OVERTIME") as "Side letter on mandatory overtime".
func sentenceCase(s string) string {
	if s != strings.ToUpper(s) {
		return s
	}
	r := []rune(strings.ToLower(s))
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// isDotted reports whether a number has the "12.3.1" form.
func isDotted(n string) bool {
	return strings.Contains(n, ".") && strings.Trim(n, "0123456789.") == ""
}

// isDigits reports whether a number is a plain "3".
func isDigits(n string) bool {
	return n != "" && strings.Trim(n, "0123456789") == ""
}

// Number is the passage's own number as written: its innermost heading's
// that has one ("13.3", "10.3.5", "a" for "(a)"), the first one's when
// short clauses were quoted together; "" when it has none.
func (p Passage) Number() string {
	for i := len(p.Headings) - 1; i >= 0; i-- {
		if n := p.Headings[i].Number; n != "" {
			return n
		}
	}
	return ""
}

// Title is the title of the innermost heading that has one, in title case
// when the document writes it in capitals ("Filing"); "" when none has.
func (p Passage) Title() string { return p.innermostTitle() }

// Refs returns a short reference for each passage of ps, in their order,
// that a steward can type to name it: its own number ("13.3") when no
// other passage has that number; otherwise the number after its file's
// name without extension ("side-letter-overtime:3"); when even that is
// shared, its place under its section ("agreement:13.3(a)"), and as a
// last resort its line ("agreement:L120"). No two references are equal,
// ignoring letter case.
func Refs(ps []Passage) []string {
	refs := make([]string, len(ps))
	used := map[string]bool{}
	levels := []func(Passage) string{
		Passage.Number,
		func(p Passage) string { return qualified(p, p.Number()) },
		func(p Passage) string { return qualified(p, p.place()) },
		func(p Passage) string { return qualified(p, "L"+strconv.Itoa(p.Line)) },
	}
	for level, ref := range levels {
		last := level == len(levels)-1
		counts := map[string]int{}
		candidates := make([]string, len(ps))
		for i, p := range ps {
			if refs[i] == "" {
				candidates[i] = ref(p)
				counts[strings.ToLower(candidates[i])]++
			}
		}
		for i, c := range candidates {
			key := strings.ToLower(c)
			if c == "" || !last && (used[key] || counts[key] > 1) {
				continue
			}
			// Lines are distinct within a file; a suffix keeps even a
			// repeated one apart.
			r := c
			for n := 2; used[strings.ToLower(r)]; n++ {
				r = c + "-" + strconv.Itoa(n)
			}
			refs[i], used[strings.ToLower(r)] = r, true
		}
	}
	return refs
}

// qualified puts the passage's file name, without its folder and
// extension and with spaces made dashes, before a reference; "" when
// there is no reference.
func qualified(p Passage, ref string) string {
	if ref == "" {
		return ""
	}
	base := path.Base(strings.ReplaceAll(p.File, `\`, "/"))
	base = strings.TrimSuffix(base, path.Ext(base))
	return strings.Join(strings.Fields(base), "-") + ":" + ref
}

// place is the passage's number under its section: "13.3(a)" for clause
// (a) of section 13.3, "preamble" for a preamble, "" when it has no
// number.
func (p Passage) place() string {
	if p.Preamble {
		return "preamble"
	}
	var place string
	for _, h := range p.Headings {
		switch {
		case h.Number == "":
		case h.Kind == Article && place == "":
			place = h.Number
		case h.Kind == Section || isDotted(h.Number):
			place = h.Number
		default:
			place += "(" + h.Number + ")"
		}
	}
	return place
}

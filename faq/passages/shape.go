package passages

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// piece is a passage's text with its first line.
type piece struct {
	text string
	line int
}

// mergeShort joins a block shorter than opts.MinChars to the blocks after
// it while they are its siblings (clauses of the same kind under the same
// heading, or paragraphs of a document without headings) and the whole
// stays within opts.MaxChars. The joined passage keeps the first block's
// headings and records the last one's number for the citation's range.
func mergeShort(blocks []block, opts Options) []block {
	if !opts.ClauseByClause {
		blocks = mergeSections(blocks, opts)
	}
	var out []block
	for i := 0; i < len(blocks); i++ {
		cur := blocks[i]
		for i+1 < len(blocks) && runes(cur.text()) < opts.MinChars && siblings(cur, blocks[i+1]) &&
			runes(cur.text())+2+runes(blocks[i+1].text()) <= opts.MaxChars {
			next := blocks[i+1]
			cur.lines = append(append(append([]line(nil), cur.lines...), line{}), next.lines...)
			if n := len(next.headings); n > 0 {
				cur.last = next.headings[n-1].Number
			}
			i++
		}
		out = append(out, cur)
	}
	return out
}

// mergeSections joins the blocks of a section (its own text and its
// clauses) into one when the whole fits within opts.MaxChars: a member
// asking about night differentials is best shown the section on shift
// differentials, with the evening and weekend rules beside the night one.
// The joined block is cited as the section.
func mergeSections(blocks []block, opts Options) []block {
	var out []block
	for i := 0; i < len(blocks); {
		key, n := sectionOf(blocks[i])
		j := i + 1
		size := runes(blocks[i].text())
		for j < len(blocks) && !blocks[j].preamble && n > 0 {
			k, _ := sectionOf(blocks[j])
			if k != key {
				break
			}
			size += 2 + runes(blocks[j].text())
			j++
		}
		if j-i < 2 || size > opts.MaxChars {
			out = append(out, blocks[i:j]...)
			i = j
			continue
		}
		merged := block{headings: blocks[i].headings[:n], start: blocks[i].start}
		for k := i; k < j; k++ {
			if k > i {
				merged.lines = append(merged.lines, line{})
			}
			// A clause whose heading is a Markdown line of its own
			// keeps it, so that its number and title are quoted.
			if hs := blocks[k].headings; len(hs) > n {
				h := hs[len(hs)-1]
				if len(blocks[k].lines) == 0 || blocks[k].lines[0].no != h.Line {
					merged.lines = append(merged.lines, line{text: h.Text, no: h.Line})
				}
			}
			merged.lines = append(merged.lines, blocks[k].lines...)
		}
		out = append(out, merged)
		i = j
	}
	return out
}

// sectionOf returns the key of the section a block lies in (the lines of
// its headings down to the innermost one that is not a clause) and how
// many headings that is; 0 for a preamble or a block outside any heading.
func sectionOf(b block) (string, int) {
	if b.preamble {
		return "", 0
	}
	n := 0
	for i, h := range b.headings {
		if h.Kind != Clause {
			n = i + 1
		}
	}
	var key strings.Builder
	for _, h := range b.headings[:n] {
		fmt.Fprintf(&key, "%d/", h.Line)
	}
	return key.String(), n
}

// siblings reports whether b follows a at the same depth under the same
// heading, the only blocks that may be quoted together.
func siblings(a, b block) bool {
	if a.preamble || b.preamble || len(a.headings) != len(b.headings) {
		return false
	}
	n := len(a.headings)
	if n == 0 {
		return true
	}
	x, y := a.headings[n-1], b.headings[n-1]
	if x.Kind != Clause || y.Kind != Clause || x.rank != y.rank {
		return false
	}
	for i := 0; i < n-1; i++ {
		if a.headings[i].Line != b.headings[i].Line {
			return false
		}
	}
	return true
}

// cut splits a block longer than max characters at paragraph boundaries,
// a paragraph longer than max at sentence boundaries, and a sentence
// longer than max between words.
func cut(b block, max int) []piece {
	type unit struct {
		piece
		newParagraph bool
	}
	var units []unit
	for _, para := range paragraphs(b) {
		if runes(para.text) <= max {
			units = append(units, unit{para, true})
			continue
		}
		first := true
		ln, counted := para.line, 0
		for _, s := range sentenceSpans(para.text) {
			text := para.text[s.start:s.end]
			ln += strings.Count(para.text[counted:s.start], "\n")
			counted = s.start
			pieces := []piece{{text, ln}}
			if runes(text) > max {
				pieces = wordPieces(text, ln, max)
			}
			for _, p := range pieces {
				units = append(units, unit{p, first})
				first = false
			}
		}
	}
	var out []piece
	var cur piece
	for _, u := range units {
		sep := " "
		if u.newParagraph {
			sep = "\n\n"
		}
		switch {
		case cur.text == "":
			cur = u.piece
		case runes(cur.text)+runes(sep)+runes(u.text) > max:
			out = append(out, cur)
			cur = u.piece
		default:
			cur.text += sep + u.text
		}
	}
	if cur.text != "" {
		out = append(out, cur)
	}
	if len(out) > 0 && b.start < out[0].line {
		out[0].line = b.start // the passage starts at its heading
	}
	return out
}

// paragraphs lists the block's paragraphs, each with its first line.
func paragraphs(b block) []piece {
	var out []piece
	var cur []string
	first := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, piece{strings.Join(cur, "\n"), first})
		}
		cur = nil
	}
	for _, l := range b.lines {
		if l.text == "" {
			flush()
			continue
		}
		if len(cur) == 0 {
			first = l.no
		}
		cur = append(cur, l.text)
	}
	flush()
	return out
}

// wordAndSpace matches a word with the space after it, so that pieces
// are cut between words whether a space or a line end separates them.
var wordAndSpace = regexp.MustCompile(`\S+\s*`)

// wordPieces cuts a sentence longer than max characters between words.
func wordPieces(text string, line, max int) []piece {
	var out []piece
	var sb strings.Builder
	ln, at := line, line
	for _, w := range wordAndSpace.FindAllString(text, -1) {
		if sb.Len() > 0 && runes(sb.String())+runes(strings.TrimSpace(w)) > max {
			out = append(out, piece{strings.TrimSpace(sb.String()), at})
			sb.Reset()
			at = ln
		}
		sb.WriteString(w)
		ln += strings.Count(w, "\n")
	}
	if s := strings.TrimSpace(sb.String()); s != "" {
		out = append(out, piece{s, at})
	}
	return out
}

// runes counts characters, which is what the length limits are in.
func runes(s string) int { return utf8.RuneCountInString(s) }

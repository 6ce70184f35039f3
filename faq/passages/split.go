package passages

import (
	"path"
	"strings"
	"unicode/utf8"
)

// Default lengths, in characters, used when Options leaves them zero.
const (
	// DefaultMaxChars is the longest passage: about what a member reads
	// in a chat reply without scrolling.
	DefaultMaxChars = 1200
	// DefaultMinChars is the length under which a clause is quoted
	// together with the clause after it, because a one-line clause rarely
	// answers a question alone.
	DefaultMinChars = 200
)

// line is one line of a document with its number in the file.
type line struct {
	text string
	no   int
}

// block is the text under one heading, before long blocks are split and
// short ones merged.
type block struct {
	headings []Heading
	preamble bool
	start    int // the heading's line, or the first text line
	lines    []line
	last     string // the number of the last clause merged in, if any
}

// Split turns the text of one document into passages, following its own
// structure: Markdown headings ("#", "##", ...) in a ".md" file, article
// lines ("ARTICLE 12 - LAYOFF AND RECALL", "Article XII"), section lines
// ("Section 12.3 Notice of Layoff", "Sec. 12.3", "12.3 Notice of Layoff")
// and clauses at a line's start ("12.3.1", "(a)", "1."). Text before the
// first heading is the preamble; a document with no structure is split
// into its paragraphs. A passage longer than opts.MaxChars is cut at
// paragraph, then sentence boundaries; a clause shorter than opts.MinChars
// is joined to the clause after it under the same heading. file names the
// passages' source and gives the document's title when its first line is
// not one.
func Split(file, text string, opts Options) []Passage {
	opts = opts.withDefaults()
	lines := normalize(text)
	markdown := strings.EqualFold(path.Ext(file), ".md")
	title, lines := documentTitle(file, lines, markdown)
	blocks, structured := splitBlocks(lines, markdown)
	if !structured {
		blocks = paragraphBlocks(lines)
	}
	var out []Passage
	for _, b := range mergeShort(blocks, opts) {
		for _, piece := range cut(b, opts.MaxChars) {
			out = append(out, Passage{
				Document:   title,
				Headings:   b.headings,
				LastNumber: b.last,
				Preamble:   b.preamble && structured,
				Text:       piece.text,
				File:       file,
				Line:       piece.line,
			})
		}
	}
	return out
}

// normalize splits text into lines, reading CRLF and CR as line ends, page
// breaks as blank lines and tabs as spaces, and trimming the indentation
// a PDF's layout adds.
func normalize(text string) []line {
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.ReplaceAll(text, "\t", " ")
	raw := strings.Split(text, "\n")
	out := make([]line, 0, len(raw))
	for i, s := range raw {
		// A page break ends a paragraph; the lines keep the number of the
		// line that holds the break.
		for k, seg := range strings.Split(s, "\f") {
			if k > 0 {
				out = append(out, line{no: i + 1})
			}
			out = append(out, line{text: strings.TrimSpace(seg), no: i + 1})
		}
	}
	return out
}

// documentTitle takes the document's title from its first line when that
// line is a title (a Markdown heading with no number, or in a text file a
// short line standing alone that is not an article, section or clause),
// and otherwise makes one from the file name.
func documentTitle(file string, lines []line, markdown bool) (string, []line) {
	first := 0
	for first < len(lines) && lines[first].text == "" {
		first++
	}
	if first < len(lines) {
		l := lines[first].text
		p, isHeading := readHeading(l, markdown, "")
		title := ""
		switch {
		case markdown && isHeading && p.heading.Kind == Titled && strings.HasPrefix(l, "#"):
			title = p.heading.Title
		case !isHeading && !strings.HasPrefix(l, "#") && utf8.RuneCountInString(l) <= maxTitleRunes &&
			!strings.ContainsAny(l[len(l)-1:], ".,;:") &&
			first+1 < len(lines) && lines[first+1].text == "":
			title = sentenceCase(stripEmphasis(l))
		}
		if title != "" {
			return title, lines[first+1:]
		}
	}
	name := strings.TrimSuffix(path.Base(file), path.Ext(file))
	name = strings.NewReplacer("_", " ", "-", " ").Replace(name)
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return file, lines
	}
	return sentenceCase(strings.ToUpper(string(r[:1])) + string(r[1:])), lines
}

// splitBlocks cuts the lines at every heading, keeping for each block the
// path of headings it sits under. It reports false when the document has
// no heading at all.
func splitBlocks(lines []line, markdown bool) ([]block, bool) {
	cur := block{preamble: true}
	var stack []Heading
	var blocks []block
	structured := false
	prevLetter := ""
	fenced := false
	for _, l := range lines {
		if strings.HasPrefix(l.text, "```") {
			fenced = !fenced
		}
		var p parsed
		ok := false
		if !fenced {
			p, ok = readHeading(l.text, markdown, prevLetter)
		}
		if !ok {
			cur.add(l)
			continue
		}
		structured = true
		h := p.heading
		h.Line = l.no
		if h.Kind == Clause && h.rank == rankLettered {
			prevLetter = h.Number
		} else if h.rank < rankLettered {
			prevLetter = ""
		}
		blocks = append(blocks, cur)
		for len(stack) > 0 && closes(h, stack[len(stack)-1]) {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, h)
		cur = block{headings: append([]Heading(nil), stack...), start: l.no}
		if h.Kind == Clause && !p.markdown {
			cur.add(l) // a clause's number is part of its text
		} else if p.rest != "" {
			cur.add(line{text: p.rest, no: l.no})
		}
	}
	blocks = append(blocks, cur)
	kept := blocks[:0]
	for _, b := range blocks {
		if b.text() != "" {
			kept = append(kept, b)
		}
	}
	return kept, structured
}

// closes reports whether heading h ends the scope of top (so that top is
// popped before h is pushed): h is as shallow as top or shallower, or
// both are articles or sections and h is the same kind or an outer one.
func closes(h, top Heading) bool {
	if top.rank >= h.rank {
		return true
	}
	return top.Kind != Titled && h.Kind != Titled && h.Kind != Clause && top.Kind >= h.Kind
}

// paragraphBlocks makes one block of every paragraph, for a document
// without headings.
func paragraphBlocks(lines []line) []block {
	var blocks []block
	var cur block
	for _, l := range lines {
		if l.text == "" {
			if len(cur.lines) > 0 {
				blocks = append(blocks, cur)
			}
			cur = block{}
			continue
		}
		cur.add(l)
	}
	if len(cur.lines) > 0 {
		blocks = append(blocks, cur)
	}
	return blocks
}

// add appends a line to the block, starting the block there when it has
// no heading.
func (b *block) add(l line) {
	if len(b.lines) == 0 && l.text == "" {
		return
	}
	if b.start == 0 {
		b.start = l.no
	}
	b.lines = append(b.lines, l)
}

// text is the block's text: lines as written, paragraphs separated by one
// blank line.
func (b block) text() string {
	var sb strings.Builder
	blank := false
	for _, l := range b.lines {
		if l.text == "" {
			blank = true
			continue
		}
		if sb.Len() > 0 {
			if blank {
				sb.WriteString("\n\n")
			} else {
				sb.WriteString("\n")
			}
		}
		blank = false
		sb.WriteString(l.text)
	}
	return sb.String()
}

package passages

import "strings"

// Covers reports whether the passage holds the provision numbered number
// ("13.3", "10.3.5", "3" for a side letter's paragraph 3): its own
// number, a clause merged into it, or a section or article it lies
// inside. It is how a quoted passage is checked against the provision that
// answers a question: the passage is right when it contains the answer.
func (p Passage) Covers(number string) bool {
	number = strings.TrimSpace(number)
	if number == "" || p.Preamble || len(p.Headings) == 0 {
		return false
	}
	for _, h := range p.Headings {
		if h.Number == number {
			return true
		}
	}
	own := p.Headings[len(p.Headings)-1]
	if isDotted(number) && strings.HasPrefix(own.Number, number+".") {
		return true
	}
	// Clauses quoted with their section or with each other: each starts a
	// line of the text with its number, "10.3.5 ..." or "3. ...".
	for _, line := range strings.Split(p.Text, "\n") {
		first, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		first = strings.TrimRight(first, ".)")
		first = strings.TrimLeft(first, "(")
		if first == number {
			return true
		}
	}
	return false
}

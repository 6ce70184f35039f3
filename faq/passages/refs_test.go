package passages

import (
	"slices"
	"strings"
	"testing"
)

// TestRefsAreShortAndUnique: a passage is named by its own number when no
// other passage has it, by its file and number when another file has the
// same number, by its place under its section when its clause letter
// repeats in one file, by its line when it has no number; every reference
// differs from the others in any letter case.
func TestRefsAreShortAndUnique(t *testing.T) {
	article := Heading{Kind: Article, Number: "13", Title: "GRIEVANCES"}
	section := func(n, title string) Heading { return Heading{Kind: Section, Number: n, Title: title} }
	clause := func(n string) Heading { return Heading{Kind: Clause, Number: n} }
	agreement := func(line int, hs ...Heading) Passage {
		return Passage{Document: "Agreement", File: "documents/agreement.md", Line: line, Headings: hs}
	}
	letter := func(line int, n string) Passage {
		return Passage{Document: "Side letter", File: "documents/Side Letter.txt", Line: line, Headings: []Heading{clause(n)}}
	}
	ps := []Passage{
		{Document: "Agreement", File: "documents/agreement.md", Line: 3, Preamble: true},
		agreement(7, article, section("13.3", "Filing")),
		agreement(9, article, section("13.3", "Filing"), clause("a")),
		agreement(11, article, section("13.4", "Steps")),
		agreement(13, article, section("13.4", "Steps"), clause("a")),
		agreement(15, Heading{Kind: Article, Number: "14", Title: "OVERTIME"}, clause("3")),
		agreement(17, Heading{Kind: Titled, Title: "Signatures"}),
		agreement(19, Heading{Kind: Titled, Title: "Appendix"}),
		letter(3, "3"),
		letter(5, "4"),
	}
	want := []string{"agreement:preamble", "13.3", "agreement:13.3(a)", "13.4", "agreement:13.4(a)", "agreement:3",
		"agreement:L17", "agreement:L19", "Side-Letter:3", "4"}
	refs := Refs(ps)
	if !slices.Equal(refs, want) {
		t.Errorf("refs\n%q, want\n%q", refs, want)
	}
	seen := map[string]bool{}
	for _, r := range refs {
		if key := strings.ToLower(r); seen[key] || r == "" || strings.ContainsAny(r, " \t") {
			t.Errorf("ref %q is empty, has spaces, or is another passage's too", r)
		}
		seen[strings.ToLower(r)] = true
	}
}

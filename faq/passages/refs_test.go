package passages

import (
	"slices"
	"strings"
	"testing"
)

// TestRefsAreShortAndUnique: a passage is named by its own number when no
// other passage has it, by its file and number when another file has the
// same number, by its place under its section when its clause letter
// repeats in one file; every reference differs from the others in any
// letter case.
func TestRefsAreShortAndUnique(t *testing.T) {
	agreement := "# Agreement\n\nThe parties agree as follows.\n\n" +
		"## ARTICLE 13 - GRIEVANCES\n\n13.3 Filing. A grievance must be filed within twenty (20) working days of the event.\n\n" +
		"(a) The grievance shall be in writing and signed by the employee.\n\n" +
		"13.4 Steps. A grievance not settled at the first step may go to the second step within ten days.\n\n" +
		"(a) The second step meeting shall be held within fifteen working days.\n\n" +
		"## ARTICLE 14 - OVERTIME\n\n3. Overtime is offered by seniority on a rotating list kept at each facility.\n"
	letter := "SIDE LETTER ON OVERTIME\n\n3. No employee shall be required to work more than sixteen hours in a day.\n\n" +
		"4. Mandatory overtime is assigned in inverse order of seniority.\n"
	ps := append(Split("documents/agreement.md", agreement, Options{MinChars: 1}), Split("documents/Side Letter.txt", letter, Options{MinChars: 1})...)
	refs := Refs(ps)
	byCitation := map[string]string{}
	seen := map[string]bool{}
	for i, p := range ps {
		byCitation[p.Citation()] = refs[i]
		if key := strings.ToLower(refs[i]); seen[key] || refs[i] == "" || strings.ContainsAny(refs[i], " \t") {
			t.Errorf("ref %q of %s is empty, has spaces, or is another passage's too", refs[i], p.Citation())
		} else {
			seen[key] = true
		}
	}
	for citation, want := range map[string]string{
		"Article 13, Section 13.3 (Filing)":    "13.3",
		"Article 13, Section 13.4 (Steps)":     "13.4",
		"Article 13, Section 13.3(a) (Filing)": "agreement:13.3(a)",
		"Article 13, Section 13.4(a) (Steps)":  "agreement:13.4(a)",
		"Article 14, paragraph 3 (Overtime)":   "agreement:3",
		"Side letter on overtime, paragraph 3": "Side-Letter:3",
		"Side letter on overtime, paragraph 4": "4",
		"Agreement, preamble":                  "agreement:preamble",
	} {
		if got, ok := byCitation[citation]; !ok || got != want {
			t.Errorf("%s: ref %q, want %q (all: %v)", citation, got, want, byCitation)
		}
	}
	if !slices.Equal(Refs(ps), refs) {
		t.Error("refs differ from one call to the next")
	}
}

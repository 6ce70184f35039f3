package passages

import (
	"os"
	"strings"
	"testing"
)

// readFixture returns a test document's text.
func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// summary is what the tests compare of a passage.
type summary struct {
	citation string
	line     int
	starts   string
}

func summarize(ps []Passage) []summary {
	out := make([]summary, len(ps))
	for i, p := range ps {
		first, _, _ := strings.Cut(p.Text, "\n")
		out[i] = summary{p.Citation(), p.Line, first}
	}
	return out
}

func checkSummaries(t *testing.T, got []Passage, want []summary) {
	t.Helper()
	s := summarize(got)
	if len(s) != len(want) {
		for _, x := range s {
			t.Logf("got %+v", x)
		}
		t.Fatalf("got %d passages, want %d", len(s), len(want))
	}
	for i := range want {
		if s[i] != want[i] {
			t.Errorf("passage %d = %+v, want %+v", i, s[i], want[i])
		}
	}
}

func TestSplitFollowsMarkdownStructure(t *testing.T) {
	ps := Split("documents/agreement.md", readFixture(t, "agreement.md"), Options{ClauseByClause: true})
	checkSummaries(t, ps, []summary{
		{"Agreement between Riverside County and Local 1183, preamble", 3, "This Agreement is made between Riverside County (the *Employer*) and"},
		{"Article 12, Section 12.1 (Purpose)", 8, "The parties recognise that layoffs cause hardship. The Employer shall look"},
		{"Article 12, Section 12.3.1-12.3.2 (Notice of Layoff)", 17, "12.3.1 The Employer shall give the Union sixty (60) days' notice."},
		{"Article 12, Section 12.3.3 (Notice of Layoff)", 23, "12.3.3 The notice shall state the reasons for the layoff, the positions"},
		{"Article 12, Section 12.3.3(a)-(b) (Notice of Layoff)", 29, "(a) A **permanent** employee may choose to bump a less senior employee"},
		{"Article 12, Section 12.4 (Recall)", 38, "Employees shall be recalled in order of seniority, most senior first, to"},
	})
	for _, p := range ps {
		if p.Document != "Agreement between Riverside County and Local 1183" || p.File != "documents/agreement.md" {
			t.Errorf("passage at line %d: document %q, file %q", p.Line, p.Document, p.File)
		}
	}
	// The heading path keeps each heading as written.
	h := ps[2].Headings
	if len(h) != 3 || h[0].Text != "ARTICLE 12 - LAYOFF AND RECALL" || h[0].Title != "LAYOFF AND RECALL" ||
		h[1].Text != "Section 12.3 Notice of Layoff" || h[1].Number != "12.3" || h[2].Number != "12.3.1" || h[2].Kind != Clause {
		t.Errorf("headings of 12.3.1 = %+v", h)
	}
	// Emphasis and list markers stay in the text and start no passage.
	last := ps[4].Text
	for _, want := range []string{"**permanent**", "- The recall list is kept by seniority.", "- *Article 12 applies to part-time employees"} {
		if !strings.Contains(last, want) {
			t.Errorf("passage (a)-(b) lost %q:\n%s", want, last)
		}
	}
	if ps[5].Headings[1].Text != "Section 12.4 Recall" {
		t.Errorf("an emphasised section line is not a heading: %+v", ps[5].Headings)
	}
}

func TestSplitReadsPlainTextHeadings(t *testing.T) {
	for _, tc := range []struct {
		line   string
		kind   Kind
		number string
		title  string
	}{
		{"ARTICLE 12", Article, "12", ""},
		{"Article XII", Article, "XII", ""},
		{"ARTICLE 12 - LAYOFF AND RECALL", Article, "12", "LAYOFF AND RECALL"},
		{"Article 12: Layoff and Recall", Article, "12", "Layoff and Recall"},
		{"ARTICLE 12 LAYOFF AND RECALL", Article, "12", "LAYOFF AND RECALL"},
		{"Section 12.3 Notice of Layoff", Section, "12.3", "Notice of Layoff"},
		{"SECTION 12.3 - NOTICE OF LAYOFF", Section, "12.3", "NOTICE OF LAYOFF"},
		{"Sec. 12.3", Section, "12.3", ""},
		{"12.3 Notice of Layoff", Section, "12.3", "Notice of Layoff"},
		{"**Section 12.3** Notice of Layoff", Section, "12.3", "Notice of Layoff"},
		{"12.3.1 The Employer shall give notice.", Clause, "12.3.1", ""},
		{"(a) an employee may bump", Clause, "a", ""},
		{"1. No employee shall be required", Clause, "1", ""},
	} {
		ps := Split("a.txt", tc.line+"\n\nThe text under it, long enough to stand as a passage of its own.\n", Options{ClauseByClause: true})
		if len(ps) != 1 || len(ps[0].Headings) == 0 {
			t.Errorf("%q: got %+v", tc.line, ps)
			continue
		}
		h := ps[0].Headings[len(ps[0].Headings)-1]
		if h.Kind != tc.kind || h.Number != tc.number || h.Title != tc.title || h.Line != 1 {
			t.Errorf("%q: heading %+v, want kind %d number %q title %q", tc.line, h, tc.kind, tc.number, tc.title)
		}
	}
}

func TestSplitKeepsSentencesThatLookLikeHeadingsAsText(t *testing.T) {
	for _, line := range []string{
		"Article 12 applies to part-time employees.",
		"Section 12.3 applies to every layoff.",
		"12.50 an hour is the rate for the first year.",
		"- Article 12 - a list item",
		"* Section 12.3 in a list",
		"#hashtag",
		"**Note:** the Employer pays parking.",
	} {
		text := "Preface.\n" + line + "\n"
		ps := Split("a.md", text, Options{ClauseByClause: true})
		if len(ps) != 1 || len(ps[0].Headings) != 0 || !strings.Contains(ps[0].Text, line) {
			t.Errorf("%q was read as a heading: %+v", line, ps)
		}
	}
	// In a text file a "#" line is text, not a Markdown heading.
	ps := Split("a.txt", "Preface.\n# not a heading\n", Options{ClauseByClause: true})
	if len(ps) != 1 || !strings.Contains(ps[0].Text, "# not a heading") {
		t.Errorf("text file: %+v", ps)
	}
}

func TestSplitHandlesCRLFTabsAndRomanArticles(t *testing.T) {
	text := readFixture(t, "agreement-crlf.txt")
	if !strings.Contains(text, "\r\n") || !strings.Contains(text, "\t") {
		t.Fatal("the fixture lost its CRLF line ends or tabs")
	}
	ps := Split("documents/agreement-crlf.txt", text, Options{ClauseByClause: true})
	checkSummaries(t, ps, []summary{
		{"Article XII, Section 12.3 (Notice of Layoff)", 3, "The Employer shall give the Union sixty (60)"},
		{"Article XIII, Section 13.1 (Definition)", 8, "Seniority is continuous service in the bargaining unit since the last date"},
	})
	for _, p := range ps {
		if strings.ContainsAny(p.Text, "\r\t") {
			t.Errorf("passage keeps CR or tab: %q", p.Text)
		}
	}
	if ps[0].Headings[0].Title != "LAYOFF AND RECALL" {
		t.Errorf("article after a tab: %+v", ps[0].Headings[0])
	}
	if ps[0].Document != "Agreement crlf" {
		t.Errorf("title from the file name = %q", ps[0].Document)
	}
}

func TestSplitCitesSideLetterParagraphs(t *testing.T) {
	ps := Split("documents/side-letter-overtime.md", readFixture(t, "side-letter-overtime.md"), Options{ClauseByClause: true})
	checkSummaries(t, ps, []summary{
		{"Side letter on mandatory overtime, paragraphs 1-2", 3, "1. No employee shall be required to work more than sixteen (16) hours in"},
		{"Side letter on mandatory overtime, paragraph 3", 9, "3. An employee who has worked mandatory overtime in the last seven (7) days"},
	})
}

func TestSplitDocumentWithoutStructureGivesParagraphs(t *testing.T) {
	ps := Split("documents/parking-memo.txt", readFixture(t, "memo.txt"), Options{MinChars: 50})
	checkSummaries(t, ps, []summary{
		{"Parking memo", 1, "The parties met on March 3 and agreed on the following understanding about"},
		{"Parking memo", 4, "Employees who start before 7 a.m. may park in Lot C. The Employer will"},
		{"Parking memo", 7, "This understanding ends when the Agreement expires."},
	})
	for _, p := range ps {
		if p.Preamble {
			t.Errorf("a document without headings has no preamble: %+v", p)
		}
	}
	// With the default minimum the short first paragraph joins the next.
	if ps := Split("memo.txt", readFixture(t, "memo.txt"), Options{ClauseByClause: true}); len(ps) != 2 {
		t.Errorf("default minimum: %d passages, want 2", len(ps))
	}
}

func TestSplitTitleFromFirstLineOfTextFile(t *testing.T) {
	ps := Split("x.txt", "SIDE LETTER ON MANDATORY OVERTIME\n\n1. No employee shall work more than sixteen hours in a row.\n", Options{ClauseByClause: true})
	if len(ps) != 1 || ps[0].Citation() != "Side letter on mandatory overtime, paragraph 1" {
		t.Fatalf("got %+v", ps)
	}
	if strings.Contains(ps[0].Text, "SIDE LETTER") {
		t.Errorf("the title is repeated in the text: %q", ps[0].Text)
	}
}

func TestSplitCutsLongSectionsAtParagraphsThenSentences(t *testing.T) {
	para1 := "The Employer shall post every vacancy for ten days. Employees may apply in writing. The senior qualified applicant gets the job."
	para2 := "An employee who is not selected may ask for the reasons. The Employer shall give them in writing within five days."
	text := "Section 5.1 Vacancies\n\n" + para1 + "\n\n" + para2 + "\n"
	const max = 100
	ps := Split("a.txt", text, Options{MaxChars: max})
	if len(ps) < 3 {
		t.Fatalf("got %d passages, want the long paragraph cut: %+v", len(ps), ps)
	}
	var rebuilt []string
	for _, p := range ps {
		if runes(p.Text) > max {
			t.Errorf("passage of %d characters over %d: %q", runes(p.Text), max, p.Text)
		}
		if p.Citation() != "Section 5.1 (Vacancies)" {
			t.Errorf("piece cited %q", p.Citation())
		}
		for _, s := range Sentences(p.Text) {
			if !strings.HasSuffix(s, ".") {
				t.Errorf("piece cut inside a sentence: %q", s)
			}
			rebuilt = append(rebuilt, s)
		}
	}
	if got, want := strings.Join(rebuilt, " "), para1+" "+para2; got != want {
		t.Errorf("pieces lose or repeat text:\n got %q\nwant %q", got, want)
	}
	if ps[0].Line != 1 || ps[len(ps)-1].Line != 5 {
		t.Errorf("lines %d..%d, want 1..5", ps[0].Line, ps[len(ps)-1].Line)
	}
	// Two short paragraphs that fit together stay in one passage.
	if ps := Split("a.txt", text, Options{ClauseByClause: true}); len(ps) != 1 {
		t.Errorf("default maximum: %d passages, want 1", len(ps))
	}
}

func TestSplitCutsAnEndlessSentenceBetweenWords(t *testing.T) {
	long := strings.Repeat("overtime ", 60)
	ps := Split("a.txt", "Section 1.1 Hours\n\n"+long, Options{MaxChars: 100})
	if len(ps) < 5 {
		t.Fatalf("got %d passages", len(ps))
	}
	for _, p := range ps {
		if runes(p.Text) > 100 || strings.Contains(p.Text, "overtimeovertime") {
			t.Errorf("bad piece %q", p.Text)
		}
	}
}

func TestSplitMergesShortClausesOnlyWithSiblings(t *testing.T) {
	text := "Section 7.1 Overtime\n7.1.1 Time and a half.\n7.1.2 Double time on Sundays.\n" +
		"Section 7.2 Call-back\n7.2.1 Four hours minimum.\n"
	ps := Split("a.txt", text, Options{ClauseByClause: true})
	checkSummaries(t, ps, []summary{
		{"Section 7.1.1-7.1.2 (Overtime)", 2, "7.1.1 Time and a half."},
		{"Section 7.2.1 (Call-back)", 5, "7.2.1 Four hours minimum."},
	})
	if ps[0].LastNumber != "7.1.2" {
		t.Errorf("LastNumber = %q", ps[0].LastNumber)
	}
	// A preamble never joins the first article.
	ps = Split("a.txt", "Short preamble.\nARTICLE 1 - RECOGNITION\n1.1.1 The Employer recognises the Union.\n", Options{ClauseByClause: true})
	if len(ps) != 2 || !ps[0].Preamble || ps[1].Citation() != "Article 1, Section 1.1.1 (Recognition)" {
		t.Errorf("got %+v", summarize(ps))
	}
}

func TestSplitLetteredAndRomanClauses(t *testing.T) {
	long := " is a clause long enough to be quoted on its own, because it says a good deal more than a single line would, and goes on for a while, in the way clauses of an agreement do, to pass the minimum length.\n"
	text := "Section 9.2 Leave\n(h)" + long + "(i)" + long + "(ii)" + long
	ps := Split("a.txt", text, Options{ClauseByClause: true})
	checkSummaries(t, ps, []summary{
		{"Section 9.2(h) (Leave)", 2, "(h)" + long[:len(long)-1]},
		{"Section 9.2(i) (Leave)", 3, "(i)" + long[:len(long)-1]},
		{"Section 9.2(i)(ii) (Leave)", 4, "(ii)" + long[:len(long)-1]},
	})
}

func TestSplitEmptyAndBlankDocuments(t *testing.T) {
	for _, text := range []string{"", "\n\n  \n", "\r\n\t\r\n"} {
		if ps := Split("a.txt", text, Options{ClauseByClause: true}); len(ps) != 0 {
			t.Errorf("%q gave %+v", text, ps)
		}
	}
}

func TestCitation(t *testing.T) {
	art := Heading{Kind: Article, Number: "12", Title: "LAYOFF AND RECALL"}
	sec := Heading{Kind: Section, Number: "12.3", Title: "Notice of Layoff"}
	for _, tc := range []struct {
		p    Passage
		want string
	}{
		{Passage{Document: "Agreement", Headings: []Heading{art}}, "Article 12 (Layoff and Recall)"},
		{Passage{Document: "Agreement", Headings: []Heading{art, sec}}, "Article 12, Section 12.3 (Notice of Layoff)"},
		{Passage{Document: "Agreement", Headings: []Heading{art, sec, {Kind: Clause, Number: "12.3.1"}}}, "Article 12, Section 12.3.1 (Notice of Layoff)"},
		{Passage{Document: "Agreement", Headings: []Heading{art, sec, {Kind: Clause, Number: "12.3.1"}}, LastNumber: "12.3.2"}, "Article 12, Section 12.3.1-12.3.2 (Notice of Layoff)"},
		{Passage{Document: "Agreement", Headings: []Heading{art, sec, {Kind: Clause, Number: "b"}}}, "Article 12, Section 12.3(b) (Notice of Layoff)"},
		{Passage{Document: "Agreement", Headings: []Heading{{Kind: Article, Number: "XII"}}}, "Article XII"},
		{Passage{Document: "Side letter on mandatory overtime", Headings: []Heading{{Kind: Clause, Number: "3"}}}, "Side letter on mandatory overtime, paragraph 3"},
		{Passage{Document: "Side letter", Headings: []Heading{{Kind: Clause, Number: "3"}, {Kind: Clause, Number: "a"}}}, "Side letter, paragraph 3(a)"},
		{Passage{Document: "Side letter", Headings: []Heading{{Kind: Clause, Number: "a"}}}, "Side letter, clause (a)"},
		{Passage{Document: "Handbook", Headings: []Heading{{Kind: Titled, Title: "Definitions"}}}, "Handbook (Definitions)"},
		{Passage{Document: "Agreement", Preamble: true}, "Agreement, preamble"},
		{Passage{Document: "Parking memo"}, "Parking memo"},
	} {
		if got := tc.p.Citation(); got != tc.want {
			t.Errorf("Citation() = %q, want %q", got, tc.want)
		}
	}
}

func TestSplitPageBreakEndsAParagraph(t *testing.T) {
	ps := Split("a.txt", "The end of page one.\fThe start of page two.\n", Options{MinChars: 1, ClauseByClause: true})
	if len(ps) != 2 || ps[0].Text != "The end of page one." || ps[1].Text != "The start of page two." || ps[1].Line != 1 {
		t.Errorf("got %+v", ps)
	}
}

func TestSplitNumberedMarkdownHeadings(t *testing.T) {
	text := "# Handbook\n\n## Article 3 - Hours\n\n### 3.1 Work week\n\nThe work week is thirty-five hours.\n\n#### 3.1.1 Flexible hours\n\nStart times may vary by an hour.\n\n## Definitions\n\nA day is a calendar day.\n"
	ps := Split("h.md", text, Options{MinChars: 1, ClauseByClause: true})
	checkSummaries(t, ps, []summary{
		{"Article 3, Section 3.1 (Work week)", 5, "The work week is thirty-five hours."},
		{"Article 3, Section 3.1.1 (Flexible hours)", 9, "Start times may vary by an hour."},
		{"Handbook (Definitions)", 13, "A day is a calendar day."},
	})
	if len(ps[2].Headings) != 1 {
		t.Errorf("a heading at the article's level closes the article: %+v", ps[2].Headings)
	}
	// Quoted whole, the section keeps its clause's heading.
	whole := Split("h.md", text, Options{})
	if len(whole) != 2 || !strings.Contains(whole[0].Text, "3.1.1 Flexible hours\nStart times") || !whole[0].Covers("3.1.1") {
		t.Errorf("whole sections: %+v", whole)
	}
}

func TestSplitClauseRunInTitles(t *testing.T) {
	body := " The parties agree that mandatory overtime is used only after every reasonable effort to fill a shift voluntarily has failed, and only in the facilities that operate around the clock.\n"
	text := "1. Purpose." + body + "2. Steps before mandating." + body + "3. The supervisor shall ask. Then" + body + "4. See Sec. 10.4." + body
	ps := Split("mou.txt", text, Options{MinChars: 1, ClauseByClause: true})
	var got []string
	for _, p := range ps {
		got = append(got, p.Citation())
	}
	want := []string{"Mou, paragraph 1 (Purpose)", "Mou, paragraph 2 (Steps before mandating)", "Mou, paragraph 3", "Mou, paragraph 4"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("citations %q, want %q", got, want)
	}
	if !strings.HasPrefix(ps[0].Text, "1. Purpose. The parties agree") {
		t.Errorf("the run-in title left the text: %q", ps[0].Text)
	}
}

func TestCoversFindsTheProvisionInAPassage(t *testing.T) {
	doc := "# ARTICLE 13 - GRIEVANCES\n\n## Section 13.3 Filing\n\n13.3.1 A grievance is filed in writing within twenty working days.\n\n13.3.2 It names the article.\n\n## Section 13.4 Step 1\n\nThe supervisor meets within five days and answers in writing within ten days of the meeting, giving reasons for the answer.\n"
	ps := Split("agreement.md", doc, Options{})
	var merged, step1 Passage
	for _, p := range ps {
		switch {
		case strings.Contains(p.Text, "13.3.1"):
			merged = p
		case strings.Contains(p.Text, "supervisor meets"):
			step1 = p
		}
	}
	for number, want := range map[string]bool{"13.3.1": true, "13.3.2": true, "13.3": true, "13": true, "13.4": false, "13.3.3": false, "3": false, "": false} {
		if got := merged.Covers(number); got != want {
			t.Errorf("%s covers %q = %v, want %v", merged.Citation(), number, got, want)
		}
	}
	if !step1.Covers("13.4") || step1.Covers("13.3") {
		t.Errorf("%s: covers 13.4 %v, 13.3 %v; want true, false", step1.Citation(), step1.Covers("13.4"), step1.Covers("13.3"))
	}
}

func TestSplitQuotesASectionWholeWhenItFits(t *testing.T) {
	ps := Split("documents/agreement.md", readFixture(t, "agreement.md"), Options{})
	checkSummaries(t, ps, []summary{
		{"Agreement between Riverside County and Local 1183, preamble", 3, "This Agreement is made between Riverside County (the *Employer*) and"},
		{"Article 12, Section 12.1 (Purpose)", 8, "The parties recognise that layoffs cause hardship. The Employer shall look"},
		{"Article 12, Section 12.3 (Notice of Layoff)", 17, "12.3.1 The Employer shall give the Union sixty (60) days' notice."},
		{"Article 12, Section 12.4 (Recall)", 38, "Employees shall be recalled in order of seniority, most senior first, to"},
	})
	// The section keeps every clause, each on its own line with its number.
	for _, n := range []string{"12.3", "12.3.1", "12.3.2", "12.3.3", "a", "b"} {
		if !ps[2].Covers(n) {
			t.Errorf("%s does not cover %s:\n%s", ps[2].Citation(), n, ps[2].Text)
		}
	}
	// A section longer than MaxChars is still quoted clause by clause.
	if short := Split("documents/agreement.md", readFixture(t, "agreement.md"), Options{MaxChars: 300}); len(short) <= 4 {
		t.Errorf("with MaxChars 300, %d passages, want the long section split", len(short))
	}
}

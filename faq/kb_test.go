package faq

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func loadDefault(t testing.TB) *KB {
	t.Helper()
	kb, err := Load(DefaultFS())
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// topicIDs are the entry ids of the default knowledge base, which
// operators and evaluation sets rely on.
var topicIDs = []string{
	"wage-freeze", "raises", "job-security", "pension", "retirement-age", "health-care",
	"wellness-program", "savings", "ratification-rules", "vote-result", "deadline", "layoffs",
	"rescission-authority", "revote", "bylaws-review", "renegotiation", "sebac-scope",
	"single-ballot", "budget-timeline", "sebac", "state-budget", "cost-saving-committees",
	"bot-help", "contact-steward",
}

func TestDefaultKBCoversEveryTopic(t *testing.T) {
	kb := loadDefault(t)
	if len(kb.Entries) != len(topicIDs) {
		t.Errorf("%d entries, want exactly the %d topics", len(kb.Entries), len(topicIDs))
	}
	for _, id := range topicIDs {
		e := kb.Entry(id)
		if e == nil {
			t.Errorf("no entry %q", id)
			continue
		}
		if len(e.Alternates) < 4 {
			t.Errorf("%s: %d alternate phrasings, want several (at least 4)", id, len(e.Alternates))
		}
		if len(e.Keywords) == 0 {
			t.Errorf("%s: no keywords", id)
		}
		if c := kb.Citation(e); !strings.HasPrefix(c, "Source: ") || len(c) < 20 {
			t.Errorf("%s: citation %q", id, c)
		}
	}
}

// words is a question's distinctive words, for comparing phrasings.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range regexp.MustCompile(`[a-z0-9]+`).FindAllString(strings.ReplaceAll(strings.ToLower(s), "'", ""), -1) {
		switch w {
		case "a", "an", "the", "is", "are", "do", "does", "did", "i", "my", "we", "our", "to", "of", "in", "on", "for", "what", "whats", "how":
		default:
			out[w] = true
		}
	}
	return out
}

// TestKBDoesNotCopyEvaluationQuestions guards the evaluation: no phrasing
// or keyword in the knowledge base may be (nearly) one of the questions
// it is measured on, and no field may contain one word for word.
func TestKBDoesNotCopyEvaluationQuestions(t *testing.T) {
	kb := loadDefault(t)
	var eval []Labeled
	for _, f := range []string{"testdata/dev-questions.tsv", "testdata/holdout-questions.tsv"} {
		eval = append(eval, readSet(t, f)...)
	}
	// A training phrasing may be close to an evaluation question (its
	// writers did not see them, and short questions coincide), but not
	// the same question.
	asked := map[string]Labeled{}
	for _, q := range eval {
		asked[normalizeKey(q.Question)] = q
	}
	for _, p := range kb.Phrasings {
		if q, ok := asked[normalizeKey(p.Question)]; ok {
			t.Errorf("training phrasing %q (%s) is evaluation question %q (line %d)", p.Question, p.Want, q.Question, q.Line)
		}
	}
	for _, e := range kb.Entries {
		// No field may contain a whole evaluation question, even inside a
		// longer sentence. A one-word question ("help") is a subject word,
		// which a keyword or an answer rightly names.
		fields := append(append([]string{e.Topic, e.Question, e.Answer}, e.Alternates...), e.Keywords...)
		for _, p := range fields {
			text := " " + normalizeKey(p) + " "
			for _, q := range eval {
				if k := normalizeKey(q.Question); strings.Contains(k, " ") && strings.Contains(text, " "+k+" ") {
					t.Errorf("%s: %q contains evaluation question %q (line %d)", e.ID, p, q.Question, q.Line)
				}
			}
		}
		// A keyword of one or two words names a subject that short
		// questions share; longer ones are phrasings.
		phrasings := append([]string{e.Question}, e.Alternates...)
		for _, k := range e.Keywords {
			if len(words(k)) >= 3 {
				phrasings = append(phrasings, k)
			}
		}
		for _, p := range phrasings {
			a := words(p)
			for _, q := range eval {
				b := words(q.Question)
				inter, union := 0, len(b)
				for w := range a {
					if b[w] {
						inter++
					} else {
						union++
					}
				}
				if union > 0 && float64(inter)/float64(union) >= 0.6 {
					t.Errorf("%s: phrasing %q is too close to evaluation question %q (line %d)", e.ID, p, q.Question, q.Line)
				}
			}
		}
	}
}

func readSet(t testing.TB, path string) []Labeled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set, err := ReadLabeled(f, nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return set
}

const goodSources = "sources:\n  - id: doc\n    title: A document\n"

const goodEntry = `id: pay
topic: Pay
question: What is the pay?
alternates:
  - How much are we paid?
keywords: [pay]
answer: It is fine.
sources: [doc]
`

func TestLoadReportsFileAndField(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  []string
	}{
		"valid": {files: map[string]string{"sources.yaml": goodSources, "entries/pay.yaml": goodEntry}},
		"misspelt field": {
			files: map[string]string{"sources.yaml": goodSources, "entries/pay.yaml": goodEntry + "alternate: [x]\n"},
			want:  []string{"entries/pay.yaml", "alternate"},
		},
		"unknown source": {
			files: map[string]string{"sources.yaml": goodSources, "entries/pay.yaml": strings.Replace(goodEntry, "[doc]", "[doc, nosuch]", 1)},
			want:  []string{"entries/pay.yaml: sources[1]", "nosuch"},
		},
		"id and file name differ": {
			files: map[string]string{"sources.yaml": goodSources, "entries/wages.yaml": goodEntry},
			want:  []string{"entries/wages.yaml: id", "does not match the file name"},
		},
		"empty answer and repeated alternate": {
			files: map[string]string{"sources.yaml": goodSources, "entries/pay.yaml": strings.Replace(strings.Replace(goodEntry, "It is fine.", `""`, 1), "  - How much are we paid?", "  - How much are we paid?\n  - how much are we PAID?", 1)},
			want:  []string{"entries/pay.yaml: answer: must not be empty", "entries/pay.yaml: alternates[1]: repeats"},
		},
		"bad id": {
			files: map[string]string{"sources.yaml": goodSources, "entries/Pay Rates.yaml": strings.Replace(goodEntry, "id: pay", "id: Pay Rates", 1)},
			want:  []string{"entries/Pay Rates.yaml: id", "not a valid id"},
		},
		"no sources file": {
			files: map[string]string{"entries/pay.yaml": goodEntry},
			want:  []string{"sources.yaml: missing"},
		},
		"broken yaml": {
			files: map[string]string{"sources.yaml": goodSources, "entries/pay.yaml": "id: [unclosed\n"},
			want:  []string{"entries/pay.yaml", "line"},
		},
		"no entries": {
			files: map[string]string{"sources.yaml": goodSources},
			want:  []string{"entries: no entries"},
		},
		"bad lexicon": {
			files: map[string]string{"sources.yaml": goodSources, "entries/pay.yaml": goodEntry, "lexicon.yaml": "synonyms:\n  a b c d: x\n"},
			want:  []string{"lexicon.yaml: synonyms.a b c d"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for p, body := range tc.files {
				fsys[p] = &fstest.MapFile{Data: []byte(body)}
			}
			kb, err := Load(fsys)
			if len(tc.want) == 0 {
				if err != nil || kb.Entry("pay") == nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Load accepted a bad knowledge base")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestAnswersDoNotOverstateTheSources checks the answers against what
// the news reports say and do not say.
func TestAnswersDoNotOverstateTheSources(t *testing.T) {
	kb := loadDefault(t)
	answer := func(id string) string { return kb.Entry(id).Answer }
	// The package was rejected: no answer may read its terms as in force.
	for _, id := range []string{"wage-freeze", "raises", "job-security", "pension", "retirement-age", "health-care", "wellness-program", "cost-saving-committees"} {
		if !strings.Contains(answer(id), "not ratified") {
			t.Errorf("%s describes the deal's terms without saying the package was not ratified", id)
		}
	}
	for _, tc := range []struct {
		id        string
		has, lack []string
	}{
		// The letter says P-4's existing contract cannot be changed unless
		// P-4 negotiates it; the reports do not say why there was one
		// ballot, and the writers were few of P-4's 2,600 members.
		{id: "single-ballot", has: []string{"cannot be changed unless P-4", "do not explain why there was one ballot", "2,600"}},
		// The reports disagree on what the 80 percent is of.
		{id: "ratification-rules", has: []string{"all unionized state employees", "80 percent of the voting members", "57 percent"}},
		// The legislature may change the governor's proposed cuts, and the
		// reports do not say what the percentages measure.
		{id: "rescission-authority", has: []string{"legislature", "change them", "do not say what the percentages"}, lack: []string{"by himself", "10 percent of the budget"}},
		// The petition in the reports was against a re-vote; nothing was
		// announced as of July 2011.
		{id: "revote", has: []string{"As of the July 2011 reports, no new vote", "against a re-vote"}},
		{id: "wage-freeze", has: []string{"negotiated by each bargaining unit", "July 1"}},
		{id: "job-security", has: []string{"each union to negotiate", "July 1"}},
		{id: "health-care", has: []string{"give no details", "steward"}},
		{id: "wellness-program", has: []string{"employee wellness program"}, lack: []string{"health enhancement", "Health enhancement"}},
		// Facts the reports give that members ask about.
		{id: "vote-result", has: []string{"P-2", "1,635 to 1,485"}},
		{id: "renegotiation", has: []string{"chief labor negotiator"}},
		{id: "layoffs", has: []string{"Office of Policy and Management", "6,500", "6,700", "1,000 vacant", "7,500 over two years"}},
	} {
		a := answer(tc.id)
		for _, s := range tc.has {
			if !strings.Contains(a, s) {
				t.Errorf("%s: answer lacks %q", tc.id, s)
			}
		}
		for _, s := range tc.lack {
			if strings.Contains(a, s) || strings.Contains(kb.Entry(tc.id).Question, s) {
				t.Errorf("%s: says %q", tc.id, s)
			}
		}
	}
}

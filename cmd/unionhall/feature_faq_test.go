package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/faq"
	"github.com/unionhall/unionhall/faq/faqtest"
)

func TestConsoleFAQ(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{
		"UNIONHALL_STEWARDS":        "console:steve",
		"UNIONHALL_STEWARD_CONTACT": "Call the union hall at 555-0100.",
	}
	lines := runConsole(t, dir, vars,
		"alice> /faq is there a wage freeze?",
		"alice> is the retirment age going up", // free text, as in a DM
		"alice> /faq feedback retirement-age helpful",
		"bob> what's the weather like tomorrow",
		"bob> /faq gaps",
		"steve> /faq gaps",
		`steve> /faq add wage-freeze "is the thingamajig stuck"`,
		"carol> /faq",
		"carol> <@U123> 🎉",
	)
	if len(lines) != 9 {
		t.Fatalf("got %d replies, want 9: %+v", len(lines), lines)
	}
	check := func(i int, user, want string) {
		t.Helper()
		if lines[i].User != user || !strings.Contains(lines[i].Text, want) {
			t.Errorf("reply %d = %+v, want user %s and text containing %q", i, lines[i], user, want)
		}
	}
	check(0, "alice", "two-year wage freeze")
	if c := lines[0].Card; c == nil || !strings.HasPrefix(c.Footer, "Source: ") || len(c.Buttons) != 2 ||
		c.Buttons[0].Command != "/faq feedback wage-freeze helpful" || c.Buttons[1].Label != "Not helpful" {
		t.Errorf("answer card %+v", lines[0].Card)
	}
	check(1, "alice", "retirement age")
	check(2, "alice", "Thanks")
	check(3, "bob", "555-0100")
	check(4, "bob", "Only stewards")
	check(5, "steve", "weather like tomorrow")
	check(6, "steve", "Added")
	check(7, "carol", "Ask me a question")
	check(8, "carol", "couldn't find a question")

	// After a restart the added phrasing still answers, and the
	// feedback and the unanswered question are counted.
	lines = runConsole(t, dir, vars, "dave> is the thingamajig stuck", "steve> /faq gaps")
	if len(lines) != 2 || !strings.Contains(lines[0].Text, "two-year wage freeze") {
		t.Fatalf("after restart: %+v", lines)
	}
	if !strings.Contains(lines[1].Text, "retirement-age: 1 helpful, 0 not helpful") {
		t.Errorf("gaps after restart: %q", lines[1].Text)
	}

	// No member name or ID is stored in the FAQ's tables.
	db, err := sql.Open("sqlite3", filepath.Join(dir, "unionhall.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"faq_feedback", "faq_unanswered", "faq_phrasings"} {
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			n++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				s, _ := v.(string)
				for _, name := range []string{"alice", "bob", "steve", "console:"} {
					if strings.Contains(s, name) {
						t.Errorf("%s.%s holds %q", table, cols[i], s)
					}
				}
			}
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s is empty", table)
		}
	}
}

func TestAskJSON(t *testing.T) {
	dir := t.TempDir()
	in := "so no pay bump for 2 yrs??\nwhat is the capital of France\n\n"
	code, out, errOut := runMain(dir, nil, in, "ask", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		for _, k := range []string{"question", "id", "confidence", "answer", "suggestions"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %q lacks %q", line, k)
			}
		}
		got = append(got, m)
	}
	if len(got) != 3 || got[0]["id"] != "wage-freeze" || got[1]["id"] != "" || got[2]["id"] != "" || got[0]["question"] != "so no pay bump for 2 yrs??" {
		t.Fatalf("answers %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "unionhall.db")); err == nil {
		t.Error("ask created a database")
	}

	code, out, _ = runMain(dir, nil, "", "ask", "how many unions have to ratify?")
	if code != 0 || !strings.Contains(out, "14 of the 15") || !strings.Contains(out, "Source: ") {
		t.Errorf("ask: exit %d, %q", code, out)
	}
}

func TestFAQEval(t *testing.T) {
	code, out, errOut := runMain(t.TempDir(), nil, "", "faq", "eval", "../../faq/testdata/dev-questions.tsv", "--baseline")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"72 in-scope questions, 15 out-of-scope", "matcher", "BM25 baseline", "P@1 (in scope)", "MRR", "false-answer rate", "Misses of the BM25 baseline"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
	for _, args := range [][]string{{"faq"}, {"faq", "eval"}, {"faq", "eval", "nosuch.tsv"}, {"faq", "eval", "a.tsv", "--frob"}} {
		if code, _, errOut := runMain(t.TempDir(), nil, "", args...); code != 1 || !strings.Contains(errOut, "faq") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

func TestKBDirIsValidated(t *testing.T) {
	kbDir := t.TempDir()
	os.MkdirAll(filepath.Join(kbDir, "entries"), 0o700)
	os.WriteFile(filepath.Join(kbDir, "sources.yaml"), []byte("sources:\n  - id: handbook\n    title: Member handbook\n"), 0o600)
	os.WriteFile(filepath.Join(kbDir, "entries", "dues.yaml"), []byte("id: dues\ntopic: Dues\nquestion: How much are dues?\nanswer: Two hours of pay a month.\nsources: [handbook, nosuch]\n"), 0o600)
	vars := map[string]string{"UNIONHALL_KB_DIR": kbDir}
	if code, _, errOut := runMain(t.TempDir(), vars, "", "console"); code != 1 || !strings.Contains(errOut, "entries/dues.yaml: sources[1]") {
		t.Fatalf("bad knowledge base: exit %d, %q", code, errOut)
	}
	// Fixed, the union's own knowledge base answers instead of the default.
	os.WriteFile(filepath.Join(kbDir, "entries", "dues.yaml"), []byte("id: dues\ntopic: Dues\nquestion: How much are dues?\nalternates: [What do members pay the union each month]\nanswer: Two hours of pay a month.\nsources: [handbook]\n"), 0o600)
	lines := runConsole(t, t.TempDir(), vars, "how much are union dues", "is there a wage freeze")
	if len(lines) != 2 || !strings.Contains(lines[0].Text, "Two hours of pay") || !strings.Contains(lines[1].Text, "rather not guess") {
		t.Fatalf("own knowledge base: %+v", lines)
	}
}

// TestConsoleCommandWithoutSlash checks the wiring of the FAQ to the
// router's commands: a command typed without its slash gets a hint and
// casts no vote, while a question that starts with a command's name, and
// small talk, are handled by the FAQ.
func TestConsoleCommandWithoutSlash(t *testing.T) {
	dir := t.TempDir()
	lines := runConsole(t, dir, map[string]string{"UNIONHALL_STEWARDS": "console:steve"},
		"alice> vote 1 yes",
		"alice> poll results 3",
		"alice> remind list",
		"alice> help",
		"alice> vote count?",
		"alice> hello",
	)
	if len(lines) != 6 {
		t.Fatalf("got %d replies, want 6: %+v", len(lines), lines)
	}
	for i, cmd := range []string{"vote 1 yes", "poll results 3", "remind list", "help"} {
		want := "Did you mean `/" + cmd + "`? Commands start with a slash."
		if lines[i].Text != want || !lines[i].Private || lines[i].Card != nil {
			t.Errorf("%q: %+v, want the private hint %q", cmd, lines[i], want)
		}
	}
	if c := lines[4].Card; c == nil || !strings.HasPrefix(c.Key, "faq:vote-result:") {
		t.Errorf("vote count?: %+v, want the vote-result answer", lines[4])
	}
	if !strings.HasPrefix(lines[5].Text, "Hello!") || lines[5].Card != nil {
		t.Errorf("hello: %+v", lines[5])
	}
}

// TestFAQTrain trains the classifier on a copy of the default knowledge
// base and checks that the knowledge base then loads it as its own.
func TestFAQTrain(t *testing.T) {
	kbDir := t.TempDir()
	if err := os.CopyFS(kbDir, faq.DefaultFS()); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(kbDir, faq.ModelFile))
	code, out, errOut := runMain(t.TempDir(), nil, "", "faq", "train", kbDir)
	if code != 0 || !strings.Contains(out, "wrote "+filepath.Join(kbDir, faq.ModelFile)) {
		t.Fatalf("faq train: exit %d, %q %q", code, out, errOut)
	}
	kb, err := faq.Load(os.DirFS(kbDir))
	if err != nil || kb.Model == nil || !kb.Model.Fits(kb) {
		t.Fatalf("trained knowledge base: %v", err)
	}
	// Without phrasings there is nothing to train on; without a
	// directory, nothing to write to.
	os.RemoveAll(filepath.Join(kbDir, faq.PhrasingsDir))
	for _, args := range [][]string{{"faq", "train", kbDir}, {"faq", "train"}} {
		if code, _, errOut := runMain(t.TempDir(), nil, "", args...); code != 1 || !strings.Contains(errOut, "faq train") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

// TestFAQEvalValidation measures the matcher on the held-apart training
// phrasings with a classifier trained on the rest.
func TestFAQEvalValidation(t *testing.T) {
	code, out, errOut := runMain(t.TempDir(), nil, "", "faq", "eval", "--validation", "--baseline")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"validation phrasings (one in five", "answered or suggested (in scope)", "wrong-answer rate (in scope)", "BM25 baseline"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval --validation output lacks %q:\n%.600s", want, out)
		}
	}
	if code, _, _ := runMain(t.TempDir(), nil, "", "faq", "eval", "--validation", "a.tsv"); code != 1 {
		t.Errorf("a file and --validation: exit %d", code)
	}
}

// TestStewardContactSetting checks that an abstention points to the
// configured steward contact, and reads as well without one.
func TestStewardContactSetting(t *testing.T) {
	for contact, want := range map[string]string{
		"Call the union hall at 555-0100.": "talk to your steward. Call the union hall at 555-0100.",
		"":                                 "talk to your steward. " + faq.DefaultContact,
	} {
		lines := runConsole(t, t.TempDir(), map[string]string{"UNIONHALL_STEWARD_CONTACT": contact}, "alice> what's the weather like tomorrow")
		if len(lines) != 1 || !strings.Contains(lines[0].Text, want) {
			t.Errorf("contact %q: %+v, want %q", contact, lines, want)
		}
	}
}

// agreementKBDir writes the default knowledge base with the sample side
// letter and the sample agreement, copies times over and renumbered (see
// faqtest.LongAgreement), in its documents folder, and returns its
// directory.
func agreementKBDir(tb testing.TB, copies int) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "kb")
	if err := os.CopyFS(dir, faq.DefaultFS()); err != nil {
		tb.Fatal(err)
	}
	docs := filepath.Join(dir, faq.DocumentsDir)
	if err := os.MkdirAll(docs, 0o700); err != nil {
		tb.Fatal(err)
	}
	for name, long := range map[string]bool{"agreement.md": true, "side-letter-overtime.txt": false} {
		text, err := os.ReadFile("../../faq/testdata/documents/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		if long {
			text = []byte(faqtest.LongAgreement(string(text), copies))
		}
		if err := os.WriteFile(filepath.Join(docs, name), text, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestAskJSONReportsAPassageAnswer(t *testing.T) {
	vars := map[string]string{"UNIONHALL_KB_DIR": agreementKBDir(t, 1)}
	code, out, errOut := runMain(t.TempDir(), vars, "do i get paid for jury duty\nso no pay bump for 2 yrs??\nis there a labor management committee\n", "ask", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %s", len(lines), out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got["outcome"] != "passage" || got["id"] != "" || got["citation"] != "Article 15, Section 15.8 (Jury Duty and Court Leave)" ||
		!strings.Contains(got["passage"].(string), "An employee summoned for jury duty") {
		t.Errorf("passage answer: %s", lines[0])
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &entry); err != nil {
		t.Fatal(err)
	}
	if entry["outcome"] != "answer" || entry["id"] != "wage-freeze" || entry["citation"] != nil || entry["passage"] != nil || entry["beside"] != nil {
		t.Errorf("entry answer: %s", lines[1])
	}
	// An entry's answer names the passage shown beside it.
	var beside map[string]any
	if err := json.Unmarshal([]byte(lines[2]), &beside); err != nil {
		t.Fatal(err)
	}
	if beside["outcome"] != "answer" || beside["id"] != "cost-saving-committees" || beside["beside"] != "Article 22, Section 22.1 (Statewide and Facility Committees)" {
		t.Errorf("entry answer with a passage beside it: %s", lines[2])
	}
}

func TestConsoleQuotesTheAgreement(t *testing.T) {
	vars := map[string]string{"UNIONHALL_KB_DIR": agreementKBDir(t, 1)}
	lines := runConsole(t, t.TempDir(), vars, "do i get paid for jury duty")
	if len(lines) != 1 {
		t.Fatalf("got %d replies: %+v", len(lines), lines)
	}
	text := lines[0].Text
	if !strings.HasPrefix(text, `Article 15, Section 15.8 (Jury Duty and Court Leave): "An employee summoned for jury duty`) ||
		!strings.HasSuffix(text, "\n"+faq.PassageNote) {
		t.Errorf("reply %q", text)
	}
}

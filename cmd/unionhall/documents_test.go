package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/faq"
)

// agreementKBDir writes the default knowledge base with the sample
// agreement in its documents folder, and returns its directory.
func agreementKBDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "kb")
	if err := os.CopyFS(dir, faq.DefaultFS()); err != nil {
		t.Fatal(err)
	}
	agreement, err := os.ReadFile("../../faq/testdata/documents/agreement.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, faq.DocumentsDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, faq.DocumentsDir, "agreement.md"), agreement, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestAskJSONReportsAPassageAnswer(t *testing.T) {
	vars := map[string]string{"UNIONHALL_KB_DIR": agreementKBDir(t)}
	code, out, errOut := runMain(t.TempDir(), vars, "do i get paid for jury duty\nso no pay bump for 2 yrs??\n", "ask", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2: %s", len(lines), out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got["outcome"] != "passage" || got["id"] != "" || got["citation"] != "Article 15, Section 15.8 (Jury Duty and Court Leave)" ||
		!strings.Contains(got["passage"].(string), "**An employee summoned for jury duty") {
		t.Errorf("passage answer: %s", lines[0])
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &entry); err != nil {
		t.Fatal(err)
	}
	if entry["outcome"] != "answer" || entry["id"] != "wage-freeze" || entry["citation"] != nil || entry["passage"] != nil {
		t.Errorf("entry answer: %s", lines[1])
	}
}

func TestConsoleQuotesTheAgreement(t *testing.T) {
	vars := map[string]string{"UNIONHALL_KB_DIR": agreementKBDir(t)}
	lines := runConsole(t, t.TempDir(), vars, "do i get paid for jury duty")
	if len(lines) != 1 {
		t.Fatalf("got %d replies: %+v", len(lines), lines)
	}
	text := lines[0].Text
	if !strings.HasPrefix(text, `Article 15, Section 15.8 (Jury Duty and Court Leave): "**An employee summoned for jury duty`) ||
		!strings.HasSuffix(text, `" `+faq.PassageNote) {
		t.Errorf("reply %q", text)
	}
}

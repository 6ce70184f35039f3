package faq

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// withDocuments returns the default knowledge base's files with extra
// files added, such as documents/agreement.md.
func withDocuments(tb testing.TB, extra map[string]string) fstest.MapFS {
	tb.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(DefaultFS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(DefaultFS(), name)
		fsys[name] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	for name, body := range extra {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// readDocument reads one of the sample documents in testdata/documents.
func readDocument(tb testing.TB, name string) string {
	tb.Helper()
	data, err := os.ReadFile("testdata/documents/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// agreementKB is the default knowledge base with the sample agreement and
// side letter in its documents folder.
func agreementKB(tb testing.TB) *KB {
	tb.Helper()
	kb, err := Load(withDocuments(tb, map[string]string{
		DocumentsDir + "/agreement.md":             readDocument(tb, "agreement.md"),
		DocumentsDir + "/side-letter-overtime.txt": readDocument(tb, "side-letter-overtime.txt"),
	}))
	if err != nil {
		tb.Fatal(err)
	}
	return kb
}

func TestLoadReadsDocuments(t *testing.T) {
	kb := agreementKB(t)
	if len(kb.Passages) < 100 {
		t.Fatalf("%d passages from the sample agreement, want at least 100", len(kb.Passages))
	}
	found := false
	for _, p := range kb.Passages {
		found = found || p.Citation() == "Article 13, Section 13.3 (Filing)"
	}
	if !found {
		t.Error("no passage cited as Article 13, Section 13.3 (Filing)")
	}
	if def := loadDefault(t); len(def.Passages) != 0 {
		t.Errorf("the default knowledge base has %d passages, want none", len(def.Passages))
	}
}

func TestLoadReportsDocumentErrorsWithTheOthers(t *testing.T) {
	fsys := withDocuments(t, map[string]string{
		DocumentsDir + "/agreement.md":    readDocument(t, "agreement.md"),
		DocumentsDir + "/side-letter.txt": "SIDE LETTER\n\nfine line\nbad \xff line\n",
		DocumentsDir + "/old.docx":        "PK",
		"entries/broken.yaml":             "id: [unclosed\n",
	})
	_, err := Load(fsys)
	if err == nil {
		t.Fatal("Load accepted documents it cannot read")
	}
	for _, want := range []string{"documents/side-letter.txt:4:", "not UTF-8", "documents/old.docx", "entries/broken.yaml"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

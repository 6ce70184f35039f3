package passages

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// fakePDF reads "PDF" files that hold their text, standing in for
// pdftotext.
func fakePDF(pdf []byte) (string, error) {
	if strings.HasPrefix(string(pdf), "%broken") {
		return "", errors.New("Syntax Error: Couldn't find trailer dictionary")
	}
	return strings.TrimPrefix(string(pdf), "%PDF\n"), nil
}

func TestLoadReadsDocumentsInPathOrder(t *testing.T) {
	fsys := fstest.MapFS{
		"documents/z-side-letter.md":  {Data: []byte("# Side letter on parking\n\n1. Employees may park in Lot C.\n")},
		"documents/agreement.pdf":     {Data: []byte("%PDF\n\fARTICLE 7 - OVERTIME\n\n   Section 7.2 Overtime Pay\n\n     Overtime is paid at time and a half.\n")},
		"documents/b/nested.txt":      {Data: []byte("A note kept in a folder.\n")},
		"documents/logo.png":          {Data: []byte{0x89, 'P', 'N', 'G'}},
		"documents/README":            {Data: []byte("not a document")},
		"documents/ReadMe.md":         {Data: []byte("# What this folder holds\n\nThe agreement and its side letters.\n")},
		"entries/pension.yaml":        {Data: []byte("id: pension\n")},
		"documents/a-memo.TXT":        {Data: []byte("Upper-case extensions count too.\n")},
		"documents/c-agreement.md":    {Data: []byte(readFixture(t, "agreement.md"))},
		"documents/d-overtime-old.md": {Data: []byte("Old text.\n")},
	}
	var runs int
	opts := Options{PDF: func(pdf []byte) (string, error) { runs++; return fakePDF(pdf) }}
	first, err := Load(fsys, "documents", opts)
	if err != nil {
		t.Fatal(err)
	}
	if runs != 1 {
		t.Errorf("the PDF converter ran %d times, want once", runs)
	}
	var files []string
	for _, p := range first {
		if len(files) == 0 || files[len(files)-1] != p.File {
			files = append(files, p.File)
		}
	}
	want := []string{"documents/a-memo.TXT", "documents/agreement.pdf", "documents/b/nested.txt", "documents/c-agreement.md", "documents/d-overtime-old.md", "documents/z-side-letter.md"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("files %q, want %q", files, want)
	}
	var pdf Passage
	for _, p := range first {
		if p.File == "documents/agreement.pdf" {
			pdf = p
		}
	}
	if pdf.Citation() != "Article 7, Section 7.2 (Overtime Pay)" || pdf.Text != "Overtime is paid at time and a half." || pdf.Line != 3 {
		t.Errorf("PDF passage: %q %q line %d", pdf.Citation(), pdf.Text, pdf.Line)
	}
	again, err := Load(fsys, "documents", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(first) {
		t.Fatalf("second load: %d passages, first %d", len(again), len(first))
	}
	for i := range first {
		if again[i].Citation() != first[i].Citation() || again[i].Text != first[i].Text || again[i].File != first[i].File {
			t.Errorf("passage %d differs between loads", i)
		}
	}
}

func TestLoadReportsEveryBadFileWithItsLine(t *testing.T) {
	latin1 := []byte("Section 1.1 Pay\n\nFirst line.\nCaf\xe9 workers are paid weekly.\n")
	fsys := fstest.MapFS{
		"documents/agreement.docx": {Data: []byte("PK")},
		"documents/letter.doc":     {Data: []byte("\xd0\xcf")},
		"documents/broken.pdf":     {Data: []byte("%broken")},
		"documents/empty.md":       {Data: []byte(" \n\n")},
		"documents/scanned.pdf":    {Data: []byte("%PDF\n\f\f")},
		"documents/huge.txt":       {Data: []byte(strings.Repeat("x", 2000))},
		"documents/latin1.txt":     {Data: latin1},
		"documents/ok.md":          {Data: []byte("Section 2.1 Hours\n\nThe work week is thirty-five hours.\n")},
	}
	ps, err := Load(fsys, "documents", Options{MaxFileBytes: 1000, PDF: fakePDF})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"documents/agreement.docx: Word documents cannot be read; save it as PDF or text",
		"documents/letter.doc: Word documents cannot be read; save it as PDF or text",
		"documents/broken.pdf: reading PDF: Syntax Error",
		"documents/empty.md: the document has no text",
		"documents/scanned.pdf: the PDF has no text",
		"documents/huge.txt: the file is 2000 bytes, over the limit of 1000",
		"documents/latin1.txt:4: the text is not UTF-8; save the document as UTF-8 text",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if len(ps) != 1 || ps[0].File != "documents/ok.md" {
		t.Errorf("the readable document's passages: %+v", ps)
	}
}

func TestLoadMissingDirectory(t *testing.T) {
	_, err := Load(fstest.MapFS{}, "documents", Options{})
	if err == nil || !strings.Contains(err.Error(), "documents") {
		t.Errorf("err = %v", err)
	}
}

const noPDFTool = "documents/agreement.pdf: reading PDF needs pdftotext (Debian: apt install poppler-utils); install it or save the document as text"

func TestLoadPDFWithoutPdftotext(t *testing.T) {
	fsys := fstest.MapFS{"documents/agreement.pdf": {Data: []byte("%PDF")}}
	for name, conv := range map[string]PDFConverter{
		"converter says so": func([]byte) (string, error) { return "", ErrNoPDFTool },
		"not on PATH":       nil, // the default, PDFToText, with an empty PATH
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			_, err := Load(fsys, "documents", Options{PDF: conv})
			if err == nil || err.Error() != noPDFTool {
				t.Errorf("err = %v\nwant %s", err, noPDFTool)
			}
		})
	}
}

func TestPDFToTextRunsPdftotextWithLayout(t *testing.T) {
	bin := t.TempDir()
	// A stand-in pdftotext that prints its input file when called as
	// "pdftotext -layout FILE -", and fails otherwise.
	script := "#!/bin/sh\n[ \"$1\" = -layout ] && [ \"$3\" = - ] && [ $# -eq 3 ] || { echo \"bad arguments: $*\" >&2; exit 99; }\ncat \"$2\"\n"
	if err := os.WriteFile(filepath.Join(bin, "pdftotext"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	got, err := PDFToText([]byte("ARTICLE 7 - OVERTIME\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got != "ARTICLE 7 - OVERTIME\n" {
		t.Errorf("text = %q", got)
	}

	failing := "#!/bin/sh\necho 'Syntax Error: damaged file' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "pdftotext"), []byte(failing), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := PDFToText([]byte("x")); err == nil || !strings.Contains(err.Error(), "Syntax Error: damaged file") || errors.Is(err, ErrNoPDFTool) {
		t.Errorf("err = %v", err)
	}
}

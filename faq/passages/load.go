package passages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMaxFileBytes is the largest document Load reads: a long agreement
// is well under 1 MB of text, so anything past 5 MB is most likely the
// wrong file.
const DefaultMaxFileBytes = 5 << 20

// pdfTimeout bounds one run of pdftotext, so that a damaged PDF cannot
// hang loading the knowledge base.
const pdfTimeout = time.Minute

// ErrNoPDFTool is what a PDFConverter returns when the program it needs to
// read PDF is not installed; Load turns it into a sentence telling the
// steward what to install.
var ErrNoPDFTool = errors.New("pdftotext is not installed")

// PDFConverter reads the text of a PDF document, laid out as on its pages.
// It is an Options field so that tests, and installations with another
// converter, can supply their own.
type PDFConverter func(pdf []byte) (string, error)

// Options tunes how documents are split and read; the zero value means the
// defaults.
type Options struct {
	// MaxChars is the longest passage in characters (DefaultMaxChars).
	MaxChars int
	// MinChars is the length under which a clause is joined to the next
	// one under the same heading (DefaultMinChars).
	MinChars int
	// ClauseByClause splits a section into its clauses even when the
	// whole section fits within MaxChars. By default such a section is
	// one passage, so that a member asking about one of its rules sees
	// the rules beside it.
	ClauseByClause bool
	// MaxFileBytes is the largest file Load reads (DefaultMaxFileBytes).
	MaxFileBytes int64
	// PDF reads PDF documents (PDFToText, which runs pdftotext).
	PDF PDFConverter
}

// withDefaults fills the fields left zero.
func (o Options) withDefaults() Options {
	if o.MaxChars <= 0 {
		o.MaxChars = DefaultMaxChars
	}
	if o.MinChars <= 0 {
		o.MinChars = DefaultMinChars
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.PDF == nil {
		o.PDF = PDFToText
	}
	return o
}

// PDFToText reads a PDF with poppler's pdftotext ("pdftotext -layout FILE
// -"), found on PATH when it is called, returning ErrNoPDFTool when it is
// not installed. The PDF is written to a temporary file because the
// documents may come from an embedded file system.
func PDFToText(pdf []byte) (string, error) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoPDFTool, err)
	}
	tmp, err := os.CreateTemp("", "unionhall-*.pdf")
	if err != nil {
		return "", fmt.Errorf("writing the PDF for pdftotext: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(pdf); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing the PDF for pdftotext: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing the PDF for pdftotext: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), pdfTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, "-layout", tmp.Name(), "-")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("pdftotext: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// Load reads every Markdown (".md"), text (".txt") and PDF (".pdf")
// document under dir in fsys, in the order of their paths so that the
// passages come out the same every time, and splits each with Split. Other
// files, and README files describing the folder, are skipped, except Word
// documents, which get an error asking for
// PDF or text. Every problem found is returned (joined), each naming its
// file and, where there is one, its line; the passages of the readable
// documents are returned with them.
func Load(fsys fs.FS, dir string, opts Options) ([]Passage, error) {
	opts = opts.withDefaults()
	var all []Passage
	var errs []error
	walkErr := fs.WalkDir(fsys, dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		ps, err := loadFile(fsys, name, d, opts)
		if err != nil {
			errs = append(errs, err)
		}
		all = append(all, ps...)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, fmt.Errorf("reading %s: %w", dir, walkErr))
	}
	return all, errors.Join(errs...)
}

// loadFile reads and splits one document; files of other kinds give no
// passages and no error.
func loadFile(fsys fs.FS, name string, d fs.DirEntry, opts Options) ([]Passage, error) {
	ext := strings.ToLower(path.Ext(name))
	if base := strings.ToLower(path.Base(name)); strings.TrimSuffix(base, ext) == "readme" {
		// A README says what the folder holds; quoting it as the
		// union's agreement would mislead.
		return nil, nil
	}
	switch ext {
	case ".md", ".txt", ".pdf":
	case ".doc", ".docx":
		return nil, fmt.Errorf("%s: Word documents cannot be read; save it as PDF or text", name)
	default:
		return nil, nil
	}
	info, err := d.Info()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if info.Size() > opts.MaxFileBytes {
		return nil, fmt.Errorf("%s: the file is %d bytes, over the limit of %d; is it the right document?", name, info.Size(), opts.MaxFileBytes)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	text := string(data)
	if ext == ".pdf" {
		text, err = opts.PDF(data)
		if errors.Is(err, ErrNoPDFTool) {
			return nil, fmt.Errorf("%s: reading PDF needs pdftotext (Debian: apt install poppler-utils); install it or save the document as text", name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: reading PDF: %w", name, err)
		}
	}
	if line, ok := invalidUTF8Line(text); !ok {
		return nil, fmt.Errorf("%s:%d: the text is not UTF-8; save the document as UTF-8 text", name, line)
	}
	ps := Split(name, text, opts)
	if len(ps) == 0 && ext == ".pdf" {
		return nil, fmt.Errorf("%s: the PDF has no text (a scanned page is a picture of text); save the document as text", name)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%s: the document has no text", name)
	}
	return ps, nil
}

// invalidUTF8Line reports the first line holding bytes that are not UTF-8,
// and false, or true when the whole text is UTF-8.
func invalidUTF8Line(text string) (int, bool) {
	if utf8.ValidString(text) {
		return 0, true
	}
	for i, l := range strings.Split(text, "\n") {
		if !utf8.ValidString(l) {
			return i + 1, false
		}
	}
	return 0, false
}

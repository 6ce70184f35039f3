package faq

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/unionhall/unionhall/faq/passages"
	"gopkg.in/yaml.v3"
)

// The knowledge base directory layout. Another union's knowledge base
// directory has the same layout.
const (
	// SourcesFile lists the source documents answers cite.
	SourcesFile = "sources.yaml"
	// LexiconFile optionally lists the union's own words and phrases.
	LexiconFile = "lexicon.yaml"
	// EntriesDir holds one YAML file per entry, named after the entry's id.
	EntriesDir = "entries"
	// PhrasingsDir optionally holds training phrasings: files of lines
	// "<entry id>\t<phrasing>", with OutOfScope as the id of messages no
	// entry answers. The classifier learns from them; members never see
	// them.
	PhrasingsDir = "phrasings"
	// DocumentsDir optionally holds the union's own documents (agreement,
	// side letters) in Markdown, text or PDF; questions no entry answers
	// are answered by quoting a passage of them.
	DocumentsDir = "documents"
)

// Limits on knowledge base fields, so that one careless edit cannot make
// answers unreadable in chat.
const (
	maxQuestionLen = 200
	maxAnswerLen   = 2000
	maxPhrasingLen = 200
	maxEntries     = 20000
)

//go:embed kb
var defaultKB embed.FS

// DefaultFS returns the embedded default knowledge base (the 2011 SEBAC
// agreement), in the layout Load reads.
func DefaultFS() fs.FS {
	sub, err := fs.Sub(defaultKB, "kb")
	if err != nil {
		panic("faq: embedded knowledge base missing: " + err.Error()) // cannot happen: checked by go:embed
	}
	return sub
}

// Entry is one question the knowledge base answers.
type Entry struct {
	// ID names the entry in evaluation files, buttons and commands, e.g.
	// "wage-freeze".
	ID string `yaml:"id"`
	// Topic is a short label for topic lists and buttons.
	Topic string `yaml:"topic"`
	// Question is the canonical question, shown as the answer's title.
	Question string `yaml:"question"`
	// Alternates are other ways members ask the same question.
	Alternates []string `yaml:"alternates"`
	// Keywords are words and short phrases the entry is about.
	Keywords []string `yaml:"keywords"`
	// Answer is the plain-language answer.
	Answer string `yaml:"answer"`
	// Sources are the ids of the source documents the answer rests on.
	Sources []string `yaml:"sources"`
}

// Source is a document that answers cite.
type Source struct {
	// ID is the short name entries refer to.
	ID string `yaml:"id"`
	// Publisher is who published the document.
	Publisher string `yaml:"publisher"`
	// Title says what the document is.
	Title string `yaml:"title"`
	// Date is when it was published, as precisely as known.
	Date string `yaml:"date"`
	// File is the document's file name in the union's archive, if any.
	File string `yaml:"file"`
}

// Citation is the source as members see it: "Publisher, Title (Date)".
func (s Source) Citation() string {
	c := s.Title
	if s.Publisher != "" {
		c = s.Publisher + ", " + c
	}
	if s.Date != "" {
		c += " (" + s.Date + ")"
	}
	return c
}

// KB is a loaded, validated knowledge base. It is not changed after
// loading; phrasings that stewards add are kept by the Matcher.
type KB struct {
	// Entries are in id order.
	Entries []*Entry
	// Sources are keyed by id.
	Sources map[string]Source
	// Lexicon maps a word or phrase members use to the words the
	// knowledge base uses for it (the union's own part of the lexicon).
	Lexicon map[string]string
	// Phrasings are the training phrasings from PhrasingsDir, file by
	// file in name order: many ways members ask for each entry, and
	// messages that no entry answers (Want is OutOfScope).
	Phrasings []Labeled
	// Model is the classifier stored in ModelFile, if there is one. A
	// Matcher uses it only if it fits the knowledge base (Model.Fits).
	Model *Model
	// Passages are the passages of the documents in DocumentsDir, in the
	// order of their files and lines; none when there is no such folder.
	Passages []passages.Passage

	byID map[string]*Entry
}

// Entry returns the entry with the given id, or nil.
func (kb *KB) Entry(id string) *Entry { return kb.byID[id] }

// Citation returns the "Source: ..." line for an entry.
func (kb *KB) Citation(e *Entry) string {
	parts := make([]string, 0, len(e.Sources))
	for _, id := range e.Sources {
		parts = append(parts, kb.Sources[id].Citation())
	}
	return "Source: " + strings.Join(parts, "; ")
}

// LoadError is a problem in one knowledge base file.
type LoadError struct {
	// File is the path within the knowledge base directory.
	File string
	// Field is the field at fault, e.g. "alternates[2]", or "" when the
	// file as a whole is at fault.
	Field string
	// Problem says what is wrong.
	Problem string
}

// Error implements error as "file: field: problem".
func (e *LoadError) Error() string {
	if e.Field == "" {
		return e.File + ": " + e.Problem
	}
	return e.File + ": " + e.Field + ": " + e.Problem
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Load reads and validates a knowledge base from fsys: sources.yaml, an
// optional lexicon.yaml, and entries/<id>.yaml, one entry per file. Every
// problem found is reported (joined), each naming the file and field.
func Load(fsys fs.FS) (*KB, error) {
	kb := &KB{Sources: map[string]Source{}, Lexicon: map[string]string{}, byID: map[string]*Entry{}}
	// The documents are read beside the entries and the stored model: a
	// long agreement takes a while to split.
	type documents struct {
		passages []passages.Passage
		errs     []error
	}
	docs := make(chan documents, 1)
	go func() {
		ps, errs := loadDocuments(fsys)
		docs <- documents{ps, errs}
	}()
	var errs []error
	fail := func(file, field, format string, args ...any) {
		errs = append(errs, &LoadError{File: file, Field: field, Problem: fmt.Sprintf(format, args...)})
	}

	var sources struct {
		Sources []Source `yaml:"sources"`
	}
	if err := decodeFile(fsys, SourcesFile, &sources); err != nil {
		errs = append(errs, err)
	}
	for i, s := range sources.Sources {
		field := fmt.Sprintf("sources[%d]", i)
		switch {
		case !idPattern.MatchString(s.ID):
			fail(SourcesFile, field+".id", "%q is not a valid id (lower-case letters, digits and dashes)", s.ID)
			continue
		case kb.Sources[s.ID] != (Source{}):
			fail(SourcesFile, field+".id", "%q is listed twice", s.ID)
			continue
		case strings.TrimSpace(s.Title) == "":
			fail(SourcesFile, field+".title", "must not be empty")
		}
		kb.Sources[s.ID] = s
	}

	var lex struct {
		Synonyms map[string]string `yaml:"synonyms"`
	}
	if _, err := fs.Stat(fsys, LexiconFile); err == nil {
		if err := decodeFile(fsys, LexiconFile, &lex); err != nil {
			errs = append(errs, err)
		}
	}
	for k, v := range lex.Synonyms {
		key := strings.ToLower(strings.TrimSpace(k))
		if key == "" || strings.TrimSpace(v) == "" {
			fail(LexiconFile, "synonyms."+k, "needs a word or phrase and what it means")
			continue
		}
		if n := len(strings.Fields(key)); n > maxPhraseWords {
			fail(LexiconFile, "synonyms."+k, "phrases are at most %d words", maxPhraseWords)
			continue
		}
		kb.Lexicon[key] = strings.ToLower(v)
	}

	files, err := fs.Glob(fsys, EntriesDir+"/*.y*ml")
	if err != nil {
		return nil, fmt.Errorf("list knowledge base entries: %w", err)
	}
	if len(files) == 0 {
		fail(EntriesDir, "", "no entries (expected files such as %s/wage-freeze.yaml)", EntriesDir)
	}
	if len(files) > maxEntries {
		fail(EntriesDir, "", "%d entries; at most %d are supported", len(files), maxEntries)
		files = files[:maxEntries]
	}
	for _, f := range files {
		e := &Entry{}
		if err := decodeFile(fsys, f, e); err != nil {
			errs = append(errs, err)
			continue
		}
		before := len(errs)
		validateEntry(e, f, kb.Sources, fail)
		if len(errs) > before {
			continue
		}
		if other, dup := kb.byID[e.ID]; dup {
			fail(f, "id", "%q is also the id of another entry (%s)", e.ID, other.Topic)
			continue
		}
		kb.byID[e.ID] = e
		kb.Entries = append(kb.Entries, e)
	}
	if len(errs) == 0 {
		errs = kb.loadPhrasings(fsys)
	}
	if data, err := fs.ReadFile(fsys, ModelFile); err == nil {
		if kb.Model, err = readModel(data, kb.Lexicon); err != nil && !errors.Is(err, errOldModel) {
			errs = append(errs, &LoadError{File: ModelFile, Problem: err.Error()})
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, &LoadError{File: ModelFile, Problem: err.Error()})
	}
	d := <-docs
	errs = append(errs, d.errs...)
	kb.Passages = d.passages
	if len(errs) > 0 {
		return nil, fmt.Errorf("knowledge base: %w", errors.Join(errs...))
	}
	sort.Slice(kb.Entries, func(i, j int) bool { return kb.Entries[i].ID < kb.Entries[j].ID })
	return kb, nil
}

// loadPhrasings reads the training phrasings, if there are any, once the
// entries are known, so that a phrasing for an entry that does not exist
// is reported with its file and line.
func (kb *KB) loadPhrasings(fsys fs.FS) []error {
	files, err := fs.Glob(fsys, PhrasingsDir+"/*.tsv")
	if err != nil {
		return []error{fmt.Errorf("list training phrasings: %w", err)}
	}
	var errs []error
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, &LoadError{File: f, Problem: err.Error()})
			continue
		}
		if !utf8.Valid(data) {
			errs = append(errs, &LoadError{File: f, Problem: "is not UTF-8 text"})
			continue
		}
		set, err := ReadLabeled(bytes.NewReader(data), func(id string) bool { return kb.byID[id] != nil })
		if err != nil {
			errs = append(errs, &LoadError{File: f, Problem: err.Error()})
			continue
		}
		for _, p := range set {
			if utf8.RuneCountInString(p.Question) > maxPhrasingLen {
				errs = append(errs, &LoadError{File: f, Field: fmt.Sprintf("line %d", p.Line), Problem: fmt.Sprintf("is longer than %d characters", maxPhrasingLen)})
			}
		}
		kb.Phrasings = append(kb.Phrasings, set...)
	}
	return errs
}

// loadDocuments reads the passages of DocumentsDir when the knowledge
// base has one, returning each problem on its own (each already names its
// file and line) so that they are reported with the knowledge base's
// other problems.
func loadDocuments(fsys fs.FS) ([]passages.Passage, []error) {
	if _, err := fs.Stat(fsys, DocumentsDir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	ps, err := passages.Load(fsys, DocumentsDir, passages.Options{})
	if err == nil {
		return ps, nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return nil, joined.Unwrap()
	}
	return nil, []error{err}
}

// decodeFile decodes one YAML file strictly: unknown fields are errors, so
// a misspelt field name is reported rather than silently ignored.
func decodeFile(fsys fs.FS, name string, v any) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &LoadError{File: name, Problem: "missing"}
		}
		return &LoadError{File: name, Problem: err.Error()}
	}
	if !utf8.Valid(data) {
		return &LoadError{File: name, Problem: "is not UTF-8 text"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return &LoadError{File: name, Problem: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	return nil
}

func validateEntry(e *Entry, file string, sources map[string]Source, fail func(file, field, format string, args ...any)) {
	base := strings.TrimSuffix(strings.TrimSuffix(path.Base(file), ".yaml"), ".yml")
	e.ID = strings.TrimSpace(e.ID)
	switch {
	case e.ID == "":
		fail(file, "id", "must not be empty")
	case !idPattern.MatchString(e.ID):
		fail(file, "id", "%q is not a valid id (lower-case letters, digits and dashes)", e.ID)
	case e.ID != base:
		fail(file, "id", "%q does not match the file name (expected %s/%s.yaml)", e.ID, EntriesDir, e.ID)
	}
	e.Topic = strings.TrimSpace(e.Topic)
	if e.Topic == "" {
		fail(file, "topic", "must not be empty")
	} else if utf8.RuneCountInString(e.Topic) > 60 {
		fail(file, "topic", "is longer than 60 characters")
	}
	e.Question = strings.TrimSpace(e.Question)
	if e.Question == "" {
		fail(file, "question", "must not be empty")
	} else if utf8.RuneCountInString(e.Question) > maxQuestionLen {
		fail(file, "question", "is longer than %d characters", maxQuestionLen)
	}
	seen := map[string]bool{strings.ToLower(e.Question): true}
	for i, a := range e.Alternates {
		a = strings.TrimSpace(a)
		e.Alternates[i] = a
		field := fmt.Sprintf("alternates[%d]", i)
		switch {
		case a == "":
			fail(file, field, "must not be empty")
		case utf8.RuneCountInString(a) > maxPhrasingLen:
			fail(file, field, "is longer than %d characters", maxPhrasingLen)
		case seen[strings.ToLower(a)]:
			fail(file, field, "repeats another phrasing of this entry")
		}
		seen[strings.ToLower(a)] = true
	}
	for i, k := range e.Keywords {
		if strings.TrimSpace(k) == "" {
			fail(file, fmt.Sprintf("keywords[%d]", i), "must not be empty")
		}
	}
	e.Answer = strings.TrimSpace(e.Answer)
	if e.Answer == "" {
		fail(file, "answer", "must not be empty")
	} else if utf8.RuneCountInString(e.Answer) > maxAnswerLen {
		fail(file, "answer", "is longer than %d characters", maxAnswerLen)
	}
	if len(e.Sources) == 0 {
		fail(file, "sources", "must name at least one source from %s", SourcesFile)
	}
	for i, s := range e.Sources {
		if _, ok := sources[s]; !ok {
			fail(file, fmt.Sprintf("sources[%d]", i), "%q is not a source listed in %s", s, SourcesFile)
		}
	}
}

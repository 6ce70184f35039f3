package faq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/faq/passages"
)

// Entries promoted from passages (/faq promote) live beside the knowledge
// base's own: the knowledge base is read from files and not changed at run
// time, so a promoted entry is kept by the Matcher, from the Store, until
// a steward writes it into the knowledge base's files. It never changes
// how the knowledge base's entries answer: it is consulted only for a
// question none of them answers, before the passages are.

// passageRefs are the references of the knowledge base's passages (see
// passages.Refs), found either way.
type passageRefs struct {
	refs  []string       // by passage, in KB.Passages order
	byRef map[string]int // lower-case reference → passage
	at    map[passageAt]int
}

// passageAt identifies a passage by where it starts.
type passageAt struct {
	file string
	line int
}

// newPassageRefs names each of ps.
func newPassageRefs(ps []passages.Passage) passageRefs {
	pr := passageRefs{refs: passages.Refs(ps), byRef: map[string]int{}, at: map[passageAt]int{}}
	for i, r := range pr.refs {
		pr.byRef[strings.ToLower(r)] = i
		if _, dup := pr.at[passageAt{ps[i].File, ps[i].Line}]; !dup {
			pr.at[passageAt{ps[i].File, ps[i].Line}] = i
		}
	}
	return pr
}

// promotedSet is the promoted entries as one snapshot, which a question
// reads whole while a promotion swaps in the next one.
type promotedSet struct {
	entries []*Entry // in id order
	byID    map[string]Promotion
	entry   map[string]*Entry
	// byPassage is the entry promoted from each passage still in the
	// documents with the same citation, by passage.
	byPassage map[int]*Entry
	// own answers questions from the promoted entries alone, so that
	// their words never change how the knowledge base's entries rank.
	own *Matcher
}

// HasDocuments reports whether the knowledge base has passages to quote
// and promote.
func (m *Matcher) HasDocuments() bool { return len(m.kb.Passages) > 0 }

// PassageByRef returns the passage a steward named by its reference (see
// passages.Refs), in any letter case, with its reference as written.
func (m *Matcher) PassageByRef(ref string) (passages.Passage, string, bool) {
	i, ok := m.refs.byRef[strings.ToLower(strings.TrimSpace(ref))]
	if !ok {
		return passages.Passage{}, "", false
	}
	return m.kb.Passages[i], m.refs.refs[i], true
}

// Ref returns the reference of a passage of the knowledge base, such as
// one quoted in a Result; "" for a passage it does not have.
func (m *Matcher) Ref(p passages.Passage) string {
	if i, ok := m.refs.at[passageAt{p.File, p.Line}]; ok {
		return m.refs.refs[i]
	}
	return ""
}

// PromotedFrom returns the entry promoted from passage p, or nil.
func (m *Matcher) PromotedFrom(p passages.Passage) *Entry {
	i, ok := m.refs.at[passageAt{p.File, p.Line}]
	if !ok {
		return nil
	}
	return m.promoted.Load().byPassage[i]
}

// Entry returns the entry with the given id, the knowledge base's or a
// promoted one, or nil.
func (m *Matcher) Entry(id string) *Entry {
	if e := m.kb.Entry(id); e != nil {
		return e
	}
	return m.promoted.Load().entry[id]
}

// Entries returns every entry, the knowledge base's and the promoted
// ones, in id order.
func (m *Matcher) Entries() []*Entry {
	ps := m.promoted.Load().entries
	if len(ps) == 0 {
		return m.kb.Entries
	}
	all := append(slices.Clip(m.kb.Entries), ps...)
	slices.SortFunc(all, func(a, b *Entry) int { return strings.Compare(a.ID, b.ID) })
	return all
}

// Citation returns the "Source: ..." line for an entry: a promoted entry
// cites its passage.
func (m *Matcher) Citation(e *Entry) string {
	if p, ok := m.promoted.Load().byID[e.ID]; ok && m.kb.Entry(e.ID) == nil {
		return "Source: " + p.Citation
	}
	return m.kb.Citation(e)
}

// Errors of Promote, for callers that tell a steward which it was.
var (
	// ErrIDTaken: an entry of the knowledge base or a promoted one has
	// the promotion's id.
	ErrIDTaken = errors.New("the id is taken")
	// ErrPassagePromoted: an entry was promoted from the same passage.
	ErrPassagePromoted = errors.New("an entry was promoted from that passage already")
)

// Promote adds an entry promoted from a passage, effective for the next
// question: questions that its question and phrasings answer, and those
// that would quote its passage, are answered with it. It fails, changing
// nothing, when the entry is not valid, its id is taken (ErrIDTaken) or an
// entry was promoted from the same passage (ErrPassagePromoted).
func (m *Matcher) Promote(p Promotion) error {
	e := &Entry{ID: p.EntryID, Topic: p.Topic, Question: p.Question, Answer: p.Answer}
	var problems []string
	validateEntry(e, EntriesDir+"/"+e.ID+".yaml", nil, func(_, field, format string, args ...any) {
		if field != "sources" { // a promoted entry cites its passage instead
			problems = append(problems, field+" "+fmt.Sprintf(format, args...))
		}
	})
	if len(problems) > 0 {
		return fmt.Errorf("promoted entry %q: %s", p.EntryID, strings.Join(problems, "; "))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.promoted.Load()
	if m.kb.Entry(e.ID) != nil || old.entry[e.ID] != nil {
		return fmt.Errorf("promote %q: %w", e.ID, ErrIDTaken)
	}
	next := &promotedSet{
		entries:   append(slices.Clip(old.entries), e),
		byID:      map[string]Promotion{e.ID: p},
		entry:     map[string]*Entry{e.ID: e},
		byPassage: map[int]*Entry{},
	}
	for id, q := range old.byID {
		next.byID[id], next.entry[id] = q, old.entry[id]
	}
	for i, x := range old.byPassage {
		next.byPassage[i] = x
	}
	if i, ok := m.refs.byRef[strings.ToLower(p.Ref)]; ok && m.kb.Passages[i].Citation() == p.Citation {
		if other := next.byPassage[i]; other != nil {
			return fmt.Errorf("promote %q from %s (%s is): %w", e.ID, p.Ref, other.ID, ErrPassagePromoted)
		}
		next.byPassage[i] = e
	}
	slices.SortFunc(next.entries, func(a, b *Entry) int { return strings.Compare(a.ID, b.ID) })
	next.own = m.promotedMatcher(next.entries)
	m.promoted.Store(next)
	return nil
}

// promotedMatcher indexes the promoted entries, with the phrasings
// stewards added to them, by BM25F alone: there are too few of them, and
// too new, for a classifier. Called with m.mu held.
func (m *Matcher) promotedMatcher(entries []*Entry) *Matcher {
	kb := &KB{Entries: entries, Lexicon: m.kb.Lexicon, Sources: map[string]Source{}, byID: map[string]*Entry{}}
	for _, e := range entries {
		kb.byID[e.ID] = e
	}
	return NewMatcher(kb, m.extra, Options{Params: m.opts.Params})
}

// phrasing returns the promoted entry that has question as its question
// or as a phrasing a steward added, or nil.
func (ps *promotedSet) phrasing(question string) *Entry {
	if ps.own == nil {
		return nil
	}
	if d, ok := ps.own.idx.Load().exact[normalizeKey(question)]; ok && d >= 0 {
		return ps.own.kb.Entries[d]
	}
	return nil
}

// match returns the promoted entry that BM25F alone is confident
// answers question, with that confidence, or nil.
func (ps *promotedSet) match(question string) (*Entry, float64) {
	if ps.own == nil {
		return nil, 0
	}
	if r := ps.own.Match(question); r.Outcome == Answer {
		return r.Entry, r.Confidence
	}
	return nil, 0
}

// OpenMatcher builds the Matcher that answers from kb with what stewards
// added, as the Store keeps it: promoted entries and added phrasings. It
// is how every process starts, so that each sees what a steward added in
// any of them. A promoted entry whose id the knowledge base's files now
// have is left out: the file, written from it, replaces it.
func OpenMatcher(ctx context.Context, kb *KB, st Store, opts Options, log *slog.Logger) (*Matcher, error) {
	ps, err := st.Phrasings(ctx)
	if err != nil {
		return nil, fmt.Errorf("read added phrasings: %w", err)
	}
	promos, err := st.Promotions(ctx)
	if err != nil {
		return nil, fmt.Errorf("read promoted entries: %w", err)
	}
	extra := map[string][]string{}
	for _, p := range ps {
		extra[p.EntryID] = append(extra[p.EntryID], p.Text)
	}
	m := NewMatcher(kb, extra, opts)
	m.mu.Lock()
	for _, p := range promos {
		if kb.Entry(p.EntryID) == nil {
			m.extra[p.EntryID] = extra[p.EntryID]
		}
	}
	m.mu.Unlock()
	for _, p := range promos {
		if kb.Entry(p.EntryID) != nil {
			bot.OrDefaultLogger(log).InfoContext(ctx, "promoted entry left out: the knowledge base has an entry with its id", "entry", p.EntryID)
			continue
		}
		if err := m.Promote(p); err != nil {
			bot.OrDefaultLogger(log).WarnContext(ctx, "promoted entry left out", "entry", p.EntryID, "err", err)
		}
	}
	return m, nil
}

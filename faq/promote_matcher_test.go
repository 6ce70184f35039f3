package faq

import (
	"strings"
	"sync"
	"testing"
)

// promoteEvery promotes each passage that the agreement's development
// questions quote, as a steward working through /faq gaps would, and
// returns how many it promoted.
func promoteEvery(t *testing.T, m *Matcher, questions []string) int {
	t.Helper()
	n := 0
	for _, q := range questions {
		r := m.Match(q)
		if r.Outcome != Passage {
			continue
		}
		p := r.Quoted.Passage
		err := m.Promote(Promotion{EntryID: "promoted-" + slug(m.Ref(p), maxIDBase), Topic: promotedTopic(p), Question: q,
			Answer: r.Quoted.Excerpt(MaxExcerptChars), Citation: r.Quoted.Citation, Ref: m.Ref(p)})
		if err != nil {
			t.Fatalf("promote %s for %q: %v", m.Ref(p), q, err)
		}
		n++
	}
	return n
}

// TestPromotionsLeaveEntriesAnswersAlone: with every passage the
// development questions quote promoted, each question of the knowledge
// base's own development and held-out sets that an entry answered is
// answered by the same entry, and each question that quoted a passage
// is answered with the entry promoted from it.
func TestPromotionsLeaveEntriesAnswersAlone(t *testing.T) {
	kb := agreementKB(t)
	before, after := NewMatcher(kb, nil, Options{}), NewMatcher(kb, nil, Options{})
	var agreement []string
	for _, c := range readAgreementDev(t) {
		agreement = append(agreement, c.question)
	}
	quoted := map[string]string{}
	for _, q := range agreement {
		if r := before.Match(q); r.Outcome == Passage {
			quoted[q] = before.Ref(r.Quoted.Passage)
		}
	}
	if n := promoteEvery(t, after, agreement); n < 10 {
		t.Fatalf("only %d passages promoted; the development set should quote more", n)
	}
	var asked []string
	for _, f := range []string{"testdata/dev-questions.tsv", "testdata/holdout-questions.tsv"} {
		for _, q := range readSet(t, f) {
			asked = append(asked, q.Question)
		}
	}
	for _, q := range append(asked, agreement...) {
		was, is := before.Match(q), after.Match(q)
		switch {
		case was.Outcome == Answer && (is.Outcome != Answer || is.Entry != was.Entry):
			t.Errorf("%q: answered by %s before promotions, now %s %v", q, was.Entry.ID, is.Outcome, is.Entry)
		case quoted[q] != "" && (is.Outcome != Answer || is.Entry == nil || after.PromotedFrom(was.Quoted.Passage) != is.Entry):
			t.Errorf("%q quoted %s; now %s %v, want the entry promoted from it", q, quoted[q], is.Outcome, is.Entry)
		}
	}
}

// TestPromoteWhileAnswering: questions answered while stewards promote
// passages and add phrasings to promoted entries always see a complete
// set of entries (run with -race).
func TestPromoteWhileAnswering(t *testing.T) {
	m := NewMatcher(agreementKB(t), nil, Options{})
	questions := []string{"do i get paid for jury duty", "how long do i have to file a grievance", "can i refuse unsafe work", "is there a wage freeze?"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := m.Match(questions[i%len(questions)])
				if r.Outcome == Answer && m.Entry(r.Entry.ID) != r.Entry {
					t.Errorf("answered with %s, which Entry does not know", r.Entry.ID)
					return
				}
				_ = m.Entries()
			}
		})
	}
	promotedN := promoteEvery(t, m, questions[:3])
	for _, q := range []string{"jury pay", "grievance deadline", "unsafe task"} {
		for _, e := range m.Entries() {
			if m.kb.Entry(e.ID) == nil {
				if _, err := m.AddPhrasing(e.ID, q); err != nil {
					t.Error(err)
				}
			}
		}
	}
	close(stop)
	wg.Wait()
	if got := len(m.Entries()); promotedN == 0 || got != len(m.kb.Entries)+promotedN {
		t.Errorf("%d entries, want the knowledge base's %d and %d promoted", got, len(m.kb.Entries), promotedN)
	}
}

// TestPromotedIDIsMadeFromTheTitle: the id is the passage's title in
// lower case with hyphens; when that is taken, the passage's number
// follows it, then its whole reference, then a count; it is always a
// valid id.
func TestPromotedIDIsMadeFromTheTitle(t *testing.T) {
	m := NewMatcher(agreementKB(t), nil, Options{})
	s := &Service{Config: Config{Matcher: m}}
	p, ref, ok := m.PassageByRef("13.3")
	if !ok {
		t.Fatal("no passage 13.3 in the sample agreement")
	}
	others := []string{"13.4.1", "13.4.2", "13.4.3", "13.4.4"}
	for i, want := range []string{"filing", "filing-13-3", "filing-13-3-2", "filing-13-3-3"} {
		id := s.promotedID(p, ref)
		if id != want {
			t.Fatalf("id %q, want %q", id, want)
		}
		// Take the id with a promotion from another passage.
		other, otherRef, _ := m.PassageByRef(others[i])
		if err := m.Promote(Promotion{EntryID: id, Topic: "t", Question: "q " + id, Answer: "a", Citation: other.Citation(), Ref: otherRef}); err != nil {
			t.Fatal(err)
		}
	}
	for title, want := range map[string]string{
		"Jury Duty and Court Leave":      "jury-duty-and-court-leave",
		"  --Pay & Benefits!! ":          "pay-benefits",
		"Überstunden":                    "berstunden",
		"***":                            "",
		strings.Repeat("seniority ", 10): "seniority-seniority-seniority",
	} {
		if got := slug(title, maxIDBase); got != want || got != "" && !idPattern.MatchString(got) {
			t.Errorf("slug(%q) = %q, want %q", title, got, want)
		}
	}
}

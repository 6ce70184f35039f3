package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/faq"
	"github.com/unionhall/unionhall/store/sqlite"
)

func TestFAQFeedbackKeepsOneVerdictPerMember(t *testing.T) {
	ctx := context.Background()
	s := open(t).FAQ()
	at := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	for _, f := range []faq.Feedback{
		{EntryID: "pension", Member: "m1", Helpful: true, At: at},
		{EntryID: "pension", Member: "m1", Helpful: false, At: at.Add(time.Minute)},     // changed mind
		{EntryID: "pension", Member: "m1", Helpful: false, At: at.Add(2 * time.Minute)}, // clicked twice
		{EntryID: "pension", Member: "m2", Helpful: true, At: at},
		{EntryID: "raises", Member: "m1", Helpful: true, At: at},
	} {
		if err := s.RecordFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	g, err := s.Gaps(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []faq.FeedbackCount{{EntryID: "pension", Helpful: 1, NotHelpful: 1}, {EntryID: "raises", Helpful: 1}}
	if len(g.Feedback) != len(want) {
		t.Fatalf("feedback %+v, want %+v", g.Feedback, want)
	}
	for i := range want {
		if g.Feedback[i] != want[i] {
			t.Errorf("feedback[%d] = %+v, want %+v", i, g.Feedback[i], want[i])
		}
	}
}

func TestFAQUnansweredAreGroupedAndCounted(t *testing.T) {
	ctx := context.Background()
	s := open(t).FAQ()
	at := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	record := func(key, q, member string, when time.Time) {
		t.Helper()
		err := s.RecordUnanswered(ctx, faq.Unanswered{Key: key, Question: q, Outcome: faq.Abstain, BestGuess: "savings", Member: member, At: when})
		if err != nil {
			t.Fatal(err)
		}
	}
	record("is there a parking permit", "Is there a parking permit?", "m1", at)
	record("is there a parking permit", "is there a parking permit", "m1", at.Add(time.Hour))
	record("is there a parking permit", "IS THERE A PARKING PERMIT", "m2", at.Add(2*time.Hour))
	record("what about dental", "what about dental", "m3", at.Add(3*time.Hour))
	g, err := s.Gaps(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Questions) != 2 {
		t.Fatalf("questions %+v", g.Questions)
	}
	q := g.Questions[0]
	if q.Asked != 3 || q.Members != 2 || q.Question != "IS THERE A PARKING PERMIT" || !q.Last.Equal(at.Add(2*time.Hour)) || q.BestGuess != "savings" {
		t.Errorf("most asked = %+v", q)
	}
	if g.Questions[1].Asked != 1 || g.Questions[1].Members != 1 {
		t.Errorf("second = %+v", g.Questions[1])
	}
	if g, _ := s.Gaps(ctx, 1); len(g.Questions) != 1 {
		t.Errorf("limit not applied: %d questions", len(g.Questions))
	}
}

func TestFAQPhrasingsPersistOnceEach(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	p := faq.Phrasing{EntryID: "wage-freeze", Text: "is our pay stuck", Member: "s1", At: at}
	// Two stewards adding the same phrasing at once store it once.
	var wg sync.WaitGroup
	added := make([]bool, 4)
	for i := range added {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := db.FAQ().AddPhrasing(ctx, p)
			if err != nil {
				t.Error(err)
			}
			added[i] = ok
		}()
	}
	wg.Wait()
	n := 0
	for _, ok := range added {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d of 4 concurrent adds reported adding", n)
	}
	if ok, err := db.FAQ().AddPhrasing(ctx, faq.Phrasing{EntryID: "raises", Text: "is our pay stuck", Member: "s1", At: at}); err != nil || !ok {
		t.Fatalf("same text for another entry: %v %v", ok, err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ps, err := db.FAQ().Phrasings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0] != p || ps[1].EntryID != "raises" {
		t.Fatalf("phrasings after reopening: %+v", ps)
	}
}

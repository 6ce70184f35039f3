package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/faq"
)

// testFAQFeedback: a member's later verdict on an entry replaces the
// earlier one; Gaps counts current verdicts per entry, most "not helpful"
// first, then most helpful, then by entry.
func testFAQFeedback(t *testing.T, e Engine) {
	ctx := context.Background()
	s := fresh(t, e, bot.NewManualClock(someDay)).open().FAQ
	at := someDay
	for _, f := range []faq.Feedback{
		{EntryID: "pension", Member: "m1", Helpful: true, At: at},
		{EntryID: "pension", Member: "m1", Helpful: false, At: at.Add(time.Minute)},     // changed mind
		{EntryID: "pension", Member: "m1", Helpful: false, At: at.Add(2 * time.Minute)}, // clicked twice
		{EntryID: "pension", Member: "m2", Helpful: true, At: at},
		{EntryID: "raises", Member: "m1", Helpful: true, At: at},
	} {
		must(t, s.RecordFeedback(ctx, f))
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

// testFAQUnanswered: the same question (by key) from the same member is
// counted, not stored twice; Gaps groups a question over members, with
// its latest wording, best guess and time, most asked first, at most
// limit of them.
func testFAQUnanswered(t *testing.T, e Engine) {
	ctx := context.Background()
	s := fresh(t, e, bot.NewManualClock(someDay)).open().FAQ
	at := someDay
	record := func(key, q, member string, when time.Time) {
		t.Helper()
		must(t, s.RecordUnanswered(ctx, faq.Unanswered{Key: key, Question: q, Outcome: faq.Abstain, BestGuess: "savings", Member: member, At: when}))
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

// testFAQPhrasings: stewards adding the same phrasing at once, in one
// process or several, store it once, and exactly one of them is told it
// was added; the same text for another entry is another phrasing;
// phrasings come back oldest first, times in UTC to the second, after a
// restart.
func testFAQPhrasings(t *testing.T, e Engine) {
	ctx := context.Background()
	d := fresh(t, e, bot.NewManualClock(someDay))
	handles := d.openN(2)
	at := someDay
	p := faq.Phrasing{EntryID: "wage-freeze", Text: "is our pay stuck", Member: "s1", At: at}
	added := make([]bool, 4)
	together(len(added), func(i int) {
		ok, err := handles[i%2].FAQ.AddPhrasing(ctx, p)
		if err != nil {
			t.Error(err)
		}
		added[i] = ok
	})
	if n := trues(added); n != 1 {
		t.Fatalf("%d of 4 concurrent adds reported adding", n)
	}
	if ok, err := handles[0].FAQ.AddPhrasing(ctx, faq.Phrasing{EntryID: "raises", Text: "is our pay stuck", Member: "s1", At: at}); err != nil || !ok {
		t.Fatalf("same text for another entry: %v %v", ok, err)
	}
	for _, h := range handles {
		closeStores(t, h)
	}
	ps, err := d.open().FAQ.Phrasings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0] != p || ps[1].EntryID != "raises" {
		t.Fatalf("phrasings after reopening: %+v", ps)
	}
}

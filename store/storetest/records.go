package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/faq"
	"github.com/unionhall/unionhall/store"
)

// The tests of the small records: settings, card locations and what
// members tell the FAQ.

// someDay is when the tests of settings, card locations and the FAQ
// begin.
var someDay = time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)

// testSettingOrInit: a setting is stored by its first initialisation,
// survives a restart, and is never overwritten by a later one.
func testSettingOrInit(t *testing.T, e Engine) {
	ctx := context.Background()
	d := fresh(t, e, bot.NewManualClock(someDay))
	s := d.open()
	if v, ok, err := s.Settings.Setting(ctx, "salt"); err != nil || ok || v != "" {
		t.Fatalf("unset setting: %q %v %v", v, ok, err)
	}
	v1, err := s.Settings.SettingOrInit(ctx, "salt", func() (string, error) { return "first", nil })
	if err != nil || v1 != "first" {
		t.Fatalf("%q %v", v1, err)
	}
	v2, err := s.Settings.SettingOrInit(ctx, "salt", func() (string, error) { return "second", nil })
	if err != nil || v2 != "first" {
		t.Fatalf("second init overwrote: %q %v", v2, err)
	}
	if _, err := s.Settings.SettingOrInit(ctx, "other", func() (string, error) { return "", fmt.Errorf("no randomness") }); err == nil {
		t.Fatal("a failed initialisation was not reported")
	}
	if _, ok, err := s.Settings.Setting(ctx, "other"); err != nil || ok {
		t.Fatalf("a failed initialisation stored something: %v %v", ok, err)
	}
	closeStores(t, s)
	s = d.open()
	if v, ok, err := s.Settings.Setting(ctx, "salt"); err != nil || !ok || v != "first" {
		t.Fatalf("after a restart: %q %v %v", v, ok, err)
	}
}

// testSettingOrInitRaced: replicas starting together, each initialising
// the same setting with a value of its own, all end up with one value.
func testSettingOrInitRaced(t *testing.T, e Engine) {
	ctx := context.Background()
	d := fresh(t, e, bot.NewManualClock(someDay))
	handles := d.openN(3)
	got := make([]string, 12)
	together(len(got), func(i int) {
		v, err := handles[i%len(handles)].Settings.SettingOrInit(ctx, "salt", func() (string, error) { return fmt.Sprint("value-", i), nil })
		if err != nil {
			t.Error(err)
		}
		got[i] = v
	})
	stored, ok, err := handles[0].Settings.Setting(ctx, "salt")
	if err != nil || !ok {
		t.Fatalf("stored: %v %v", ok, err)
	}
	for i, v := range got {
		if v != stored {
			t.Fatalf("caller %d got %q, the store holds %q", i, v, stored)
		}
	}
}

// testCardLocationsSurviveRestart: locations are kept per platform and
// card, least recently saved first; saving one again only refreshes it;
// an empty part is refused; forgetting drops one location (an unknown
// one is no error).
func testCardLocationsSurviveRestart(t *testing.T, e Engine) {
	ctx := context.Background()
	clock := bot.NewManualClock(someDay)
	d := fresh(t, e, clock)
	first := d.open()
	s := first.Cards
	must(t, s.SaveCardLocation(ctx, "slack", "poll:1", "C1/1700000000.000001"))
	clock.Advance(time.Second)
	must(t, s.SaveCardLocation(ctx, "slack", "poll:1", "C2/1700000000.000002"))
	must(t, s.SaveCardLocation(ctx, "discord", "poll:1", "81/91"))
	must(t, s.SaveCardLocation(ctx, "slack", "poll:2", "C1/1700000000.000003"))
	// Saving a known location again only refreshes it.
	clock.Advance(time.Second)
	must(t, s.SaveCardLocation(ctx, "slack", "poll:1", "C1/1700000000.000001"))
	if err := s.SaveCardLocation(ctx, "slack", "poll:1", ""); err == nil {
		t.Error("an empty location was accepted")
	}

	// A restarted process finds them.
	closeStores(t, first)
	s = d.open().Cards
	get := func(platform, key string) []string {
		t.Helper()
		locs, err := s.CardLocations(ctx, platform, key)
		if err != nil {
			t.Fatal(err)
		}
		return locs
	}
	if got, want := get("slack", "poll:1"), []string{"C2/1700000000.000002", "C1/1700000000.000001"}; !slices.Equal(got, want) {
		t.Fatalf("slack poll:1 = %v, want %v (least recently saved first)", got, want)
	}
	if got := get("discord", "poll:1"); !slices.Equal(got, []string{"81/91"}) {
		t.Fatalf("discord poll:1 = %v", got)
	}
	if got := get("slack", "poll:3"); len(got) != 0 {
		t.Fatalf("unknown card has locations %v", got)
	}

	must(t, s.ForgetCardLocation(ctx, "slack", "poll:1", "C2/1700000000.000002"))
	must(t, s.ForgetCardLocation(ctx, "slack", "poll:1", "C9/never-saved"))
	if got := get("slack", "poll:1"); !slices.Equal(got, []string{"C1/1700000000.000001"}) {
		t.Fatalf("after forgetting: %v", got)
	}
	if got := get("slack", "poll:2"); len(got) != 1 {
		t.Fatalf("forgetting touched another card: %v", got)
	}
}

// testCardLocationsAreBounded: a card keeps its store.MaxCardLocationsPerKey
// most recently saved locations per platform, and Prune drops the
// locations not saved within its age, by the store's clock.
func testCardLocationsAreBounded(t *testing.T, e Engine) {
	ctx := context.Background()
	clock := bot.NewManualClock(someDay)
	s := fresh(t, e, clock).open().Cards

	// Per card: the most recently saved are kept.
	n := store.MaxCardLocationsPerKey + 5
	for i := range n {
		must(t, s.SaveCardLocation(ctx, "slack", "poll:1", fmt.Sprintf("C1/%d", i)))
		clock.Advance(time.Millisecond)
	}
	locs, err := s.CardLocations(ctx, "slack", "poll:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(locs) != store.MaxCardLocationsPerKey || locs[0] != "C1/5" || locs[len(locs)-1] != fmt.Sprintf("C1/%d", n-1) {
		t.Fatalf("kept %d: first %q last %q", len(locs), locs[0], locs[len(locs)-1])
	}

	// By age: Prune drops what was not saved within the retention.
	must(t, s.SaveCardLocation(ctx, "discord", "poll:2", "old/1"))
	clock.Advance(store.CardLocationRetention - time.Hour)
	must(t, s.SaveCardLocation(ctx, "discord", "poll:3", "new/1"))
	must(t, s.SaveCardLocation(ctx, "slack", "poll:1", "C1/24")) // refreshed: kept
	clock.Advance(2 * time.Hour)
	deleted, err := s.Prune(ctx, store.CardLocationRetention)
	if err != nil {
		t.Fatal(err)
	}
	if deleted != int64(store.MaxCardLocationsPerKey) { // 19 old poll:1 rows and poll:2
		t.Fatalf("pruned %d rows, want %d", deleted, store.MaxCardLocationsPerKey)
	}
	if got, _ := s.CardLocations(ctx, "slack", "poll:1"); !slices.Equal(got, []string{"C1/24"}) {
		t.Errorf("slack poll:1 after prune = %v, want only the refreshed location", got)
	}
	if got, _ := s.CardLocations(ctx, "discord", "poll:2"); len(got) != 0 {
		t.Errorf("old location kept: %v", got)
	}
	if got, _ := s.CardLocations(ctx, "discord", "poll:3"); !slices.Equal(got, []string{"new/1"}) {
		t.Errorf("recent location pruned: %v", got)
	}
}

// testCardLocationsConcurrent: replicas saving locations of one card at
// once never leave more than store.MaxCardLocationsPerKey of them.
func testCardLocationsConcurrent(t *testing.T, e Engine) {
	ctx := context.Background()
	handles := fresh(t, e, bot.NewManualClock(someDay)).openN(3)
	together(3*store.MaxCardLocationsPerKey, func(i int) {
		if err := handles[i%len(handles)].Cards.SaveCardLocation(ctx, "slack", "poll:1", fmt.Sprintf("C1/%d", i)); err != nil {
			t.Error(err)
		}
	})
	locs, err := handles[0].Cards.CardLocations(ctx, "slack", "poll:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(locs) != store.MaxCardLocationsPerKey {
		t.Fatalf("kept %d locations, want %d", len(locs), store.MaxCardLocationsPerKey)
	}
}

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

// testFAQPassageAnswers: questions answered from passages are counted per
// member and grouped over members like unanswered questions, each with
// the latest wording and the passage last quoted, most asked first, at
// most limit of them; they are a list of their own beside the unanswered
// questions.
func testFAQPassageAnswers(t *testing.T, e Engine) {
	ctx := context.Background()
	s := fresh(t, e, bot.NewManualClock(someDay)).open().FAQ
	at := someDay
	record := func(key, q, member, ref string, when time.Time) {
		t.Helper()
		must(t, s.RecordPassageAnswer(ctx, faq.PassageAnswer{Key: key, Question: q, Citation: "Article 13, Section " + ref + " (Filing)", Ref: ref, Member: member, At: when}))
	}
	record("how long to file a grievance", "How long to file a grievance?", "m1", "13.2", at)
	record("how long to file a grievance", "how long to file a grievance", "m1", "13.3", at.Add(time.Hour))
	record("how long to file a grievance", "HOW LONG TO FILE A GRIEVANCE", "m2", "13.3", at.Add(2*time.Hour))
	record("is jury duty paid", "is jury duty paid", "m3", "15.8", at.Add(3*time.Hour))
	must(t, s.RecordUnanswered(ctx, faq.Unanswered{Key: "parking", Question: "parking?", Outcome: faq.Abstain, Member: "m1", At: at}))
	g, err := s.Gaps(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Passages) != 2 || len(g.Questions) != 1 {
		t.Fatalf("passage answers %+v, unanswered %+v", g.Passages, g.Questions)
	}
	want := faq.GapPassage{Question: "HOW LONG TO FILE A GRIEVANCE", Asked: 3, Members: 2, Last: at.Add(2 * time.Hour), Citation: "Article 13, Section 13.3 (Filing)", Ref: "13.3"}
	if got := g.Passages[0]; got != want {
		t.Errorf("most asked = %+v, want %+v", got, want)
	}
	if got := g.Passages[1]; got.Asked != 1 || got.Members != 1 || got.Ref != "15.8" {
		t.Errorf("second = %+v", got)
	}
	if g, _ := s.Gaps(ctx, 1); len(g.Passages) != 1 {
		t.Errorf("limit not applied: %d passage answers", len(g.Passages))
	}
}

// testFAQPromotions: of stewards promoting at once, in one process or
// several, exactly one is told the entry was stored; a second entry from
// the same passage (reference and citation) or with the same id is
// refused, while the same reference with another citation (a passage of
// a new version of the documents) is another passage; promotions come
// back whole, oldest first, times in UTC to the second, after a restart.
func testFAQPromotions(t *testing.T, e Engine) {
	ctx := context.Background()
	d := fresh(t, e, bot.NewManualClock(someDay))
	handles := d.openN(2)
	p := faq.Promotion{EntryID: "filing", Topic: "Filing", Question: "how long do I have to file a grievance?",
		Answer: "A grievance must be filed within twenty (20) working days.", Citation: "Article 13, Section 13.3 (Filing)",
		Ref: "13.3", Member: "s1", At: someDay}
	added := make([]bool, 4)
	together(len(added), func(i int) {
		q := p
		q.EntryID = fmt.Sprint("filing-", i) // the same passage under another id
		if i%2 == 0 {
			q.EntryID = p.EntryID
		}
		ok, err := handles[i%2].FAQ.AddPromotion(ctx, q)
		if err != nil {
			t.Error(err)
		}
		added[i] = ok
	})
	if n := trues(added); n != 1 {
		t.Fatalf("%d of 4 concurrent promotions of one passage reported storing", n)
	}
	ps, err := handles[0].FAQ.Promotions(ctx)
	if err != nil || len(ps) != 1 {
		t.Fatalf("promotions: %+v %v", ps, err)
	}
	sameID := faq.Promotion{EntryID: ps[0].EntryID, Topic: "Steps", Question: "q", Answer: "a", Citation: "Article 13, Section 13.4 (Steps)", Ref: "13.4", Member: "s1", At: someDay}
	if ok, err := handles[0].FAQ.AddPromotion(ctx, sameID); err != nil || ok {
		t.Fatalf("another passage under a taken id: %v %v", ok, err)
	}
	moved := p
	moved.EntryID, moved.Citation, moved.At = "filing-new", "Article 14, Section 13.3 (Filing)", someDay.Add(time.Minute)
	if ok, err := handles[1].FAQ.AddPromotion(ctx, moved); err != nil || !ok {
		t.Fatalf("the same reference with another citation: %v %v", ok, err)
	}
	for _, h := range handles {
		closeStores(t, h)
	}
	ps, err = d.open().FAQ.Promotions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := p
	first.EntryID = ps[0].EntryID
	if len(ps) != 2 || ps[0] != first || ps[1] != moved {
		t.Fatalf("promotions after reopening: %+v", ps)
	}
}

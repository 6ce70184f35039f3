package faq_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/faq"
	"github.com/unionhall/unionhall/store"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
	"github.com/unionhall/unionhall/store/sqlite"
)

// engine opens a database of one storage engine, as a process starting
// up would.
type engine struct {
	name  string
	fresh func(t *testing.T) string
	open  func(t *testing.T, addr string, clock bot.Clock) store.Stores
}

// engines are SQLite and, with a test server (see pgtest.Server),
// PostgreSQL.
var engines = []engine{
	{"sqlite", func(t *testing.T) string { return t.TempDir() + "/unionhall.db" }, func(t *testing.T, addr string, clock bot.Clock) store.Stores {
		db, err := sqlite.Open(context.Background(), addr, clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db.Stores()
	}},
	{"postgres", func(t *testing.T) string { return pgtest.Fresh(t) }, func(t *testing.T, addr string, clock bot.Clock) store.Stores {
		db, err := postgres.Open(context.Background(), addr, clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db.Stores()
	}},
}

// eachEngine runs test on a fresh database of each engine.
func eachEngine(t *testing.T, test func(t *testing.T, e engine, addr string)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			test(t, e, e.fresh(t))
		})
	}
}

// hall is one process's FAQ: a Service over a Matcher built from the
// store as at start-up, on a router with one steward, steve.
type hall struct {
	t      *testing.T
	router *bot.Router
	store  faq.Store
	svc    *faq.Service
}

// startHall starts a process on the database at addr, answering from kb.
func startHall(t *testing.T, e engine, addr string, kb *faq.KB) *hall {
	t.Helper()
	ctx := context.Background()
	clock := bot.NewManualClock(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC))
	st := e.open(t, addr, clock).FAQ
	m, err := faq.OpenMatcher(ctx, kb, st, faq.Options{}, bottest.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := faq.New(faq.Config{Matcher: m, Store: st, Salt: []byte("salt"), Clock: clock, Log: bottest.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	stewards, err := bot.ParseStewards("console:steve")
	if err != nil {
		t.Fatal(err)
	}
	r := bot.NewRouter(stewards, bottest.DiscardLogger())
	r.Register(svc.Command())
	r.Fallback(svc.Fallback())
	return &hall{t: t, router: r, store: st, svc: svc}
}

// reply dispatches text from user and returns the one reply.
func (h *hall) reply(user, text string) bot.Reply {
	h.t.Helper()
	rec := &bottest.Recorder{}
	msg := bottest.Message(user, text)
	msg.DM = !strings.HasPrefix(text, "/")
	h.router.Dispatch(context.Background(), rec, msg)
	rs := rec.Replies()
	if len(rs) != 1 {
		h.t.Fatalf("%q: got %d replies, want 1: %+v", text, len(rs), rs)
	}
	return rs[0]
}

// answer asks question as alice and returns the id of the entry whose
// card answers it, or "" with the reply's text when none does.
func (h *hall) answer(question string) (id, text string) {
	h.t.Helper()
	r := h.reply("alice", question)
	if r.Card == nil {
		return "", r.Text
	}
	for _, b := range r.Card.Buttons {
		if v, ok := strings.CutPrefix(b.Value, "feedback "); ok {
			return strings.Fields(v)[0], r.Card.Title + "\n" + r.Card.Body + "\n" + r.Card.Footer
		}
	}
	h.t.Fatalf("%q: a card without feedback buttons: %+v", question, r.Card)
	return "", ""
}

const (
	juryQuestion = "do i get paid for jury duty"
	juryCitation = "Article 15, Section 15.8 (Jury Duty and Court Leave)"
	juryCommand  = `/faq promote "do i get paid for jury duty" 15.8`
	juryID       = "jury-duty-and-court-leave"
)

// TestPromoteAPassage: a question quoted from the agreement is listed by
// /faq gaps with the command that promotes its passage; once promoted,
// that question, its rewordings and the questions that quoted the
// passage answer with the new entry's card, which /faq show, /faq topics,
// feedback and /faq add treat as any other; entries answer as before;
// and all of it holds for a process started afresh on the same database.
func TestPromoteAPassage(t *testing.T) {
	kb := faq.AgreementKB(t)
	eachEngine(t, func(t *testing.T, e engine, addr string) {
		h := startHall(t, e, addr, kb)
		wage, _ := h.answer("is there a wage freeze?")
		if wage == "" {
			t.Fatal("the wage freeze entry does not answer; pick another entry for this test")
		}
		for _, q := range []string{juryQuestion, "Do I get paid for jury duty?", "am i paid when i serve on a jury"} {
			if id, text := h.answer(q); id != "" || !strings.Contains(text, juryCitation) {
				t.Fatalf("%q before promotion: entry %q, %q; want the jury duty passage quoted", q, id, text)
			}
		}
		gaps := h.reply("steve", "/faq gaps").Text
		for _, want := range []string{"Answered from the agreement's text (a prepared answer may serve members better):",
			`"Do I get paid for jury duty?" - asked 2 times, quoted ` + juryCitation, `/faq promote "Do I get paid for jury duty?" 15.8`} {
			if !strings.Contains(gaps, want) {
				t.Errorf("/faq gaps does not say %q:\n%s", want, gaps)
			}
		}

		got := h.reply("steve", juryCommand)
		if !got.Private || got.Card != nil {
			t.Errorf("the reply to a promotion is %+v, want a private text", got)
		}
		for _, want := range []string{`"` + juryID + `"`, "entries/" + juryID + ".yaml", "id: " + juryID, "question: " + juryQuestion, "/faq add " + juryID} {
			if !strings.Contains(got.Text, want) {
				t.Errorf("the reply to a promotion does not say %q:\n%s", want, got.Text)
			}
		}
		if n := len([]rune(got.Text)); n > 2000 {
			t.Errorf("the reply to a promotion has %d characters, more than Discord takes", n)
		}
		if strings.Contains(h.reply("steve", "/faq gaps").Text, "15.8") {
			t.Error("/faq gaps still offers to promote a promoted passage")
		}

		h.reply("steve", `/faq add `+juryID+` "what about serving as a juror"`)
		check := func(h *hall, when string) {
			t.Helper()
			for _, q := range []string{juryQuestion, "am i paid when i serve on a jury", "paid for jury service?", "what about serving as a juror"} {
				id, text := h.answer(q)
				if id != juryID || !strings.Contains(text, "Source: "+juryCitation) || !strings.Contains(text, "jury") {
					t.Errorf("%s, %q: entry %q, %q; want the promoted entry's card citing its passage", when, q, id, text)
				}
			}
			if id, _ := h.answer("is there a wage freeze?"); id != wage {
				t.Errorf("%s, the wage freeze is answered by %q, want %q as before", when, id, wage)
			}
			if r := h.reply("alice", "/faq show "+juryID); r.Card == nil || r.Card.Title != juryQuestion {
				t.Errorf("%s, /faq show %s: %+v", when, juryID, r)
			}
			if text := h.reply("alice", "/faq topics").Text; !strings.Contains(text, juryID+" - Jury Duty and Court Leave") {
				t.Errorf("%s, /faq topics does not list %s:\n%s", when, juryID, text)
			}
			if text := h.reply("alice", "/faq feedback "+juryID+" helpful").Text; !strings.Contains(text, "Thanks") {
				t.Errorf("%s, feedback on %s: %q", when, juryID, text)
			}
		}
		check(h, "after promotion")
		check(startHall(t, e, addr, kb), "in a process started afterwards")
	})
}

// TestPromoteRefusesBadInput: each mistake gets a short reply that says
// what was wrong and how to do it right, and changes nothing: no entry
// stored, none answering; a member who is not a steward is refused as
// /faq add refuses them.
func TestPromoteRefusesBadInput(t *testing.T) {
	kb := faq.AgreementKB(t)
	eachEngine(t, func(t *testing.T, e engine, addr string) {
		h := startHall(t, e, addr, kb)
		h.reply("steve", `/faq promote "how long do i have to file a grievance" 13.3`)
		long := strings.Repeat("jury ", 41)
		for _, c := range []struct{ user, command, want string }{
			{"steve", `/faq promote "do i get paid for jury duty" 99.9`, "/faq gaps lists"},
			{"steve", `/faq promote "do i get paid for jury duty" agreement:nowhere`, "There is no passage"},
			{"steve", `/faq promote "" 15.8`, "no words"},
			{"steve", `/faq promote "?!" 15.8`, "no words"},
			{"steve", `/faq promote 15.8`, `/faq promote "how long do I have to file a grievance?" 13.3`},
			{"steve", `/faq promote "` + long + `" 15.8`, "too long"},
			{"steve", `/faq promote "when is a grievance due" 13.3`, `already the topic "filing"`},
			{"steve", `/faq promote "is there a wage freeze?" 15.8`, "already answers that question"},
		} {
			before, _ := h.store.Promotions(context.Background())
			r := h.reply(c.user, c.command)
			if !strings.Contains(r.Text, c.want) || !r.Private || r.Card != nil {
				t.Errorf("%s: %+v, want a private reply saying %q", c.command, r, c.want)
			}
			if after, _ := h.store.Promotions(context.Background()); len(after) != len(before) {
				t.Errorf("%s stored a promotion: %+v", c.command, after)
			}
		}
		if id, text := h.answer(juryQuestion); id != "" || !strings.Contains(text, juryCitation) {
			t.Errorf("after refused promotions, %q is answered by %q: %q", juryQuestion, id, text)
		}

		refusedAdd := h.reply("alice", `/faq add wage-freeze "is our pay frozen"`).Text
		refused := h.reply("alice", juryCommand).Text
		if !strings.HasPrefix(refused, "Only stewards can") || !strings.HasPrefix(refusedAdd, "Only stewards can") {
			t.Errorf("a member promoting: %q; adding: %q; want both refused", refused, refusedAdd)
		}
		if ps, _ := h.store.Promotions(context.Background()); len(ps) != 1 {
			t.Errorf("promotions %+v, want the one steve made", ps)
		}
		if id, _ := h.answer(juryQuestion); id != "" {
			t.Errorf("a member's promotion made %q answer with %s", juryQuestion, id)
		}

		bare := startHall(t, e, e.fresh(t), loadDefault(t))
		if text := bare.reply("steve", juryCommand).Text; !strings.Contains(text, "no documents") {
			t.Errorf("promoting without documents: %q", text)
		}
	})
}

// loadDefault loads the embedded knowledge base.
func loadDefault(t *testing.T) *faq.KB {
	t.Helper()
	kb, err := faq.Load(faq.DefaultFS())
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// TestGapsFitOneDiscordMessage: however many and however long the
// questions, /faq gaps stays within Discord's 2,000 characters, shows
// some of each list, and says how many more each list has.
func TestGapsFitOneDiscordMessage(t *testing.T) {
	kb := faq.AgreementKB(t)
	eachEngine(t, func(t *testing.T, e engine, addr string) {
		h := startHall(t, e, addr, kb)
		ctx := context.Background()
		at := time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
		for i := range 30 {
			q := fmt.Sprintf("question %d %s", i, strings.Repeat("about the agreement and what it says ", 7))
			if err := h.store.RecordUnanswered(ctx, faq.Unanswered{Key: q, Question: q, Outcome: faq.Abstain, Member: "m", At: at}); err != nil {
				t.Fatal(err)
			}
			if err := h.store.RecordPassageAnswer(ctx, faq.PassageAnswer{Key: q, Question: q, Citation: juryCitation, Ref: "15.8", Member: "m", At: at}); err != nil {
				t.Fatal(err)
			}
			if err := h.store.RecordFeedback(ctx, faq.Feedback{EntryID: fmt.Sprint("entry-", i), Member: "m", Helpful: true, At: at}); err != nil {
				t.Fatal(err)
			}
		}
		text := h.reply("steve", "/faq gaps").Text
		if n := len([]rune(text)); n > 2000 {
			t.Errorf("/faq gaps has %d characters", n)
		}
		for _, want := range []string{"could not answer", "1. \"question", "Answered from the agreement's text", "/faq promote \"question", "Feedback on answers", "more."} {
			if !strings.Contains(text, want) {
				t.Errorf("/faq gaps does not say %q:\n%s", want, text)
			}
		}
		if strings.Count(text, "more.") != 3 {
			t.Errorf("want each of the three lists cut short with how many more:\n%s", text)
		}
	})
}

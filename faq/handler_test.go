package faq

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// memStore is an in-memory Store for handler tests.
type memStore struct {
	mu         sync.Mutex
	feedback   map[[2]string]bool
	unanswered []Unanswered
	phrasings  []Phrasing
}

func newMemStore() *memStore { return &memStore{feedback: map[[2]string]bool{}} }

func (s *memStore) RecordFeedback(_ context.Context, f Feedback) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feedback[[2]string{f.EntryID, f.Member}] = f.Helpful
	return nil
}

func (s *memStore) RecordUnanswered(_ context.Context, u Unanswered) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unanswered = append(s.unanswered, u)
	return nil
}

func (s *memStore) Gaps(_ context.Context, limit int) (Gaps, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var g Gaps
	for _, u := range s.unanswered {
		g.Questions = append(g.Questions, GapQuestion{Question: u.Question, Asked: 1, Members: 1, Last: u.At, BestGuess: u.BestGuess})
	}
	return g, nil
}

func (s *memStore) AddPhrasing(_ context.Context, p Phrasing) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.phrasings {
		if q.EntryID == p.EntryID && q.Text == p.Text {
			return false, nil
		}
	}
	s.phrasings = append(s.phrasings, p)
	return true, nil
}

func (s *memStore) Phrasings(context.Context) ([]Phrasing, error) { return s.phrasings, nil }

// The handler tests here do not quote passages or promote them; those
// are tested on the real stores (see promote_test.go).

func (s *memStore) RecordPassageAnswer(context.Context, PassageAnswer) error {
	return errors.New("memStore keeps no passage answers")
}

func (s *memStore) AddPromotion(context.Context, Promotion) (bool, error) {
	return false, errors.New("memStore keeps no promotions")
}

func (s *memStore) Promotions(context.Context) ([]Promotion, error) { return nil, nil }

// harness is a Service over the default knowledge base and an in-memory
// store, on a router with one steward, steve.
type harness struct {
	t      *testing.T
	router *bot.Router
	store  *memStore
	svc    *Service
}

func newHarness(t *testing.T) *harness { return newHarnessWith(t, Options{}) }

func newHarnessWith(t *testing.T, opts Options) *harness {
	t.Helper()
	return newHarnessOn(t, loadDefault(t), opts)
}

// newHarnessOn is newHarness over knowledge base kb.
func newHarnessOn(t *testing.T, kb *KB, opts Options) *harness {
	t.Helper()
	stewards, err := bot.ParseStewards("console:steve")
	if err != nil {
		t.Fatal(err)
	}
	st := newMemStore()
	svc, err := New(Config{
		Matcher: NewMatcher(kb, nil, opts),
		Store:   st,
		Salt:    []byte("test salt"),
		Contact: "Call the union hall at 555-0100.",
		Clock:   bot.NewManualClock(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)),
		Log:     bottest.DiscardLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := bot.NewRouter(stewards, bottest.DiscardLogger())
	r.Register(svc.Command())
	r.Fallback(svc.Fallback())
	return &harness{t: t, router: r, store: st, svc: svc}
}

// say dispatches text from user and returns what the bot replied.
func (h *harness) say(user, text string) []bot.Reply {
	rec := &bottest.Recorder{}
	msg := bottest.Message(user, text)
	msg.DM = !strings.HasPrefix(text, "/")
	h.router.Dispatch(context.Background(), rec, msg)
	return rec.Replies()
}

// reply dispatches text from user and returns the one reply, failing the
// test on any other number of replies.
func (h *harness) reply(user, text string) bot.Reply {
	h.t.Helper()
	rs := h.say(user, text)
	if len(rs) != 1 {
		h.t.Fatalf("%q: got %d replies, want 1: %+v", text, len(rs), rs)
	}
	return rs[0]
}

// privateText dispatches text from alice and returns the text of the one
// reply, failing the test unless it is private and shows no card.
func (h *harness) privateText(text string) string {
	h.t.Helper()
	r := h.reply("alice", text)
	if r.Card != nil || !r.Private {
		h.t.Errorf("%q: %+v, want a private reply without a card", text, r)
	}
	return r.Text
}

func allText(r bot.Reply) string {
	s := r.Text
	if r.Card != nil {
		s += "\n" + r.Card.Title + "\n" + r.Card.Body + "\n" + r.Card.Footer
		for _, b := range r.Card.Buttons {
			s += "\n" + b.Label + " " + b.Command()
		}
	}
	return s
}

func TestAnswerIsACitedCardWithFeedbackButtons(t *testing.T) {
	h := newHarness(t)
	for _, text := range []string{"/faq so no pay bump for 2 yrs??", "is there a wage freeze"} {
		r := h.reply("alice", text)
		c := r.Card
		if c == nil {
			t.Fatalf("%q: no card: %+v", text, r)
		}
		if !strings.HasPrefix(c.Key, "faq:wage-freeze:") || c.Title != h.svc.Matcher.KB().Entry("wage-freeze").Question ||
			!strings.Contains(c.Body, "two-year wage freeze") || !strings.HasPrefix(c.Footer, "Source: ") {
			t.Errorf("%q: card %+v", text, c)
		}
		if len(c.Buttons) != 2 || c.Buttons[0].Command() != "/faq feedback wage-freeze helpful" || c.Buttons[1].Command() != "/faq feedback wage-freeze not-helpful" {
			t.Errorf("%q: buttons %+v", text, c.Buttons)
		}
		if r.Private != strings.HasPrefix(text, "/") {
			t.Errorf("%q: private = %v", text, r.Private)
		}
	}
	// Two answers never share a card key.
	a, b := h.reply("alice", "pension changes?"), h.reply("bob", "pension changes?")
	if a.Card.Key == b.Card.Key {
		t.Errorf("card keys repeat: %s", a.Card.Key)
	}
	if len(h.store.unanswered) != 0 {
		t.Errorf("answered questions recorded as unanswered: %+v", h.store.unanswered)
	}
}

func TestAbstainPointsToStewardAndRecordsHashedMember(t *testing.T) {
	h := newHarness(t)
	r := h.reply("alice", "how do I reset my email password")
	text := allText(r)
	if !strings.Contains(text, "rather not guess") || !strings.Contains(text, "555-0100") || !strings.Contains(text, "steward") {
		t.Errorf("abstention: %q", text)
	}
	if len(h.store.unanswered) != 1 {
		t.Fatalf("unanswered: %+v", h.store.unanswered)
	}
	u := h.store.unanswered[0]
	if u.Member != MemberHash([]byte("test salt"), "console:alice") || strings.Contains(u.Member, "alice") || len(u.Member) != 32 {
		t.Errorf("member recorded as %q", u.Member)
	}
	if u.Outcome != Abstain || u.Question != "how do I reset my email password" || u.Key == "" || !u.At.Equal(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("record %+v", u)
	}
	if MemberHash([]byte("other salt"), "console:alice") == u.Member {
		t.Error("hash does not depend on the salt")
	}
}

func TestSuggestionsAreButtons(t *testing.T) {
	// A matcher that answers only when (nearly) certain turns most
	// questions into suggestions.
	h := newHarnessWith(t, Options{AnswerAt: 0.999, SuggestAt: 0.01})
	var found bool
	for _, q := range []string{"vote", "the budget", "union rules"} {
		res := h.svc.Matcher.Match(q)
		if res.Outcome != Suggest {
			continue
		}
		found = true
		r := h.reply("alice", q)
		if r.Card == nil || len(r.Card.Buttons) < 2 || len(r.Card.Buttons) > 3 {
			t.Fatalf("%q: suggestion reply %+v", q, r)
		}
		for i, b := range r.Card.Buttons {
			if b.Command() != "/faq show "+res.Suggestions[i].ID || b.Label != res.Suggestions[i].Topic {
				t.Errorf("%q: button %+v", q, b)
			}
			// Clicking the button shows that entry.
			shown := h.reply("alice", b.Command())
			if shown.Card == nil || shown.Card.Title != res.Suggestions[i].Question {
				t.Errorf("%s: %+v", b.Command(), shown)
			}
		}
		if h.store.unanswered[len(h.store.unanswered)-1].Outcome != Suggest {
			t.Errorf("suggestion not recorded")
		}
	}
	if !found {
		t.Fatal("none of the vague questions led to suggestions")
	}
}

func TestBadInputGetsAShortReply(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("pension ", 1250) // 10,000 characters
	for _, tc := range []struct{ text, want string }{
		{"/faq", "Ask me a question after /faq"},
		{"/faq    ", "Ask me a question after /faq"},
		{"🎉🎉🎉", "couldn't find a question"},
		{"/faq 🙂", "couldn't find a question"},
		{"<@U123> @everyone", "couldn't find a question"},
		{"?!?", "couldn't find a question"},
		{long, "pension"},
		{"'; DROP TABLE faq_feedback; --", "rather not guess"},
		{"**What is SEBAC?** <!channel> @here", "SEBAC"},
		{"[click](http://evil.example) <@U123> free money", "rather not guess"},
		{"/faq show nosuch-topic", `no topic "nosuch-topic"`},
		{"/faq show <@U999>", "no such topic"},
		{"/faq feedback", "Say which topic"},
		{"/faq feedback pension maybe", "either helpful or not-helpful"},
		{"/faq feedback nosuch helpful", "no topic"},
		{`/faq what about "quotes`, "rather not guess"},
	} {
		r := h.reply("mallory", tc.text)
		text := allText(r)
		if !strings.Contains(text, tc.want) {
			t.Errorf("%.40q: reply %q, want it to contain %q", tc.text, text, tc.want)
		}
		for _, bad := range []string{"<@U", "@everyone", "@here", "<!channel>", "[click]", "goroutine", "panic", "DROP TABLE"} {
			if strings.Contains(text, bad) {
				t.Errorf("%.40q: reply echoes %q: %q", tc.text, bad, text)
			}
		}
	}
	for _, u := range h.store.unanswered {
		if strings.ContainsAny(u.Question, "<>*[]") || strings.Contains(u.Question, "@") {
			t.Errorf("recorded question not cleaned: %q", u.Question)
		}
	}
}

func TestFeedbackIsStoredPerMember(t *testing.T) {
	h := newHarness(t)
	r := h.reply("alice", "/faq feedback pension helpful")
	if !r.Private || !strings.Contains(r.Text, "Thanks") {
		t.Errorf("reply %+v", r)
	}
	h.say("alice", "/faq feedback pension not-helpful")
	r = h.reply("bob", "/FAQ Feedback Pension HELPFUL")
	alice, bob := MemberHash([]byte("test salt"), "console:alice"), MemberHash([]byte("test salt"), "console:bob")
	if h.store.feedback[[2]string{"pension", alice}] != false || h.store.feedback[[2]string{"pension", bob}] != true || len(h.store.feedback) != 2 {
		t.Errorf("feedback %+v", h.store.feedback)
	}
	r = h.reply("alice", "/faq feedback pension not-helpful")
	if !strings.Contains(r.Text, "555-0100") {
		t.Errorf("not-helpful reply does not say how to reach a steward: %q", r.Text)
	}
}

func TestStewardCommands(t *testing.T) {
	h := newHarness(t)
	h.say("alice", "what's the wifi password")
	for _, cmd := range []string{"/faq gaps", `/faq add wage-freeze "is our pay stuck in place"`} {
		r := h.reply("alice", cmd)
		if !r.Private || !strings.Contains(r.Text, "Only stewards") {
			t.Errorf("%s by a member: %+v", cmd, r)
		}
	}
	if len(h.store.phrasings) != 0 {
		t.Fatal("a member added a phrasing")
	}
	r := h.reply("steve", "/faq gaps")
	if !strings.Contains(r.Text, "wifi password") || !strings.Contains(r.Text, "asked 1 time by 1 member") {
		t.Errorf("gaps: %q", r.Text)
	}

	q := "is the thingamajig stuck for a while"
	if res := h.svc.Matcher.Match(q); res.Outcome == Answer {
		t.Fatalf("%q already answered: %s", q, res.Entry.ID)
	}
	r = h.reply("steve", `/faq add wage-freeze "`+q+`"`)
	if !strings.Contains(r.Text, "Added") {
		t.Fatalf("add: %q", r.Text)
	}
	if res := h.svc.Matcher.Match(q); res.Outcome != Answer || res.Entry.ID != "wage-freeze" {
		t.Errorf("after /faq add, %q gives %v %v", q, res.Outcome, res.Candidates)
	}
	if len(h.store.phrasings) != 1 || h.store.phrasings[0].Text != q || h.store.phrasings[0].Member == "console:steve" {
		t.Errorf("stored %+v", h.store.phrasings)
	}
	r = h.reply("steve", `/faq add wage-freeze "`+strings.ToUpper(q)+`"`)
	if !strings.Contains(r.Text, "already has") || len(h.store.phrasings) != 1 {
		t.Errorf("duplicate add: %q", r.Text)
	}
	for cmd, want := range map[string]string{
		"/faq add":                                           "Name a topic",
		"/faq add wage-freeze":                               "Name a topic",
		`/faq add nosuch "a question"`:                       "no topic",
		`/faq add wage-freeze "🎉 🎉"`:                         "no words",
		"/faq add wage-freeze " + strings.Repeat("pay ", 80): "too long",
	} {
		if r := h.reply("steve", cmd); !strings.Contains(r.Text, want) {
			t.Errorf("%.50s: %q, want %q", cmd, r.Text, want)
		}
	}
}

func TestTopicsListsEveryEntry(t *testing.T) {
	h := newHarness(t)
	r := h.reply("alice", "/faq topics")
	for _, id := range topicIDs {
		if !strings.Contains(r.Text, id+" - ") {
			t.Errorf("topics list lacks %s", id)
		}
	}
}

// TestAddPhrasingWhileAnswering runs questions and additions at once; the
// race detector checks the index swap.
func TestAddPhrasingWhileAnswering(t *testing.T) {
	m := NewMatcher(loadDefault(t), nil, Options{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				if g == 0 && i%5 == 0 {
					if _, err := m.AddPhrasing("pension", "pension question number "+strings.Repeat("x", i+1)); err != nil {
						t.Error(err)
					}
				}
				if r := m.Match("what happens to my pension"); r.Outcome != Answer || r.Entry.ID != "pension" {
					t.Errorf("during additions: %v", r.Candidates)
					return
				}
			}
		})
	}
	wg.Wait()
	if _, err := m.AddPhrasing("nosuch", "x"); err == nil {
		t.Error("phrasing for an unknown entry accepted")
	}
}

func TestSmallTalkAndSubjectlessQuestionsGetAskedForWords(t *testing.T) {
	h := newHarness(t)
	for text, want := range map[string]string{
		"hello":     "Hello!",
		"thank you": "You're welcome!",
		"1":         "What would you like to know?",
		"why?":      "What would you like to know?",
	} {
		if got := h.privateText(text); !strings.Contains(got, want) || !strings.Contains(got, "for example") {
			t.Errorf("%q: %q, want %q and an example", text, got, want)
		}
	}
	if n := len(h.store.unanswered); n != 0 {
		t.Errorf("%d small-talk messages recorded as knowledge-base gaps", n)
	}
}

func TestCommandWithoutSlashGetsAHint(t *testing.T) {
	h := newHarness(t)
	noop := bot.HandlerFunc(func(context.Context, bot.ResponseWriter, *bot.Request) error {
		t.Error("a command ran from free text")
		return nil
	})
	poll := bot.Arg{Name: "poll", Kind: bot.KindInt, Required: true}
	h.router.Register(bot.Command{Name: "vote", Summary: "vote", Forms: []bot.Form{{Handler: noop, Custom: true,
		Args: []bot.Arg{poll, {Name: "option", Required: true}}}}})
	h.router.Register(bot.Command{Name: "poll", Summary: "polls", Forms: []bot.Form{
		{Name: "open", Implicit: true, Custom: true, Handler: noop, Args: []bot.Arg{{Name: "question", Required: true, Placeholder: `"Question?"`}}},
		{Name: "results", Handler: noop, Args: []bot.Arg{poll}},
		{Name: "list", Handler: noop}}})
	h.router.Register(bot.Command{Name: "remind", Summary: "reminders", Forms: []bot.Form{{Name: "list", Handler: noop}}})
	h.svc.Commands = h.router.Commands
	for text, want := range map[string]string{
		"vote 1 yes":                   "Did you mean `/vote 1 yes`? Commands start with a slash.",
		"Vote  #3   2":                 "Did you mean `/vote 3 2`? Commands start with a slash.",
		"poll results 3":               "Did you mean `/poll results 3`? Commands start with a slash.",
		`poll "Lunch?" "Pizza" "Soup"`: "Did you mean `/poll \"Lunch?\" \"Pizza\" \"Soup\"`? Commands start with a slash.",
		"remind list":                  "Did you mean `/remind list`? Commands start with a slash.",
		"help":                         "Did you mean `/help`? Commands start with a slash.",
		"help vote":                    "Did you mean `/help vote`? Commands start with a slash.",
	} {
		if got := h.privateText(text); got != want {
			t.Errorf("%q: %q, want the hint %q", text, got, want)
		}
	}
	// Questions that start with a command's name are still questions.
	for text, id := range map[string]string{
		"vote count?":                     "vote-result",
		"help me understand the pension":  "pension",
		"remind me what the deadline is":  "deadline",
		"poll workers about the pension?": "pension",
	} {
		r := h.reply("alice", text)
		if strings.Contains(r.Text, "Did you mean `/") {
			t.Errorf("%q: got the command hint %q", text, r.Text)
		}
		if r.Card != nil && !strings.HasPrefix(r.Card.Key, "faq:"+id+":") && !strings.HasPrefix(r.Card.Key, "faq:suggest:") {
			t.Errorf("%q: card %s, want %s", text, r.Card.Key, id)
		}
	}
	// After a slash the same words run the command; /faq takes them as a question.
	r := h.reply("alice", "/faq vote count?")
	if r.Card == nil || !strings.HasPrefix(r.Card.Key, "faq:vote-result:") {
		t.Errorf("/faq vote count?: %+v %+v", r, r.Card)
	}
}

// TestStewardContactReadsWell checks the sentences that point to a
// steward, with a configured contact and without one.
func TestStewardContactReadsWell(t *testing.T) {
	for _, contact := range []string{"Call the union hall at 555-0100.", ""} {
		h := newHarness(t)
		h.svc.Contact = contact
		want := ContactText(contact)
		for text, before := range map[string]string{
			"/faq feedback pension not-helpful": "or ask a steward. ",
			"how do I reset my email password":  "talk to your steward. ",
			"/faq show " + ContactEntry:         "talk to your steward.\n",
		} {
			got := allText(h.reply("alice", text))
			if !strings.Contains(got, before+want) || strings.Contains(got, ": If") {
				t.Errorf("contact %q, %q: %q, want %q", contact, text, got, before+want)
			}
		}
	}
	if ContactText("  ") != DefaultContact || ContactText(" Call 555-0100. ") != "Call 555-0100." {
		t.Error("ContactText does not fall back to DefaultContact")
	}
}

// TestRelatedEntryIsAButton checks that an answer offers a related entry
// as a button that shows it.
func TestRelatedEntryIsAButton(t *testing.T) {
	h := newHarness(t)
	kb := h.svc.Matcher.KB()
	c := h.svc.card(kb.Entry("vote-result"), nil, kb.Entry("ratification-rules"))
	if len(c.Buttons) != 3 || c.Buttons[2].Command() != "/faq show ratification-rules" || !strings.Contains(c.Buttons[2].Label, "Ratification rules") {
		t.Fatalf("buttons %+v", c.Buttons)
	}
	shown := h.reply("alice", c.Buttons[2].Command())
	if shown.Card == nil || shown.Card.Title != kb.Entry("ratification-rules").Question {
		t.Errorf("related button shows %+v", shown)
	}
}

func TestOfferedPassagesOpenFromTheirButtons(t *testing.T) {
	h := newHarnessOn(t, agreementKB(t), Options{})
	r := h.reply("alice", "how long do i have to file a grievance")
	if r.Card == nil {
		t.Fatalf("no card: %q", r.Text)
	}
	if !strings.Contains(r.Card.Body, `From the agreement, Article 13, Section 13.3 (Filing): "A grievance must be filed within twenty (20) working days`) {
		t.Errorf("the card does not offer the filing section:\n%s", r.Card.Body)
	}
	open := buttonCommand(r.Card, "Article 13, Section 13.3")
	if open != "/faq show 13.3" {
		t.Fatalf("the filing section's button is %q, want /faq show 13.3:\n%s", open, allText(r))
	}
	shown := allText(h.reply("alice", open))
	for _, want := range []string{`Article 13, Section 13.3 (Filing): "A grievance must be filed within twenty (20) working days`, PassageNote} {
		if !strings.Contains(shown, want) {
			t.Errorf("%s shows %q, without %q", open, shown, want)
		}
	}
	// Stewards see the closest passage of a question only offered
	// passages, with the command that promotes it.
	gaps := allText(h.reply("steve", "/faq gaps"))
	if !strings.Contains(gaps, "closest passage: 13.3\n   /faq promote \"how long do i have to file a grievance\" 13.3") {
		t.Errorf("/faq gaps does not name the closest passage:\n%s", gaps)
	}
	if got := allText(h.reply("alice", "/faq show 99.9")); !strings.Contains(got, `There is no topic or passage "99.9"`) {
		t.Errorf("an unknown passage: %q", got)
	}
	if got := allText(h.reply("alice", "/faq show wage-freeze")); !strings.Contains(got, "wage freeze") {
		t.Errorf("a topic no longer shows: %q", got)
	}
}

// buttonCommand returns the command of the card's button with the label,
// or "" when it has none.
func buttonCommand(c *bot.Card, label string) string {
	for _, b := range c.Buttons {
		if b.Label == label {
			return b.Command()
		}
	}
	return ""
}

// TestEntryAnswerCitesTheAgreementBeside checks that a prepared answer
// shows, when the union's documents hold the question's subject, the
// passage's citation and best sentence with a button that opens it, and
// nothing when they do not.
func TestEntryAnswerCitesTheAgreementBeside(t *testing.T) {
	h := newHarnessOn(t, agreementKB(t), Options{})
	r := h.reply("alice", "is there a labor management committee")
	if r.Card == nil || r.Card.Title != h.svc.Matcher.KB().Entry("cost-saving-committees").Question {
		t.Fatalf("not answered by the committees entry: %s", allText(r))
	}
	if !strings.Contains(r.Card.Body, "\n\nIn the agreement, Article 22, Section 22.1 (Statewide and Facility Committees): \"22.1.1 The parties shall keep a statewide Labor-Management Committee") {
		t.Errorf("the answer does not cite the committees section:\n%s", r.Card.Body)
	}
	open := buttonCommand(r.Card, "Article 22, Section 22.1")
	if open != "/faq show 22.1" {
		t.Fatalf("the section's button is %q, want /faq show 22.1:\n%s", open, allText(r))
	}
	if shown := allText(h.reply("alice", open)); !strings.Contains(shown, "Article 22, Section 22.1 (Statewide and Facility Committees)") {
		t.Errorf("%s shows %q", open, shown)
	}
	// The wage freeze is the default knowledge base's deal; the sample
	// agreement has no clause on it.
	r = h.reply("alice", "is there a wage freeze?")
	if r.Card == nil || r.Card.Title != h.svc.Matcher.KB().Entry("wage-freeze").Question {
		t.Fatalf("not answered by the wage freeze entry: %s", allText(r))
	}
	if strings.Contains(r.Card.Body, "In the agreement") || len(r.Card.Buttons) != 2 {
		t.Errorf("an answer the documents do not hold cites them:\n%s\n%+v", r.Card.Body, r.Card.Buttons)
	}
}

package faq

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/unionhall/unionhall/bot"
)

// ContactEntry is the id of the entry that tells members how to reach a
// steward; abstentions point to it.
const ContactEntry = "contact-steward"

// DefaultContact is the steward contact text when none is configured. Like
// a configured one, it is a sentence of its own, so that it reads well
// after any sentence that mentions a steward.
const DefaultContact = "If you don't know who your steward is, ask at your worksite or call your union office."

// ContactText is the sentence that says how to reach a steward: the
// configured one, or DefaultContact when none is.
func ContactText(configured string) string {
	if c := strings.TrimSpace(configured); c != "" {
		return c
	}
	return DefaultContact
}

// Limits on what stewards add and what is kept of unanswered questions.
const (
	maxKeptQuestion = 300
	maxEcho         = 80
	gapsShown       = 15
)

// MemberHash returns the keyed hash that stands for a member in the
// Store: HMAC-SHA-256 of the platform-qualified ID under the
// installation's salt, so records cannot be linked to a member without the
// salt, nor across installations.
func MemberHash(salt []byte, userID string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Command returns the /faq command for a Router: the one declaration from
// which the Router checks its arguments and every platform builds its
// help and its own command form.
func (s *Service) Command() bot.Command {
	topic := bot.Arg{Name: "topic", Summary: "A topic's id, from /faq topics", Required: true, MaxLength: 100}
	shown := topic
	shown.Summary = "A topic's id, from /faq topics, or a passage of the agreement, such as 13.3"
	return bot.Command{
		Name:    "faq",
		Summary: "answers to members' questions about the agreement",
		Forms: []bot.Form{
			{
				Name: "ask", Implicit: true,
				Summary: "answer a question (you can also DM me or mention me)",
				Args:    []bot.Arg{{Name: "question", Summary: "Your question about the agreement", Kind: bot.KindText, MaxLength: 1000}},
				Handler: bot.HandlerFunc(s.serveAsk),
			},
			{Name: "topics", Aliases: []string{"topic", "list"}, Summary: "list what I can answer", Handler: bot.HandlerFunc(s.topics)},
			{Name: "show", Summary: "show the answer for one topic, or a passage of the agreement", Args: []bot.Arg{shown}, Handler: bot.HandlerFunc(s.show)},
			{
				Name: "feedback", Summary: "say whether an answer helped (the buttons under answers do this)",
				Args: []bot.Arg{topic, {
					Name: "answer", Summary: "Whether the answer helped", Kind: bot.KindChoice, Required: true,
					Choices:  []string{"helpful", "not-helpful"},
					Synonyms: map[string]string{"yes": "helpful", "up": "helpful", "good": "helpful", "unhelpful": "not-helpful", "no": "not-helpful", "down": "not-helpful", "bad": "not-helpful"},
				}},
				Handler: bot.HandlerFunc(s.feedback),
			},
			{Name: "gaps", Steward: "see what the knowledge base missed", Summary: "questions the knowledge base missed or answered from the agreement's text, and feedback", Handler: bot.HandlerFunc(s.gaps)},
			{
				Name: "add", Custom: true, Steward: "add phrasings to the knowledge base",
				Summary: "teach me another way to ask for a topic",
				Args:    []bot.Arg{topic, {Name: "question", Summary: "Another way members ask for the topic", Kind: bot.KindText, Required: true, MaxLength: maxPhrasingLen, Placeholder: `"<question>"`}},
				Handler: bot.HandlerFunc(s.add),
			},
			{
				Name: "promote", Custom: true, Steward: "promote passages to prepared answers",
				Summary: "start a prepared answer from a passage of the agreement (/faq gaps lists them)",
				Args: []bot.Arg{
					{Name: "question", Summary: "The question the answer is for", Kind: bot.KindText, Required: true, MaxLength: maxQuestionLen, Placeholder: `"<question>"`},
					{Name: "passage", Summary: "The passage's reference, from /faq gaps, e.g. 13.3", Required: true, MaxLength: maxRefLen, Placeholder: "<passage>"},
				},
				Handler: bot.HandlerFunc(s.promote),
			},
		},
	}
}

// Fallback returns the Handler for free text: a question in a DM or a
// mention.
func (s *Service) Fallback() bot.Handler { return bot.HandlerFunc(s.serveQuestion) }

// serveAsk answers /faq <question>.
func (s *Service) serveAsk(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	if strings.TrimSpace(r.Arg("question")) == "" {
		return reply(ctx, w, r, true, "Ask me a question after /faq, for example: /faq is there a wage freeze?\n"+
			"You can also send me a direct message or mention me. /faq topics lists what I can answer.")
	}
	return s.answer(ctx, w, r, r.Arg("question"))
}

func (s *Service) serveQuestion(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	if cmd := s.missingSlash(r.Raw); cmd != "" {
		return reply(ctx, w, r, true, fmt.Sprintf("Did you mean `/%s`? Commands start with a slash.", cleanText(cmd, maxEcho)))
	}
	return s.answer(ctx, w, r, r.Raw)
}

// missingSlash returns text when it reads as a command typed without its
// slash, or "". It does when the first word is exactly a command's name
// and what follows reads like that command's arguments: nothing, for a
// command that takes none ("help"); a number ("vote 1 yes"); a word that
// the command's usage spells out ("poll results 3", "remind list"); a
// quoted text where the usage has one; or, for help, a command's name. A
// question that merely starts with such a word ("vote count?", "help me
// understand the pension") is a question.
func (s *Service) missingSlash(text string) string {
	if s.Commands == nil {
		return ""
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return ""
	}
	name := strings.ToLower(fields[0])
	cmds := s.Commands()
	var cmd *bot.Command
	for i := range cmds {
		if cmds[i].Name == name {
			cmd = &cmds[i]
		}
	}
	if cmd == nil {
		return ""
	}
	line := strings.Join(append([]string{name}, fields[1:]...), " ")
	for _, f := range cmd.Forms {
		syn := strings.Fields(bot.Syntax(*cmd, f))
		switch {
		case len(fields) == 1 && !takesArgs(f):
			return line
		case len(fields) == 1 || len(syn) == 1:
		case strings.EqualFold(syn[1], fields[1]):
			return line
		case strings.HasPrefix(syn[1], `"`) && strings.ContainsAny(fields[1][:1], "\"“”"):
			return line
		}
	}
	if len(fields) > 1 {
		arg := strings.ToLower(strings.TrimPrefix(fields[1], "#"))
		if arg != "" && isNumeric(arg) && strings.Trim(arg, ".") != "" {
			return line
		}
		if name == "help" {
			for _, c := range cmds {
				if c.Name == strings.TrimPrefix(arg, "/") {
					return line
				}
			}
		}
	}
	return ""
}

// takesArgs reports whether form f needs an argument after its name.
func takesArgs(f bot.Form) bool {
	if f.Name != "" && !f.Implicit {
		return true
	}
	for _, a := range f.Positional() {
		if a.Required {
			return true
		}
	}
	return false
}

// private reports whether answers to r go to the member alone: a slash
// command is private, a DM is private by nature, and a mention in a
// channel is answered there, where the question was asked.
func private(r *bot.Request) bool { return r.Command != "" }

func reply(ctx context.Context, w bot.ResponseWriter, r *bot.Request, priv bool, text string) error {
	return w.Reply(ctx, bot.Reply{Text: text, Private: priv, Thread: r.Thread})
}

func (s *Service) answer(ctx context.Context, w bot.ResponseWriter, r *bot.Request, question string) error {
	res := s.Matcher.Match(question)
	s.Metrics.FAQOutcome(res.Outcome.String())
	priv := private(r)
	example := "is there a wage freeze?"
	if r.Command != "" {
		example = "/faq " + example
	}
	switch res.Outcome {
	case Answer:
		return w.Reply(ctx, bot.Reply{Card: s.card(res.Entry, res.Beside, res.Related...), Private: priv, Thread: r.Thread})
	case Passage:
		s.recordPassageAnswer(ctx, r, question, res.Quoted)
		return reply(ctx, w, r, priv, res.Quoted.Reply())
	case Clarify:
		// Small talk and subjectless questions are no gap in the
		// knowledge base, so they are not recorded.
		topics := "Type /faq topics to see what I can answer, or /help for every command."
		switch {
		case res.Thanks:
			return reply(ctx, w, r, true, "You're welcome! If you have another question about the agreement, ask me in words, for example: "+example)
		case res.SmallTalk:
			return reply(ctx, w, r, true, "Hello! I answer questions about the agreement on the table. Ask me in words, for example: "+example+"\n"+topics)
		}
		return reply(ctx, w, r, true, "What would you like to know? I need the subject of your question, such as pensions, the wage freeze or layoffs. "+
			"Ask me in words, for example: "+example+"\n"+topics)
	case Suggest:
		s.recordUnanswered(ctx, r, question, res)
		card := &bot.Card{
			Key:    s.key("suggest"),
			Title:  "I'm not sure I understood. Did you mean one of these?",
			Footer: "If none of these is it, ask a steward. " + s.contact(),
		}
		var body []string
		for _, e := range res.Suggestions {
			body = append(body, "- "+e.Question)
			card.Buttons = append(card.Buttons, bot.Button{Label: e.Topic, Action: "faq", Value: "show " + e.ID})
		}
		for _, q := range res.Offered {
			body = append(body, "- From the agreement, "+q.Offer())
			if ref := s.Matcher.Ref(q.Passage); ref != "" {
				card.Buttons = append(card.Buttons, bot.Button{Label: q.Label(), Action: "faq", Value: "show " + ref})
			}
		}
		card.Body = strings.Join(body, "\n")
		return w.Reply(ctx, bot.Reply{Card: card, Private: priv, Thread: r.Thread})
	}
	if res.Empty {
		return reply(ctx, w, r, true, "I couldn't find a question in that. Ask me in words, for example: "+example)
	}
	s.recordUnanswered(ctx, r, question, res)
	text := "I don't have a reliable answer to that in my knowledge base, and I'd rather not guess."
	if e := s.Matcher.Entry(ContactEntry); e != nil {
		text += " " + e.Answer
	}
	text += " " + s.contact() + "\nType /faq topics to see what I can answer."
	return reply(ctx, w, r, priv, text)
}

func (s *Service) contact() string { return ContactText(s.Contact) }

// key returns a card key unique to one posted answer, so that a later
// update of one card never edits another.
func (s *Service) key(id string) string {
	return fmt.Sprintf("faq:%s:%d", id, s.seq.Add(1))
}

// card is the answer card of an entry, with its source, feedback buttons,
// the passage of the union's documents beside it when there is one (its
// citation and best sentence, and a button that opens it) and a button
// for each related entry.
func (s *Service) card(e *Entry, beside *Quoted, related ...*Entry) *bot.Card {
	body := e.Answer
	if e.ID == ContactEntry {
		body += "\n" + s.contact()
	}
	var open *bot.Button
	if beside != nil {
		if ref := s.Matcher.Ref(beside.Passage); ref != "" {
			body += "\n\nIn the agreement, " + beside.Offer()
			open = &bot.Button{Label: beside.Label(), Action: "faq", Value: "show " + ref}
		}
	}
	c := &bot.Card{
		Key:    s.key(e.ID),
		Title:  e.Question,
		Body:   body,
		Footer: s.Matcher.Citation(e),
		Buttons: []bot.Button{
			{Label: "Helpful", Action: "faq", Value: "feedback " + e.ID + " helpful", Style: bot.StylePrimary},
			{Label: "Not helpful", Action: "faq", Value: "feedback " + e.ID + " not-helpful"},
		},
	}
	if open != nil {
		c.Buttons = append(c.Buttons, *open)
	}
	for _, r := range related {
		c.Buttons = append(c.Buttons, bot.Button{Label: "Also: " + r.Topic, Action: "faq", Value: "show " + r.ID})
	}
	return c
}

func (s *Service) recordUnanswered(ctx context.Context, r *bot.Request, question string, res Result) {
	u := Unanswered{Outcome: res.Outcome}
	switch {
	case len(res.Offered) > 0 && len(res.Suggestions) == 0:
		// Only passages were offered: the first is what a steward may
		// want to promote.
		if ref := s.Matcher.Ref(res.Offered[0].Passage); ref != "" {
			u.BestGuess = passageGuess + ref
		}
	case len(res.Candidates) > 0:
		u.BestGuess = res.Candidates[0].Entry.ID
	}
	s.record(ctx, r, question, "an unanswered question", func(a asked) error {
		u.Key, u.Question, u.Member, u.At = a.key, a.question, a.member, a.at
		return s.Store.RecordUnanswered(ctx, u)
	})
}

// recordPassageAnswer notes a question answered by quoting q, so that
// /faq gaps can offer to promote the passage.
func (s *Service) recordPassageAnswer(ctx context.Context, r *bot.Request, question string, q *Quoted) {
	s.record(ctx, r, question, "a question answered from a passage", func(a asked) error {
		return s.Store.RecordPassageAnswer(ctx, PassageAnswer{Key: a.key, Question: a.question, Citation: q.Citation,
			Ref: s.Matcher.Ref(q.Passage), Member: a.member, At: a.at})
	})
}

// asked is what every record of a question keeps of it and its asker.
type asked struct {
	key, question, member string
	at                    time.Time
}

// record stores a question with store, unless it has no words to group
// it by; what names the record for the log when storing fails.
func (s *Service) record(ctx context.Context, r *bot.Request, question, what string, store func(asked) error) {
	if s.Store == nil {
		return
	}
	a := asked{key: normalizeKey(question), question: cleanText(question, maxKeptQuestion), member: MemberHash(s.Salt, r.User.ID), at: s.Clock.Now()}
	if a.key == "" {
		return
	}
	if err := store(a); err != nil {
		// The member still gets their answer; stewards lose one record.
		s.Log.ErrorContext(ctx, "could not record "+what, "err", err)
	}
}

func (s *Service) topics(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	var b strings.Builder
	b.WriteString("I can answer questions on these topics (ask in your own words, or type /faq show <topic>):\n")
	for _, e := range s.Matcher.Entries() {
		fmt.Fprintf(&b, "\n%s - %s", e.ID, e.Topic)
	}
	return reply(ctx, w, r, true, b.String())
}

// entry returns the entry with a typed id, or an ENOTFOUND error that
// echoes the id only when it looks like one.
func (s *Service) entry(id string) (*Entry, error) {
	if e := s.Matcher.Entry(id); e != nil {
		return e, nil
	}
	if s.Matcher.HasDocuments() && refPattern.MatchString(id) {
		return nil, bot.Errorf(bot.ENOTFOUND, "There is no topic or passage %q. Type /faq topics to see the topics; a passage is named by its number in the agreement, such as 13.3.", id)
	}
	if idPattern.MatchString(id) {
		return nil, bot.Errorf(bot.ENOTFOUND, "There is no topic %q. Type /faq topics to see them.", id)
	}
	return nil, bot.Errorf(bot.ENOTFOUND, "There is no such topic. Type /faq topics to see them.")
}

// passageGuess starts the best guess recorded for a question that was
// offered only passages, before the first one's reference: entries' ids
// never contain a space.
const passageGuess = "passage "

// refPattern matches what may be a passage's reference ("13.3",
// "side-letter-overtime:3", "agreement:13.3(a)"), safe to echo.
var refPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.:()-]{0,60}$`)

func (s *Service) show(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	// A passage offered among suggestions opens by its reference
	// ("13.3"), which no topic's id can be.
	if p, _, ok := s.Matcher.PassageByRef(r.Arg("topic")); ok && s.Matcher.Entry(strings.ToLower(r.Arg("topic"))) == nil {
		q := Quoted{Passage: p, Citation: p.Citation()}
		return reply(ctx, w, r, private(r), q.Reply())
	}
	e, err := s.entry(strings.ToLower(r.Arg("topic")))
	if err != nil {
		return err
	}
	return w.Reply(ctx, bot.Reply{Card: s.card(e, nil), Private: private(r), Thread: r.Thread})
}

func (s *Service) feedback(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	e, err := s.entry(strings.ToLower(r.Arg("topic")))
	if err != nil {
		return err
	}
	helpful := r.Arg("answer") == "helpful"
	if s.Store == nil {
		return fmt.Errorf("faq: no store for feedback")
	}
	err = s.Store.RecordFeedback(ctx, Feedback{EntryID: e.ID, Member: MemberHash(s.Salt, r.User.ID), Helpful: helpful, At: s.Clock.Now()})
	if err != nil {
		return fmt.Errorf("record feedback on %s: %w", e.ID, err)
	}
	text := fmt.Sprintf("Thanks! I noted that the answer on %q helped.", e.Topic)
	if !helpful {
		text = fmt.Sprintf("Thanks for telling me. Stewards review answers that miss the mark (%q is noted). "+
			"You can ask again in other words, or ask a steward. %s", e.Topic, s.contact())
	}
	return reply(ctx, w, r, true, text)
}

func (s *Service) gaps(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	g, err := s.Store.Gaps(ctx, gapsShown)
	if err != nil {
		return fmt.Errorf("read faq gaps: %w", err)
	}
	var unanswered, quoted, feedback gapsList
	if len(g.Questions) == 0 {
		unanswered.head = "No unanswered questions so far."
	} else {
		unanswered.head = "Questions members asked that the knowledge base could not answer, most asked first:"
		for i, q := range g.Questions {
			line := fmt.Sprintf("%d. %q - asked %s by %s, last on %s", i+1, cleanText(q.Question, maxEcho),
				bot.Plural(q.Asked, "time"), bot.Plural(q.Members, "member"), q.Last.Format("2006-01-02"))
			if ref, ok := strings.CutPrefix(q.BestGuess, passageGuess); ok {
				line += fmt.Sprintf("; closest passage: %s\n   /faq promote %s %s", ref, quoteArg(cleanText(q.Question, maxQuestionLen)), ref)
			} else if q.BestGuess != "" {
				line += "; closest topic: " + q.BestGuess
			}
			unanswered.items = append(unanswered.items, line)
		}
		unanswered.foot = "To answer one of these from an existing topic: /faq add <topic> \"<question>\""
	}
	for _, q := range g.Passages {
		if p, _, ok := s.Matcher.PassageByRef(q.Ref); ok && p.Citation() == q.Citation && s.Matcher.PromotedFrom(p) != nil {
			continue // promoted since: the question is answered with the entry now
		}
		quoted.items = append(quoted.items, fmt.Sprintf("%d. %q - asked %s, quoted %s\n   /faq promote %s %s",
			len(quoted.items)+1, cleanText(q.Question, maxEcho), bot.Plural(q.Asked, "time"), q.Citation, quoteArg(cleanText(q.Question, maxQuestionLen)), q.Ref))
	}
	if len(quoted.items) > 0 {
		quoted.head = "\n\nAnswered from the agreement's text (a prepared answer may serve members better):"
	}
	if len(g.Feedback) > 0 {
		feedback.head = "\n\nFeedback on answers (members' current verdicts):"
		for _, f := range g.Feedback {
			feedback.items = append(feedback.items, fmt.Sprintf("%s: %d helpful, %d not helpful", f.EntryID, f.Helpful, f.NotHelpful))
		}
	}
	return reply(ctx, w, r, true, fitLists(maxReplyChars, &unanswered, &quoted, &feedback))
}

func (s *Service) add(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	const usage = `Name a topic and the question, e.g. /faq add wage-freeze "is our pay frozen?"`
	toks := r.Positional()
	if len(toks) < 2 {
		return bot.Errorf(bot.EINVALID, "%s", usage)
	}
	e, err := s.entry(strings.ToLower(toks[0].Text))
	if err != nil {
		return err
	}
	phrasing, err := typedQuestion(toks[1:], maxPhrasingLen, usage)
	if err != nil {
		return err
	}
	if s.Matcher.HasPhrasing(e.ID, phrasing) {
		return reply(ctx, w, r, true, fmt.Sprintf("%q already has that phrasing.", e.ID))
	}
	added, err := s.Store.AddPhrasing(ctx, Phrasing{EntryID: e.ID, Text: phrasing, Member: MemberHash(s.Salt, r.User.ID), At: s.Clock.Now()})
	if err != nil {
		return fmt.Errorf("store phrasing for %s: %w", e.ID, err)
	}
	if _, err := s.Matcher.AddPhrasing(e.ID, phrasing); err != nil {
		return fmt.Errorf("index phrasing for %s: %w", e.ID, err)
	}
	if !added {
		return reply(ctx, w, r, true, fmt.Sprintf("%q already has that phrasing.", e.ID))
	}
	text := fmt.Sprintf("Added. %q now also asks for %q.", cleanText(phrasing, maxEcho), e.ID)
	if res := s.Matcher.Match(phrasing); res.Outcome != Answer || res.Entry.ID != e.ID {
		text += " Note: other topics still match it closely, so I may not answer it with this topic; a keyword in the knowledge base file may help."
	}
	return reply(ctx, w, r, true, text)
}

// typedQuestion is the question a steward typed as toks, quoted or not,
// cleaned as it will be shown, or an EINVALID error ending with usage
// when it has no words or more than max characters.
func typedQuestion(toks []bot.Token, max int, usage string) (string, error) {
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		parts = append(parts, t.Text)
	}
	q := cleanText(strings.Join(parts, " "), max+1)
	switch {
	case len(tokenize(q, maxQueryTokens)) == 0:
		return "", bot.Errorf(bot.EINVALID, "That question has no words I can match. %s", usage)
	case utf8.RuneCountInString(q) > max:
		return "", bot.Errorf(bot.EINVALID, "That question is too long (the limit is %d characters). %s", max, usage)
	}
	return q, nil
}

// normalizeKey is the words of a question, for grouping the same question
// written differently.
func normalizeKey(q string) string {
	key := strings.Join(tokenize(q, maxQueryTokens), " ")
	if len(key) > maxKeptQuestion {
		key = key[:maxKeptQuestion]
	}
	return strings.ToValidUTF8(key, "")
}

// cleanText makes member text safe and short to show again: platform
// mentions and markup characters are removed, white space collapsed, and
// the text cut to max characters.
func cleanText(s string, max int) string {
	var b strings.Builder
	skipMention := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '<':
			if end := strings.IndexByte(s[i:], '>'); end > 0 {
				i += end + 1
				b.WriteByte(' ')
				continue
			}
		case r == '@':
			skipMention = true
		case unicode.IsSpace(r) || unicode.IsControl(r):
			skipMention = false
			b.WriteByte(' ')
		case strings.ContainsRune("*_~`|>[]{}#\\", r):
			b.WriteByte(' ')
		case skipMention && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		default:
			skipMention = false
			b.WriteRune(r)
		}
		i += size
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if utf8.RuneCountInString(out) > max {
		out = string([]rune(out)[:max-1]) + "…"
	}
	return out
}

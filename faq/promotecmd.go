package faq

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/faq/passages"
	"gopkg.in/yaml.v3"
)

// maxReplyChars is the longest reply text the smallest platform's message
// takes (Discord's 2,000 characters).
const maxReplyChars = 2000

// Limits on what /faq promote takes and makes.
const (
	maxRefLen   = 100
	maxTopicLen = 60
	// maxIDBase and maxIDNumber bound the parts of an id made from the
	// title and from the passage's number or reference, so that with a
	// count after them it stays within an id's 63 characters.
	maxIDBase   = 36
	maxIDNumber = 20
)

// promoteUsage shows how /faq promote is typed.
const promoteUsage = `Give the question in quotes, then the passage's reference, e.g. /faq promote "how long do I have to file a grievance?" 13.3. /faq gaps lists questions answered from the agreement, each with the command that promotes its passage.`

// promote starts a prepared entry from a passage: /faq promote
// "<question>" <passage>.
func (s *Service) promote(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
	if !s.Matcher.HasDocuments() {
		return bot.Errorf(bot.EINVALID, "There are no documents to promote a passage from: the knowledge base has no %s folder with the agreement in it. docs/documents.md says how to add it.", DocumentsDir)
	}
	toks := r.Positional()
	if len(toks) < 2 {
		return bot.Errorf(bot.EINVALID, "%s", promoteUsage)
	}
	question, err := typedQuestion(toks[:len(toks)-1], maxQuestionLen, promoteUsage)
	if err != nil {
		return err
	}
	p, ref, ok := s.Matcher.PassageByRef(toks[len(toks)-1].Text)
	if !ok {
		return bot.Errorf(bot.ENOTFOUND, "There is no passage %q. A passage is named by its reference, such as 13.3: /faq gaps lists questions answered from the agreement with their passages' references.",
			cleanText(toks[len(toks)-1].Text, 30))
	}
	if e := s.Matcher.PromotedFrom(p); e != nil {
		return bot.Errorf(bot.EINVALID, "%s is already the topic %q (/faq show %s). To answer this question with it too: /faq add %s %s",
			ref, e.ID, e.ID, e.ID, quoteArg(question))
	}
	if res := s.Matcher.Match(question); res.Outcome == Answer {
		return bot.Errorf(bot.EINVALID, "The topic %q already answers that question (/faq show %s), so a new topic would never be shown for it. "+
			"Promote the passage with another question, or add this one to that topic: /faq add %s %s", res.Entry.ID, res.Entry.ID, res.Entry.ID, quoteArg(question))
	}
	promo := Promotion{
		EntryID:  s.promotedID(p, ref),
		Topic:    promotedTopic(p),
		Question: question,
		Answer:   s.promotedAnswerText(question, p),
		Citation: p.Citation(),
		Ref:      ref,
		Member:   MemberHash(s.Salt, r.User.ID),
		At:       s.Clock.Now(),
	}
	stored, err := s.Store.AddPromotion(ctx, promo)
	if err != nil {
		return fmt.Errorf("store promoted entry %s: %w", promo.EntryID, err)
	}
	if !stored {
		return s.promotedElsewhere(ctx, promo)
	}
	if err := s.Matcher.Promote(promo); err != nil {
		return fmt.Errorf("index promoted entry %s: %w", promo.EntryID, err)
	}
	return reply(ctx, w, r, true, promotedReply(promo))
}

// promotedElsewhere explains a promotion the Store refused because
// another steward, in this process or another, promoted the same passage
// or took the id first; it takes in what they stored, so that this
// process answers with it too.
func (s *Service) promotedElsewhere(ctx context.Context, promo Promotion) error {
	all, err := s.Store.Promotions(ctx)
	if err != nil {
		return fmt.Errorf("read promoted entries: %w", err)
	}
	for _, p := range all {
		if s.Matcher.Entry(p.EntryID) != nil {
			continue
		}
		if err := s.Matcher.Promote(p); err != nil && !errors.Is(err, ErrPassagePromoted) {
			s.Log.WarnContext(ctx, "promoted entry left out", "entry", p.EntryID, "err", err)
		}
	}
	for _, p := range all {
		if p.Ref == promo.Ref && p.Citation == promo.Citation {
			return bot.Errorf(bot.EINVALID, "Another steward has just promoted %s as the topic %q (/faq show %s). To answer this question with it too: /faq add %s %s",
				promo.Ref, p.EntryID, p.EntryID, p.EntryID, quoteArg(promo.Question))
		}
	}
	return bot.Errorf(bot.EINVALID, "Another steward has just taken the id %q. Try the command again: it will pick another.", promo.EntryID)
}

// promotedID is an id made from the passage's title ("filing"), with the
// passage's number after it when that is taken ("filing-13-3"), then its
// reference, then a count.
func (s *Service) promotedID(p passages.Passage, ref string) string {
	base := slug(p.Title(), maxIDBase)
	if base == "" {
		base = "passage"
	}
	candidates := []string{base}
	for _, n := range []string{p.Number(), ref} {
		if sl := slug(n, maxIDNumber); sl != "" {
			candidates = append(candidates, base+"-"+sl)
		}
	}
	for _, id := range candidates {
		if s.Matcher.Entry(id) == nil {
			return id
		}
	}
	last := candidates[len(candidates)-1]
	for n := 2; ; n++ {
		if id := last + "-" + strconv.Itoa(n); s.Matcher.Entry(id) == nil {
			return id
		}
	}
}

// slug writes text as an id: lower-case letters and digits, other runs
// of characters made one hyphen, at most max characters cut at a hyphen
// where one is near.
func slug(text string, max int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > max {
		out = out[:max]
		if i := strings.LastIndexByte(out, '-'); i > max/2 {
			out = out[:i]
		}
		out = strings.TrimRight(out, "-")
	}
	return out
}

// promotedTopic is the passage's heading title, or its citation when it
// has none, cut to a topic's length.
func promotedTopic(p passages.Passage) string {
	topic := p.Title()
	if topic == "" {
		topic = p.Citation()
	}
	return cleanText(topic, maxTopicLen)
}

// promotedAnswerText is the passage as members were shown it for the
// question, when the question finds it; otherwise the passage's opening,
// cut as an excerpt is.
func (s *Service) promotedAnswerText(question string, p passages.Passage) string {
	q := Quoted{Passage: p, Citation: p.Citation()}
	if found := s.Matcher.Match(question).Quoted; found != nil && found.Citation == q.Citation {
		q = *found
	}
	return q.Excerpt(MaxExcerptChars)
}

// promotedReply tells the steward what was created and how to refine it
// in the knowledge base's files, with the file's lines when they fit in
// one message.
func promotedReply(p Promotion) string {
	text := fmt.Sprintf("Promoted %s to the new topic %q (%s). %q now answers with it, and so does every question that quoted %s. "+
		"/faq show %s shows it; /faq add %s \"<question>\" teaches it other ways to ask.\n"+
		"It is kept in the database. To refine it, write it into the knowledge base as %s/%s.yaml and restart: the file then takes its place.",
		p.Ref, p.EntryID, p.Topic, cleanText(p.Question, maxEcho), p.Citation, p.EntryID, p.EntryID, EntriesDir, p.EntryID)
	file := "\nThe file, to start from (name a source of " + SourcesFile + "):\n" + entryYAML(p)
	if utf8.RuneCountInString(text+file) > maxReplyChars {
		return text + " docs/faq-matcher.md shows the file's lines; /faq show " + p.EntryID + " has the answer's text."
	}
	return text + file
}

// entryYAML is a promoted entry written as a knowledge base entry file
// (entries/<id>.yaml), for a steward to refine; its sources line names
// "agreement", to be replaced by the agreement's id in sources.yaml.
func entryYAML(p Promotion) string {
	data, err := yaml.Marshal(struct {
		ID       string   `yaml:"id"`
		Topic    string   `yaml:"topic"`
		Question string   `yaml:"question"`
		Answer   string   `yaml:"answer"`
		Sources  []string `yaml:"sources,flow"`
	}{p.EntryID, p.Topic, p.Question, p.Answer, []string{"agreement"}})
	if err != nil {
		// Marshalling strings cannot fail.
		return "id: " + p.EntryID + "\n"
	}
	return string(data)
}

// quoteArg writes text as one quoted argument of the command language,
// its own double quotes made single so that the command reads as typed.
func quoteArg(text string) string {
	return `"` + strings.NewReplacer(`"`, "'", "“", "'", "”", "'").Replace(text) + `"`
}

// gapsList is one list of the /faq gaps reply: a heading, its lines and
// a closing line.
type gapsList struct {
	head  string
	items []string
	foot  string
}

// fitLists writes the lists, one line for each item, within max
// characters: each list is given an equal share first, then what the
// others left, in order; a list cut short says how many more it has.
func fitLists(max int, lists ...*gapsList) string {
	const moreLine = 40 // "\n…and 15 more." with room to spare
	budget := max
	for _, l := range lists {
		budget -= utf8.RuneCountInString(l.head) + 1 + utf8.RuneCountInString(l.foot)
		if len(l.items) > 0 {
			budget -= moreLine
		}
	}
	shown := make([]int, len(lists))
	take := func(i, limit int) {
		for _, item := range lists[i].items[shown[i]:] {
			n := utf8.RuneCountInString(item) + 1
			if n > limit || n > budget {
				return
			}
			limit, budget = limit-n, budget-n
			shown[i]++
		}
	}
	share := budget / len(lists)
	for i := range lists {
		take(i, share)
	}
	for i := range lists {
		take(i, budget)
	}
	var b strings.Builder
	for i, l := range lists {
		b.WriteString(l.head)
		for _, item := range l.items[:shown[i]] {
			b.WriteString("\n" + item)
		}
		if more := len(l.items) - shown[i]; more > 0 {
			fmt.Fprintf(&b, "\n…and %d more.", more)
		}
		if l.foot != "" {
			b.WriteString("\n" + l.foot)
		}
	}
	return b.String()
}

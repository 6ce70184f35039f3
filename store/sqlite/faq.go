package sqlite

import (
	"context"
	"database/sql"

	"github.com/unionhall/unionhall/faq"
)

// FAQ returns the FAQ's store on db.
func (db *DB) FAQ() faq.Store { return faqStore{db} }

// faqStore implements faq.Store.
type faqStore struct{ db *DB }

var _ faq.Store = faqStore{}

// RecordFeedback stores a member's verdict, replacing an earlier one.
func (s faqStore) RecordFeedback(ctx context.Context, f faq.Feedback) error {
	_, err := s.db.exec(ctx, "record feedback", `INSERT INTO faq_feedback (entry_id, member, helpful, given_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (entry_id, member) DO UPDATE SET helpful = excluded.helpful, given_at = excluded.given_at`,
		f.EntryID, f.Member, f.Helpful, formatTime(f.At))
	return err
}

// RecordUnanswered counts a question; the same question from the same
// member adds to its count and keeps the latest wording.
func (s faqStore) RecordUnanswered(ctx context.Context, u faq.Unanswered) error {
	_, err := s.db.exec(ctx, "record unanswered question", `INSERT INTO faq_unanswered
		(question_key, member, question, outcome, best_guess, times, first_at, last_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?)
		ON CONFLICT (question_key, member) DO UPDATE SET times = times + 1,
			question = excluded.question, outcome = excluded.outcome,
			best_guess = excluded.best_guess, last_at = excluded.last_at`,
		u.Key, u.Member, u.Question, u.Outcome.String(), u.BestGuess, formatTime(u.At), formatTime(u.At))
	return err
}

// RecordPassageAnswer counts a question answered from a passage; the
// same question from the same member adds to its count and keeps the
// latest wording and passage.
func (s faqStore) RecordPassageAnswer(ctx context.Context, a faq.PassageAnswer) error {
	_, err := s.db.exec(ctx, "record question answered from a passage", `INSERT INTO faq_passage_answers
		(question_key, member, question, citation, passage_ref, times, first_at, last_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?)
		ON CONFLICT (question_key, member) DO UPDATE SET times = times + 1,
			question = excluded.question, citation = excluded.citation,
			passage_ref = excluded.passage_ref, last_at = excluded.last_at`,
		a.Key, a.Member, a.Question, a.Citation, a.Ref, formatTime(a.At), formatTime(a.At))
	return err
}

// Gaps returns the most asked unanswered questions, the most asked
// questions answered from passages and the feedback per entry.
func (s faqStore) Gaps(ctx context.Context, limit int) (faq.Gaps, error) {
	var g faq.Gaps
	var err error
	g.Questions, err = queryAll(ctx, s.db.read, "read unanswered questions", func(row scanner) (q faq.GapQuestion, err error) {
		var last sql.NullString
		if err := row.Scan(&q.Asked, &q.Members, &last, &q.Question, &q.BestGuess); err != nil {
			return q, err
		}
		q.Last, err = parseTime(last)
		return q, err
	}, `
		SELECT SUM(u.times), COUNT(*), MAX(u.last_at),
			(SELECT question FROM faq_unanswered l WHERE l.question_key = u.question_key ORDER BY l.last_at DESC LIMIT 1),
			(SELECT best_guess FROM faq_unanswered l WHERE l.question_key = u.question_key ORDER BY l.last_at DESC LIMIT 1)
		FROM faq_unanswered u
		GROUP BY u.question_key
		ORDER BY SUM(u.times) DESC, MAX(u.last_at) DESC, u.question_key
		LIMIT ?`, limit)
	if err != nil {
		return faq.Gaps{}, err
	}
	g.Passages, err = queryAll(ctx, s.db.read, "read questions answered from passages", func(row scanner) (q faq.GapPassage, err error) {
		var last sql.NullString
		if err := row.Scan(&q.Asked, &q.Members, &last, &q.Question, &q.Citation, &q.Ref); err != nil {
			return q, err
		}
		q.Last, err = parseTime(last)
		return q, err
	}, `
		SELECT SUM(a.times), COUNT(*), MAX(a.last_at), l.question, l.citation, l.passage_ref
		FROM faq_passage_answers a
		JOIN faq_passage_answers l ON l.rowid = (SELECT rowid FROM faq_passage_answers
			WHERE question_key = a.question_key ORDER BY last_at DESC, member LIMIT 1)
		GROUP BY a.question_key
		ORDER BY SUM(a.times) DESC, MAX(a.last_at) DESC, a.question_key
		LIMIT ?`, limit)
	if err != nil {
		return faq.Gaps{}, err
	}
	g.Feedback, err = queryAll(ctx, s.db.read, "read feedback", func(row scanner) (f faq.FeedbackCount, err error) {
		return f, row.Scan(&f.EntryID, &f.Helpful, &f.NotHelpful)
	}, `
		SELECT entry_id, SUM(helpful), SUM(1 - helpful) FROM faq_feedback
		GROUP BY entry_id ORDER BY SUM(1 - helpful) DESC, SUM(helpful) DESC, entry_id`)
	if err != nil {
		return faq.Gaps{}, err
	}
	return g, nil
}

// AddPhrasing stores a phrasing; it returns false when the entry already
// has it.
func (s faqStore) AddPhrasing(ctx context.Context, p faq.Phrasing) (bool, error) {
	n, err := s.db.exec(ctx, "add phrasing", `INSERT INTO faq_phrasings (entry_id, phrasing, added_by, added_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (entry_id, phrasing) DO NOTHING`, p.EntryID, p.Text, p.Member, formatTime(p.At))
	return n == 1, err
}

// Phrasings returns every stored phrasing, oldest first.
func (s faqStore) Phrasings(ctx context.Context) ([]faq.Phrasing, error) {
	return queryAll(ctx, s.db.read, "read phrasings", func(row scanner) (p faq.Phrasing, err error) {
		var at sql.NullString
		if err := row.Scan(&p.EntryID, &p.Text, &p.Member, &at); err != nil {
			return p, err
		}
		p.At, err = parseTime(at)
		return p, err
	}, `SELECT entry_id, phrasing, added_by, added_at FROM faq_phrasings ORDER BY id`)
}

// AddPromotion stores a promoted entry; it returns false when its id or
// its passage is promoted already.
func (s faqStore) AddPromotion(ctx context.Context, p faq.Promotion) (bool, error) {
	n, err := s.db.exec(ctx, "add promoted entry", `INSERT INTO faq_promotions
		(entry_id, topic, question, answer, citation, passage_ref, added_by, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.EntryID, p.Topic, p.Question, p.Answer, p.Citation, p.Ref, p.Member, formatTime(p.At))
	return n == 1, err
}

// Promotions returns every promoted entry, oldest first.
func (s faqStore) Promotions(ctx context.Context) ([]faq.Promotion, error) {
	return queryAll(ctx, s.db.read, "read promoted entries", func(row scanner) (p faq.Promotion, err error) {
		var at sql.NullString
		if err := row.Scan(&p.EntryID, &p.Topic, &p.Question, &p.Answer, &p.Citation, &p.Ref, &p.Member, &at); err != nil {
			return p, err
		}
		p.At, err = parseTime(at)
		return p, err
	}, `SELECT entry_id, topic, question, answer, citation, passage_ref, added_by, added_at FROM faq_promotions ORDER BY id`)
}

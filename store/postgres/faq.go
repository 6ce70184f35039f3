package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/faq"
)

// FAQ returns the FAQ's store on db.
func (db *DB) FAQ() faq.Store { return faqStore{db} }

// faqStore implements faq.Store.
type faqStore struct{ db *DB }

// RecordFeedback stores a member's verdict, replacing an earlier one.
func (s faqStore) RecordFeedback(ctx context.Context, f faq.Feedback) error {
	_, err := s.db.exec(ctx, "record feedback", `INSERT INTO faq_feedback (entry_id, member, helpful, given_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (entry_id, member) DO UPDATE SET helpful = excluded.helpful, given_at = excluded.given_at`,
		f.EntryID, f.Member, f.Helpful, stamp(f.At, toSecond))
	return err
}

// RecordUnanswered counts a question; the same question from the same
// member adds to its count and keeps the latest wording.
func (s faqStore) RecordUnanswered(ctx context.Context, u faq.Unanswered) error {
	_, err := s.db.exec(ctx, "record unanswered question", `INSERT INTO faq_unanswered AS u
		(question_key, member, question, outcome, best_guess, times, first_at, last_at)
		VALUES ($1, $2, $3, $4, $5, 1, $6, $6)
		ON CONFLICT (question_key, member) DO UPDATE SET times = u.times + 1,
			question = excluded.question, outcome = excluded.outcome,
			best_guess = excluded.best_guess, last_at = excluded.last_at`,
		u.Key, u.Member, u.Question, u.Outcome.String(), u.BestGuess, stamp(u.At, toSecond))
	return err
}

// RecordPassageAnswer counts a question answered from a passage; the
// same question from the same member adds to its count and keeps the
// latest wording and passage.
func (s faqStore) RecordPassageAnswer(ctx context.Context, a faq.PassageAnswer) error {
	_, err := s.db.exec(ctx, "record question answered from a passage", `INSERT INTO faq_passage_answers AS a
		(question_key, member, question, citation, passage_ref, times, first_at, last_at)
		VALUES ($1, $2, $3, $4, $5, 1, $6, $6)
		ON CONFLICT (question_key, member) DO UPDATE SET times = a.times + 1,
			question = excluded.question, citation = excluded.citation,
			passage_ref = excluded.passage_ref, last_at = excluded.last_at`,
		a.Key, a.Member, a.Question, a.Citation, a.Ref, stamp(a.At, toSecond))
	return err
}

// Gaps returns the most asked unanswered questions, the most asked
// questions answered from passages and the feedback per entry, all read
// in one round trip.
func (s faqStore) Gaps(ctx context.Context, limit int) (faq.Gaps, error) {
	var g faq.Gaps
	b := &pgx.Batch{}
	b.Queue(`SELECT (array_agg(question ORDER BY last_at DESC))[1], sum(times), count(*), max(last_at),
			(array_agg(best_guess ORDER BY last_at DESC))[1]
		FROM faq_unanswered
		GROUP BY question_key
		ORDER BY sum(times) DESC, max(last_at) DESC, question_key
		LIMIT $1`, limit).Query(func(rows pgx.Rows) (err error) {
		g.Questions, err = collect(rows, func(row pgx.CollectableRow, q *faq.GapQuestion) error {
			return row.Scan(&q.Question, &q.Asked, &q.Members, utc{&q.Last}, &q.BestGuess)
		})
		return err
	})
	b.Queue(`SELECT (array_agg(question ORDER BY last_at DESC, member))[1], sum(times), count(*), max(last_at),
			(array_agg(citation ORDER BY last_at DESC, member))[1], (array_agg(passage_ref ORDER BY last_at DESC, member))[1]
		FROM faq_passage_answers
		GROUP BY question_key
		ORDER BY sum(times) DESC, max(last_at) DESC, question_key
		LIMIT $1`, limit).Query(func(rows pgx.Rows) (err error) {
		g.Passages, err = collect(rows, func(row pgx.CollectableRow, q *faq.GapPassage) error {
			return row.Scan(&q.Question, &q.Asked, &q.Members, utc{&q.Last}, &q.Citation, &q.Ref)
		})
		return err
	})
	b.Queue(`SELECT entry_id, count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful)
		FROM faq_feedback
		GROUP BY entry_id
		ORDER BY 3 DESC, 2 DESC, entry_id`).Query(func(rows pgx.Rows) (err error) {
		g.Feedback, err = collect(rows, func(row pgx.CollectableRow, f *faq.FeedbackCount) error {
			return row.Scan(&f.EntryID, &f.Helpful, &f.NotHelpful)
		})
		return err
	})
	if err := s.db.pool.SendBatch(ctx, b).Close(); err != nil {
		return faq.Gaps{}, fmt.Errorf("read unanswered questions, questions answered from passages and feedback: %w", err)
	}
	return g, nil
}

// AddPhrasing stores a phrasing; it returns false when the entry already
// has it. The unique key decides between stewards adding the same
// phrasing at once.
func (s faqStore) AddPhrasing(ctx context.Context, p faq.Phrasing) (bool, error) {
	n, err := s.db.exec(ctx, "add phrasing", `INSERT INTO faq_phrasings (entry_id, phrasing, added_by, added_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (entry_id, phrasing) DO NOTHING`, p.EntryID, p.Text, p.Member, stamp(p.At, toSecond))
	return n == 1, err
}

// Phrasings returns every stored phrasing, oldest first.
func (s faqStore) Phrasings(ctx context.Context) ([]faq.Phrasing, error) {
	return queryAll(ctx, s.db.pool, "read phrasings", func(row pgx.CollectableRow, p *faq.Phrasing) error {
		return row.Scan(&p.EntryID, &p.Text, &p.Member, utc{&p.At})
	}, `SELECT entry_id, phrasing, added_by, added_at FROM faq_phrasings ORDER BY id`)
}

// AddPromotion stores a promoted entry; it returns false when its id or
// its passage is promoted already. The unique keys decide between
// stewards promoting at once.
func (s faqStore) AddPromotion(ctx context.Context, p faq.Promotion) (bool, error) {
	n, err := s.db.exec(ctx, "add promoted entry", `INSERT INTO faq_promotions
		(entry_id, topic, question, answer, citation, passage_ref, added_by, added_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		p.EntryID, p.Topic, p.Question, p.Answer, p.Citation, p.Ref, p.Member, stamp(p.At, toSecond))
	return n == 1, err
}

// Promotions returns every promoted entry, oldest first.
func (s faqStore) Promotions(ctx context.Context) ([]faq.Promotion, error) {
	return queryAll(ctx, s.db.pool, "read promoted entries", func(row pgx.CollectableRow, p *faq.Promotion) error {
		return row.Scan(&p.EntryID, &p.Topic, &p.Question, &p.Answer, &p.Citation, &p.Ref, &p.Member, utc{&p.At})
	}, `SELECT entry_id, topic, question, answer, citation, passage_ref, added_by, added_at FROM faq_promotions ORDER BY id`)
}

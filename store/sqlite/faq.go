package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/unionhall/unionhall/faq"
)

// FAQ returns the FAQ's store on db.
func (db *DB) FAQ() faq.Store { return faqStore{db} }

// faqStore implements faq.Store.
type faqStore struct{ db *DB }

var _ faq.Store = faqStore{}

func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// RecordFeedback stores a member's verdict, replacing an earlier one.
func (s faqStore) RecordFeedback(ctx context.Context, f faq.Feedback) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO faq_feedback (entry_id, member, helpful, given_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (entry_id, member) DO UPDATE SET helpful = excluded.helpful, given_at = excluded.given_at`,
			f.EntryID, f.Member, f.Helpful, timeText(f.At))
		return err
	})
	if err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	return nil
}

// RecordUnanswered counts a question; the same question from the same
// member adds to its count and keeps the latest wording.
func (s faqStore) RecordUnanswered(ctx context.Context, u faq.Unanswered) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO faq_unanswered
			(question_key, member, question, outcome, best_guess, times, first_at, last_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?)
			ON CONFLICT (question_key, member) DO UPDATE SET times = times + 1,
				question = excluded.question, outcome = excluded.outcome,
				best_guess = excluded.best_guess, last_at = excluded.last_at`,
			u.Key, u.Member, u.Question, u.Outcome.String(), u.BestGuess, timeText(u.At), timeText(u.At))
		return err
	})
	if err != nil {
		return fmt.Errorf("record unanswered question: %w", err)
	}
	return nil
}

// Gaps returns the most asked unanswered questions and the feedback per
// entry.
func (s faqStore) Gaps(ctx context.Context, limit int) (faq.Gaps, error) {
	var g faq.Gaps
	rows, err := s.db.Reader().QueryContext(ctx, `
		SELECT u.question_key, SUM(u.times), COUNT(*), MAX(u.last_at),
			(SELECT question FROM faq_unanswered l WHERE l.question_key = u.question_key ORDER BY l.last_at DESC LIMIT 1),
			(SELECT best_guess FROM faq_unanswered l WHERE l.question_key = u.question_key ORDER BY l.last_at DESC LIMIT 1)
		FROM faq_unanswered u
		GROUP BY u.question_key
		ORDER BY SUM(u.times) DESC, MAX(u.last_at) DESC, u.question_key
		LIMIT ?`, limit)
	if err != nil {
		return g, fmt.Errorf("read unanswered questions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q faq.GapQuestion
		var key, last string
		if err := rows.Scan(&key, &q.Asked, &q.Members, &last, &q.Question, &q.BestGuess); err != nil {
			return g, fmt.Errorf("read unanswered questions: %w", err)
		}
		if q.Last, err = time.Parse(time.RFC3339, last); err != nil {
			return g, fmt.Errorf("read unanswered questions: bad time %q: %w", last, err)
		}
		g.Questions = append(g.Questions, q)
	}
	if err := rows.Err(); err != nil {
		return g, fmt.Errorf("read unanswered questions: %w", err)
	}
	rows, err = s.db.Reader().QueryContext(ctx, `
		SELECT entry_id, SUM(helpful), SUM(1 - helpful) FROM faq_feedback
		GROUP BY entry_id ORDER BY SUM(1 - helpful) DESC, SUM(helpful) DESC, entry_id`)
	if err != nil {
		return g, fmt.Errorf("read feedback: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f faq.FeedbackCount
		if err := rows.Scan(&f.EntryID, &f.Helpful, &f.NotHelpful); err != nil {
			return g, fmt.Errorf("read feedback: %w", err)
		}
		g.Feedback = append(g.Feedback, f)
	}
	if err := rows.Err(); err != nil {
		return g, fmt.Errorf("read feedback: %w", err)
	}
	return g, nil
}

// AddPhrasing stores a phrasing; it returns false when the entry already
// has it.
func (s faqStore) AddPhrasing(ctx context.Context, p faq.Phrasing) (bool, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO faq_phrasings (entry_id, phrasing, added_by, added_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (entry_id, phrasing) DO NOTHING`, p.EntryID, p.Text, p.Member, timeText(p.At))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("add phrasing: %w", err)
	}
	return n == 1, nil
}

// Phrasings returns every stored phrasing, oldest first.
func (s faqStore) Phrasings(ctx context.Context) ([]faq.Phrasing, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT entry_id, phrasing, added_by, added_at FROM faq_phrasings ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read phrasings: %w", err)
	}
	defer rows.Close()
	var out []faq.Phrasing
	for rows.Next() {
		var p faq.Phrasing
		var at string
		if err := rows.Scan(&p.EntryID, &p.Text, &p.Member, &at); err != nil {
			return nil, fmt.Errorf("read phrasings: %w", err)
		}
		if p.At, err = time.Parse(time.RFC3339, at); err != nil {
			return nil, fmt.Errorf("read phrasings: bad time %q: %w", at, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read phrasings: %w", err)
	}
	return out, nil
}

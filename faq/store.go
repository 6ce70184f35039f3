package faq

import (
	"context"
	"time"
)

// Store keeps what members tell the FAQ about itself: feedback on
// answers, questions it could not answer, and phrasings stewards added.
// Members appear only as a keyed hash of their ID (see MemberHash), never
// by name or platform ID.
type Store interface {
	// RecordFeedback stores a member's verdict on an entry's answer,
	// replacing that member's earlier verdict on the same entry.
	RecordFeedback(ctx context.Context, f Feedback) error
	// RecordUnanswered notes a question the FAQ abstained on or answered
	// only with suggestions. The same question from the same member is
	// counted, not stored twice.
	RecordUnanswered(ctx context.Context, u Unanswered) error
	// Gaps returns the most asked unanswered questions (at most limit)
	// and feedback counts per entry.
	Gaps(ctx context.Context, limit int) (Gaps, error)
	// AddPhrasing stores a phrasing for an entry. It returns false when
	// the entry already has it.
	AddPhrasing(ctx context.Context, p Phrasing) (bool, error)
	// Phrasings returns every stored phrasing, oldest first.
	Phrasings(ctx context.Context) ([]Phrasing, error)
}

// Feedback is one member's verdict on one entry's answer.
type Feedback struct {
	// EntryID is the entry answered with.
	EntryID string
	// Member is the member's hash.
	Member string
	// Helpful is the verdict.
	Helpful bool
	// At is when it was given.
	At time.Time
}

// Unanswered is a question the FAQ did not answer.
type Unanswered struct {
	// Key groups the same question asked in different ways of writing
	// (case, punctuation): its normalised words.
	Key string
	// Question is the question as asked, cleaned of mentions and markup
	// and shortened.
	Question string
	// Outcome is Abstain or Suggest.
	Outcome Outcome
	// BestGuess is the id of the closest entry, or "".
	BestGuess string
	// Member is the asker's hash.
	Member string
	// At is when it was asked.
	At time.Time
}

// Gaps is what stewards see with /faq gaps.
type Gaps struct {
	// Questions are unanswered questions, most asked first.
	Questions []GapQuestion
	// Feedback are the verdicts per entry, most "not helpful" first.
	Feedback []FeedbackCount
}

// GapQuestion is one unanswered question with how often it was asked.
type GapQuestion struct {
	// Question is the latest wording.
	Question string
	// Asked is how many times it was asked; Members by how many members.
	Asked, Members int
	// Last is when it was last asked.
	Last time.Time
	// BestGuess is the closest entry's id at the time, or "".
	BestGuess string
}

// FeedbackCount is the verdicts on one entry.
type FeedbackCount struct {
	// EntryID is the entry.
	EntryID string
	// Helpful and NotHelpful count members' current verdicts.
	Helpful, NotHelpful int
}

// Phrasing is a way of asking an entry that a steward added.
type Phrasing struct {
	// EntryID is the entry it asks for.
	EntryID string
	// Text is the phrasing.
	Text string
	// Member is the steward's hash.
	Member string
	// At is when it was added.
	At time.Time
}

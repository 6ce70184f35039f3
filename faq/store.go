package faq

import (
	"context"
	"time"
)

// Store keeps what members tell the FAQ about itself: feedback on
// answers, questions it could not answer or answered only by quoting the
// union's documents, and what stewards added: phrasings, and entries
// promoted from passages.
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
	// RecordPassageAnswer notes a question answered by quoting a
	// passage, counted as RecordUnanswered counts, so that stewards see
	// which passages members need a prepared answer for.
	RecordPassageAnswer(ctx context.Context, a PassageAnswer) error
	// Gaps returns the most asked unanswered questions and questions
	// answered from passages (at most limit of each) and feedback
	// counts per entry.
	Gaps(ctx context.Context, limit int) (Gaps, error)
	// AddPhrasing stores a phrasing for an entry. It returns false when
	// the entry already has it.
	AddPhrasing(ctx context.Context, p Phrasing) (bool, error)
	// Phrasings returns every stored phrasing, oldest first.
	Phrasings(ctx context.Context) ([]Phrasing, error)
	// AddPromotion stores an entry promoted from a passage. It returns
	// false, storing nothing, when an entry with the same id, or one
	// promoted from the same passage (reference and citation), is
	// stored already: of stewards promoting at once, one wins.
	AddPromotion(ctx context.Context, p Promotion) (bool, error)
	// Promotions returns every promoted entry, oldest first.
	Promotions(ctx context.Context) ([]Promotion, error)
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
	// BestGuess is the id of the closest entry, or "passage " and the
	// reference of the first passage offered when only passages were, or
	// "".
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
	// Passages are questions answered by quoting a passage, most asked
	// first.
	Passages []GapPassage
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

// PassageAnswer is a question the FAQ answered by quoting a passage of the
// union's documents.
type PassageAnswer struct {
	// Key groups the same question written differently, as
	// Unanswered.Key does.
	Key string
	// Question is the question as asked, cleaned and shortened.
	Question string
	// Citation names the passage quoted ("Article 13, Section 13.3
	// (Filing)"); Ref is its reference, which /faq promote takes.
	Citation, Ref string
	// Member is the asker's hash.
	Member string
	// At is when it was asked.
	At time.Time
}

// GapPassage is one question answered from a passage, with how often it
// was asked.
type GapPassage struct {
	// Question is the latest wording.
	Question string
	// Asked is how many times it was asked; Members by how many members.
	Asked, Members int
	// Last is when it was last asked.
	Last time.Time
	// Citation and Ref name the passage last quoted for it.
	Citation, Ref string
}

// Promotion is an entry a steward started from a passage with /faq
// promote, kept in the Store until it is written into the knowledge
// base's files.
type Promotion struct {
	// EntryID is the entry's id.
	EntryID string
	// Topic is its label, the passage's heading title.
	Topic string
	// Question is the steward's question, also its first phrasing.
	Question string
	// Answer is the passage's text as quoted.
	Answer string
	// Citation is the passage's citation, the entry's source; Ref is the
	// passage's reference.
	Citation, Ref string
	// Member is the steward's hash.
	Member string
	// At is when it was promoted.
	At time.Time
}

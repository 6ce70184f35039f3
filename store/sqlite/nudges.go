package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/unionhall/unionhall/polls"
)

// PollStore implements polls.NudgeStore too: the nudges and participants beside the polls.
var _ polls.NudgeStore = (*PollStore)(nil)

// ScheduleNudge records poll id's nudge, due at t.
func (s *PollStore) ScheduleNudge(ctx context.Context, id int64, t time.Time) error {
	_, err := s.db.exec(ctx, fmt.Sprintf("schedule nudge of poll %d", id),
		`INSERT INTO poll_nudges (poll_id, due_at) VALUES (?, ?)`, id, formatTime(t))
	return err
}

// DueNudges returns the unclaimed nudges due at or before t.
func (s *PollStore) DueNudges(ctx context.Context, t time.Time) ([]int64, error) {
	return queryAll(ctx, s.db.read, "find due nudges", func(row scanner) (id int64, err error) { return id, row.Scan(&id) },
		`SELECT poll_id FROM poll_nudges WHERE claimed_at IS NULL AND due_at <= ? ORDER BY due_at, poll_id`, formatTime(t))
}

// ClaimNudge marks poll id's nudge claimed at t, once.
func (s *PollStore) ClaimNudge(ctx context.Context, id int64, t time.Time) (bool, error) {
	n, err := s.db.exec(ctx, fmt.Sprintf("claim nudge of poll %d", id),
		`UPDATE poll_nudges SET claimed_at = ? WHERE poll_id = ? AND claimed_at IS NULL`, formatTime(t), id)
	return n == 1, err
}

// NextNudge returns the earliest unclaimed nudge's due time.
func (s *PollStore) NextNudge(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullString
	if err := s.db.read.QueryRowContext(ctx, `SELECT MIN(due_at) FROM poll_nudges WHERE claimed_at IS NULL`).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("find next nudge: %w", err)
	}
	t, err := parseTime(at)
	return t, at.Valid, err
}

// Participants returns who has voted in poll id: the voters of an open
// ballot, or the participants of a secret one.
func (s *PollStore) Participants(ctx context.Context, id int64) ([]string, error) {
	return queryAll(ctx, s.db.read, fmt.Sprintf("read participants of poll %d", id), func(row scanner) (m string, err error) {
		return m, row.Scan(&m)
	}, `SELECT voter FROM poll_ballots WHERE poll_id = ? UNION SELECT voter FROM poll_participants WHERE poll_id = ?`, id, id)
}

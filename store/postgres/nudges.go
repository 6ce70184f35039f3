package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/polls"
)

// PollStore implements polls.NudgeStore too: the nudges and participants beside the polls.
var _ polls.NudgeStore = (*PollStore)(nil)

// ScheduleNudge records poll id's nudge, due at t.
func (s *PollStore) ScheduleNudge(ctx context.Context, id int64, t time.Time) error {
	_, err := s.db.exec(ctx, fmt.Sprintf("schedule nudge of poll %d", id),
		`INSERT INTO poll_nudges (poll_id, due_at) VALUES ($1, $2)`, id, stamp(t, toSecond))
	return err
}

// DueNudges returns the unclaimed nudges due at or before t.
func (s *PollStore) DueNudges(ctx context.Context, t time.Time) ([]int64, error) {
	return queryAll(ctx, s.db.pool, "find due nudges", func(row pgx.CollectableRow, id *int64) error { return row.Scan(id) },
		`SELECT poll_id FROM poll_nudges WHERE claimed_at IS NULL AND due_at <= $1 ORDER BY due_at, poll_id`, t.UTC())
}

// ClaimNudge marks poll id's nudge claimed at t, once.
func (s *PollStore) ClaimNudge(ctx context.Context, id int64, t time.Time) (bool, error) {
	n, err := s.db.exec(ctx, fmt.Sprintf("claim nudge of poll %d", id),
		`UPDATE poll_nudges SET claimed_at = $1 WHERE poll_id = $2 AND claimed_at IS NULL`, stamp(t, toSecond), id)
	return n == 1, err
}

// NextNudge returns the earliest unclaimed nudge's due time.
func (s *PollStore) NextNudge(ctx context.Context) (time.Time, bool, error) {
	var at time.Time
	if err := s.db.pool.QueryRow(ctx, `SELECT min(due_at) FROM poll_nudges WHERE claimed_at IS NULL`).Scan(utc{&at}); err != nil {
		return time.Time{}, false, fmt.Errorf("find next nudge: %w", err)
	}
	return at, !at.IsZero(), nil
}

// Participants returns who has voted in poll id: the voters of an open
// ballot, or the participants of a secret one.
func (s *PollStore) Participants(ctx context.Context, id int64) ([]string, error) {
	return queryAll(ctx, s.db.pool, fmt.Sprintf("read participants of poll %d", id), func(row pgx.CollectableRow, m *string) error {
		return row.Scan(m)
	}, `SELECT voter FROM poll_ballots WHERE poll_id = $1 UNION SELECT voter FROM poll_participants WHERE poll_id = $1`, id)
}

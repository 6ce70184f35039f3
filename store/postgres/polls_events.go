package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// eventColumns are the columns scanEvent reads.
const eventColumns = `poll_id, kind, due_at, state, attempts, error`

func scanEvent(row pgx.CollectableRow, e *polls.Event) error {
	var kind, state string
	if err := row.Scan(&e.PollID, &kind, utc{&e.At}, &state, &e.Attempts, &e.Error); err != nil {
		return err
	}
	e.Kind, e.State = polls.EventKind(kind), polls.EventState(state)
	return nil
}

// DueEvents returns the due posts of polls whose time has come.
func (s *PollStore) DueEvents(ctx context.Context, t time.Time) ([]polls.Event, error) {
	return queryAll(ctx, s.db.pool, "list poll posts due", scanEvent, `SELECT `+eventColumns+` FROM poll_events
		WHERE state = 'due' AND due_at <= $1 ORDER BY due_at, poll_id, kind`, stamp(t, toSecond))
}

// ClaimEvent moves a due post to sending, once.
func (s *PollStore) ClaimEvent(ctx context.Context, e polls.Event, t time.Time) (bool, error) {
	n, err := s.db.exec(ctx, "claim a poll post", `UPDATE poll_events SET state = 'sending'
		WHERE poll_id = $1 AND kind = $2 AND state = 'due' AND due_at <= $3`, e.PollID, string(e.Kind), stamp(t, toSecond))
	return n == 1, err
}

// FinishEvent records how a claimed post went.
func (s *PollStore) FinishEvent(ctx context.Context, e polls.Event) error {
	return store.FinishEvent(e, func() (int64, error) {
		return s.db.exec(ctx, "record a poll post", `UPDATE poll_events SET state = $3, due_at = $4, attempts = $5, error = $6
			WHERE poll_id = $1 AND kind = $2 AND state = 'sending'`, e.PollID, string(e.Kind), string(e.State), stamp(e.At, toSecond), e.Attempts, e.Error)
	})
}

// NextEvent returns the earliest time of the due posts.
func (s *PollStore) NextEvent(ctx context.Context) (time.Time, bool, error) {
	return s.earliest(ctx, "read next poll post", `SELECT min(due_at) FROM poll_events WHERE state = 'due'`)
}

// MarkEventsInterrupted marks the posts left sending uncertain.
func (s *PollStore) MarkEventsInterrupted(ctx context.Context) ([]polls.Event, error) {
	return queryAll(ctx, s.db.pool, "mark interrupted poll posts", scanEvent, `UPDATE poll_events SET state = 'uncertain'
		WHERE state = 'sending' RETURNING `+eventColumns)
}

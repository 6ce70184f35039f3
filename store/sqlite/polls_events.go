package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// eventColumns are the columns scanEvent reads.
const eventColumns = `poll_id, kind, due_at, state, attempts, error`

func scanEvent(row scanner) (polls.Event, error) {
	var e polls.Event
	var kind, state string
	var at sql.NullString
	if err := row.Scan(&e.PollID, &kind, &at, &state, &e.Attempts, &e.Error); err != nil {
		return e, err
	}
	e.Kind, e.State = polls.EventKind(kind), polls.EventState(state)
	var err error
	e.At, err = parseTime(at)
	return e, err
}

// DueEvents returns the due posts of polls whose time has come.
func (s *PollStore) DueEvents(ctx context.Context, t time.Time) ([]polls.Event, error) {
	return queryAll(ctx, s.db.read, "list poll posts due", scanEvent, `SELECT `+eventColumns+` FROM poll_events
		WHERE state = 'due' AND due_at <= ? ORDER BY due_at, poll_id, kind`, formatTime(t))
}

// ClaimEvent moves a due post to sending, once.
func (s *PollStore) ClaimEvent(ctx context.Context, e polls.Event, t time.Time) (bool, error) {
	n, err := s.db.exec(ctx, "claim a poll post", `UPDATE poll_events SET state = 'sending'
		WHERE poll_id = ? AND kind = ? AND state = 'due' AND due_at <= ?`, e.PollID, string(e.Kind), formatTime(t))
	return n == 1, err
}

// FinishEvent records how a claimed post went.
func (s *PollStore) FinishEvent(ctx context.Context, e polls.Event) error {
	return store.FinishEvent(e, func() (int64, error) {
		return s.db.exec(ctx, "record a poll post", `UPDATE poll_events SET state = ?, due_at = ?, attempts = ?, error = ?
			WHERE poll_id = ? AND kind = ? AND state = 'sending'`, string(e.State), formatTime(e.At), e.Attempts, e.Error, e.PollID, string(e.Kind))
	})
}

// NextEvent returns the earliest time of the due posts.
func (s *PollStore) NextEvent(ctx context.Context) (time.Time, bool, error) {
	return s.earliest(ctx, "read next poll post", `SELECT min(due_at) FROM poll_events WHERE state = 'due'`)
}

// MarkEventsInterrupted marks the posts left sending uncertain.
func (s *PollStore) MarkEventsInterrupted(ctx context.Context) ([]polls.Event, error) {
	var out []polls.Event
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, "mark interrupted poll posts", scanEvent, `UPDATE poll_events SET state = 'uncertain'
			WHERE state = 'sending' RETURNING `+eventColumns)
		return err
	})
	return out, err
}

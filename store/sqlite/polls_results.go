package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// resultColumns are the columns scanResultPost reads.
const resultColumns = `id, result_state, closed_at, result_posted_at, result_attempts, result_next_try, result_error`

func scanResultPost(row scanner) (polls.ResultPost, error) {
	var (
		rp                          polls.ResultPost
		state                       string
		closedAt, postedAt, nextTry sql.NullString
	)
	err := row.Scan(&rp.PollID, &state, &closedAt, &postedAt, &rp.Attempts, &nextTry, &rp.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return rp, polls.ErrNotFound
	}
	if err != nil {
		return rp, err
	}
	rp.State = polls.ResultState(state)
	if rp.ClosedAt, err = parseTime(closedAt); err != nil {
		return rp, err
	}
	if rp.PostedAt, err = parseTime(postedAt); err != nil {
		return rp, err
	}
	if rp.NextTry, err = parseTime(nextTry); err != nil {
		return rp, err
	}
	return rp, nil
}

// ResultPost returns the state of a poll's result post.
func (s *PollStore) ResultPost(ctx context.Context, id int64) (polls.ResultPost, error) {
	rp, err := scanResultPost(s.db.read.QueryRowContext(ctx, `SELECT `+resultColumns+` FROM polls WHERE id = ?`, id))
	if err != nil && !errors.Is(err, polls.ErrNotFound) {
		return rp, fmt.Errorf("read result post of poll %d: %w", id, err)
	}
	return rp, err
}

// RecordResultPost stores the outcome of an attempt on a result post in
// state sending. It also corrects one marked uncertain meanwhile, which
// happens only when start-up marking raced an attempt of this process.
func (s *PollStore) RecordResultPost(ctx context.Context, rp polls.ResultPost) error {
	return store.RecordResultPost(rp, func() (int64, error) {
		return s.db.exec(ctx, "update the poll", `UPDATE polls SET result_state = ?, result_posted_at = ?, result_attempts = ?,
			result_next_try = ?, result_error = ? WHERE id = ? AND result_state IN ('sending', 'uncertain')`,
			string(rp.State), nullTime(rp.PostedAt), rp.Attempts, nullTime(rp.NextTry), rp.Error, rp.PollID)
	})
}

// DueResultPosts returns the result posts waiting for a retry due at or
// before t, earliest first.
func (s *PollStore) DueResultPosts(ctx context.Context, t time.Time) ([]polls.ResultPost, error) {
	return queryAll(ctx, s.db.read, "list poll results due for a retry", scanResultPost, `SELECT `+resultColumns+` FROM polls
		WHERE result_state = 'retry' AND result_next_try <= ? ORDER BY result_next_try, id`, formatTime(t))
}

// ClaimResultPost moves a result post due at or before t from retry to
// sending. The conditional update makes exactly one caller see true.
func (s *PollStore) ClaimResultPost(ctx context.Context, id int64, t time.Time) (polls.ResultPost, bool, error) {
	var rp polls.ResultPost
	claimed := false
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var err error
		rp, err = scanResultPost(tx.QueryRowContext(ctx, `UPDATE polls SET result_state = 'sending', result_next_try = NULL
			WHERE id = ? AND result_state = 'retry' AND result_next_try <= ? RETURNING `+resultColumns, id, formatTime(t)))
		if errors.Is(err, polls.ErrNotFound) {
			return nil
		}
		claimed = err == nil
		return err
	})
	if err != nil {
		return rp, false, fmt.Errorf("claim result post of poll %d: %w", id, err)
	}
	return rp, claimed, nil
}

// NextResultTry returns the earliest next try of the result posts waiting
// for a retry.
func (s *PollStore) NextResultTry(ctx context.Context) (time.Time, bool, error) {
	return s.earliest(ctx, "read next poll result retry", `SELECT MIN(result_next_try) FROM polls WHERE result_state = 'retry'`)
}

// MarkResultsInterrupted moves the result posts left in state sending by
// a previous run: to uncertain when the result was not recorded as posted
// (it is never posted again), or to retry, due at t, when only the final
// card was left to show. It returns the posts marked uncertain.
func (s *PollStore) MarkResultsInterrupted(ctx context.Context, t time.Time) ([]polls.ResultPost, error) {
	var out []polls.ResultPost
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, "mark interrupted result posts", scanResultPost, `UPDATE polls
			SET result_state = 'uncertain', result_next_try = NULL, result_error = ?
			WHERE result_state = 'sending' AND result_posted_at IS NULL RETURNING `+resultColumns, store.InterruptedNote)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE polls SET result_state = 'retry', result_next_try = ?
			WHERE result_state = 'sending'`, formatTime(t)); err != nil {
			return fmt.Errorf("mark interrupted card updates: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UnpostedResults returns the result posts of closed polls in a channel
// whose result has not been posted, oldest poll first.
func (s *PollStore) UnpostedResults(ctx context.Context, platform, channel string) ([]polls.ResultPost, error) {
	return queryAll(ctx, s.db.read, "list unposted poll results", scanResultPost, `SELECT `+resultColumns+` FROM polls
		WHERE result_state IN ('sending', 'retry', 'failed', 'uncertain') AND result_posted_at IS NULL
		AND platform = ? AND channel = ? ORDER BY id`, platform, channel)
}

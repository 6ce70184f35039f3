package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// resultColumns are the columns scanResultPost reads.
const resultColumns = `id, result_state, closed_at, result_posted_at, result_attempts, result_next_try, result_error`

func scanResultPost(row pgx.Row, rp *polls.ResultPost) error {
	err := row.Scan(&rp.PollID, &rp.State, utc{&rp.ClosedAt}, utc{&rp.PostedAt}, &rp.Attempts, utc{&rp.NextTry}, &rp.Error)
	if errors.Is(err, pgx.ErrNoRows) {
		return polls.ErrNotFound
	}
	return err
}

// queryResultPosts reads the result posts that query returns.
func (s *PollStore) queryResultPosts(ctx context.Context, what, query string, args ...any) ([]polls.ResultPost, error) {
	return queryAll(ctx, s.db.pool, what, func(row pgx.CollectableRow, rp *polls.ResultPost) error { return scanResultPost(row, rp) }, query, args...)
}

// ResultPost returns the state of a poll's result post.
func (s *PollStore) ResultPost(ctx context.Context, id int64) (polls.ResultPost, error) {
	var rp polls.ResultPost
	err := scanResultPost(s.db.pool.QueryRow(ctx, `SELECT `+resultColumns+` FROM polls WHERE id = $1`, id), &rp)
	if err != nil && !errors.Is(err, polls.ErrNotFound) {
		return rp, fmt.Errorf("read result post of poll %d: %w", id, err)
	}
	return rp, err
}

// RecordResultPost stores the outcome of an attempt on a result post in
// state sending. The update is conditional on that state, so an outcome
// is recorded once. It also corrects a post marked uncertain meanwhile,
// which happens only when start-up marking raced an attempt.
func (s *PollStore) RecordResultPost(ctx context.Context, rp polls.ResultPost) error {
	return store.RecordResultPost(rp, func() (int64, error) {
		return s.db.exec(ctx, "update the poll", `UPDATE polls SET result_state = $2, result_posted_at = $3, result_attempts = $4,
			result_next_try = $5, result_error = $6 WHERE id = $1 AND result_state IN ('sending', 'uncertain')`,
			rp.PollID, string(rp.State), stamp(rp.PostedAt, toSecond), rp.Attempts, stamp(rp.NextTry, toSecond), rp.Error)
	})
}

// DueResultPosts returns the result posts waiting for a retry due at or
// before t, earliest first.
func (s *PollStore) DueResultPosts(ctx context.Context, t time.Time) ([]polls.ResultPost, error) {
	return s.queryResultPosts(ctx, "list poll results due for a retry", `SELECT `+resultColumns+` FROM polls
		WHERE result_state = 'retry' AND result_next_try <= $1 ORDER BY result_next_try, id`, stamp(t, toSecond))
}

// ClaimResultPost moves a result post due at or before t from retry to
// sending. The update is conditional on state retry: claimers in any
// process queue on the row, and the re-check after the first commit
// fails for the others, so exactly one sees true.
func (s *PollStore) ClaimResultPost(ctx context.Context, id int64, t time.Time) (polls.ResultPost, bool, error) {
	var rp polls.ResultPost
	err := scanResultPost(s.db.pool.QueryRow(ctx, `UPDATE polls SET result_state = 'sending', result_next_try = NULL
		WHERE id = $1 AND result_state = 'retry' AND result_next_try <= $2 RETURNING `+resultColumns, id, stamp(t, toSecond)), &rp)
	switch {
	case errors.Is(err, polls.ErrNotFound):
		return rp, false, nil
	case err != nil:
		return rp, false, fmt.Errorf("claim result post of poll %d: %w", id, err)
	}
	return rp, true, nil
}

// NextResultTry returns the earliest next try of the result posts waiting
// for a retry.
func (s *PollStore) NextResultTry(ctx context.Context) (time.Time, bool, error) {
	return s.earliest(ctx, "read next poll result retry", `SELECT min(result_next_try) FROM polls WHERE result_state = 'retry'`)
}

// MarkResultsInterrupted moves the result posts left in state sending by
// a previous run, in one statement: to uncertain when the result was not
// recorded as posted (it is never posted again), or to retry, due at t,
// when only the final card was left to show. The two updates touch
// different rows, so one statement can hold both. It returns the posts
// marked uncertain.
func (s *PollStore) MarkResultsInterrupted(ctx context.Context, t time.Time) ([]polls.ResultPost, error) {
	return s.queryResultPosts(ctx, "mark interrupted result posts", `WITH card AS (
			UPDATE polls SET result_state = 'retry', result_next_try = $2
			WHERE result_state = 'sending' AND result_posted_at IS NOT NULL)
		UPDATE polls SET result_state = 'uncertain', result_next_try = NULL, result_error = $1
		WHERE result_state = 'sending' AND result_posted_at IS NULL RETURNING `+resultColumns,
		store.InterruptedNote, stamp(t, toSecond))
}

// UnpostedResults returns the result posts of closed polls in a channel
// whose result has not been posted, oldest poll first.
func (s *PollStore) UnpostedResults(ctx context.Context, platform, channel string) ([]polls.ResultPost, error) {
	return s.queryResultPosts(ctx, "list unposted poll results", `SELECT `+resultColumns+` FROM polls
		WHERE result_state IN ('sending', 'retry', 'failed', 'uncertain') AND result_posted_at IS NULL
		AND platform = $1 AND channel = $2 ORDER BY id`, platform, channel)
}

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// PollStore implements polls.Store.
//
// A vote is one transaction that locks its poll's row first (SELECT …
// FOR NO KEY UPDATE), then reads the member's prior ballot with a
// snapshot taken after the lock was granted, so that it sees every vote
// committed before it; the votes of one poll therefore take turns, which
// they must anyway, since each one updates the poll's voter count. The
// primary keys of the ballot and participant tables refuse a second
// ballot should anything get past that.
type PollStore struct {
	db *DB
}

// NewPollStore returns the poll store on db.
func NewPollStore(db *DB) *PollStore { return &PollStore{db: db} }

var _ polls.Store = (*PollStore)(nil)

const pollColumns = `id, question, options, secret, hidden, max_choices, rule, favour, against, units,
	platform, channel, thread, opened_by, opened_by_name, opened_at, closes_at, closed_at, closed_by, voters, revision, ranked, opens_at, remind_before`

// scanPoll reads the columns of pollColumns, then any extra destinations.
func scanPoll(row pgx.Row, extra ...any) (*polls.Poll, error) {
	var (
		p            polls.Poll
		rule         string
		units        []byte
		remindBefore int64
	)
	dest := append([]any{&p.ID, &p.Question, &p.Options, &p.Secret, &p.Hidden, &p.MaxChoices, &rule, &p.Favour, &p.Against, &units,
		&p.Platform, &p.Channel, &p.Thread, &p.OpenedBy, &p.OpenedByName, utc{&p.OpenedAt}, utc{&p.ClosesAt}, utc{&p.ClosedAt},
		&p.ClosedBy, &p.Voters, &p.Revision, &p.Ranked, utc{&p.OpensAt}, &remindBefore}, extra...)
	err := row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, polls.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.Rule = polls.Rule(rule)
	p.RemindBefore = time.Duration(remindBefore) * time.Second
	if units != nil {
		p.Coalition = &polls.Coalition{}
		if err := json.Unmarshal(units, p.Coalition); err != nil {
			return nil, fmt.Errorf("poll %d units: %w", p.ID, err)
		}
	}
	return &p, nil
}

// CreatePoll stores a new poll, sets its ID, and creates every counter
// the poll will use, at zero.
func (s *PollStore) CreatePoll(ctx context.Context, p *polls.Poll) error {
	var units []byte
	if p.Coalition != nil {
		var err error
		if units, err = json.Marshal(p.Coalition); err != nil {
			return fmt.Errorf("encode units: %w", err)
		}
	}
	return s.db.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO polls (question, options, secret, hidden, max_choices, rule, favour, against, units,
			platform, channel, thread, opened_by, opened_by_name, opened_at, closes_at, ranked, opens_at, remind_before)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
			p.Question, p.Options, p.Secret, p.Hidden, p.MaxChoices, string(p.Rule), p.Favour, p.Against, units,
			p.Platform, p.Channel, p.Thread, p.OpenedBy, p.OpenedByName, stamp(p.OpenedAt, toSecond), stamp(p.ClosesAt, toSecond), p.Ranked, stamp(p.OpensAt, toSecond), int64(p.RemindBefore/time.Second)).Scan(&p.ID)
		if err != nil {
			return fmt.Errorf("insert poll: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO poll_tally (poll_id, option, unit)
			SELECT $1, o, u FROM generate_series(1, $2::integer) AS o, unnest($3::text[]) AS u`,
			p.ID, len(p.Options), store.CounterUnits(p)); err != nil {
			return fmt.Errorf("create counters: %w", err)
		}
		for _, e := range store.PollEvents(p) {
			if _, err := tx.Exec(ctx, `INSERT INTO poll_events (poll_id, kind, due_at) VALUES ($1, $2, $3)`, p.ID, string(e.Kind), stamp(e.At, toSecond)); err != nil {
				return fmt.Errorf("schedule %s: %w", e.Kind, err)
			}
		}
		return nil
	})
}

// Poll returns the poll with the given ID, or polls.ErrNotFound.
func (s *PollStore) Poll(ctx context.Context, id int64) (*polls.Poll, error) {
	p, err := scanPoll(s.db.pool.QueryRow(ctx, `SELECT `+pollColumns+` FROM polls WHERE id = $1`, id))
	if err != nil && !errors.Is(err, polls.ErrNotFound) {
		return nil, fmt.Errorf("read poll %d: %w", id, err)
	}
	return p, err
}

// queryPolls reads the polls that where selects.
func (s *PollStore) queryPolls(ctx context.Context, what, where string, args ...any) ([]*polls.Poll, error) {
	return queryAll(ctx, s.db.pool, what, func(row pgx.CollectableRow, p **polls.Poll) (err error) {
		*p, err = scanPoll(row)
		return err
	}, `SELECT `+pollColumns+` FROM polls `+where, args...)
}

// OpenPolls returns the polls not yet closed in a channel, oldest first.
func (s *PollStore) OpenPolls(ctx context.Context, platform, channel string) ([]*polls.Poll, error) {
	return s.queryPolls(ctx, "list open polls", `WHERE closed_at IS NULL AND platform = $1 AND channel = $2 ORDER BY id`, platform, channel)
}

// DuePolls returns the polls not yet closed whose deadline is at or before t.
func (s *PollStore) DuePolls(ctx context.Context, t time.Time) ([]*polls.Poll, error) {
	return s.queryPolls(ctx, "list polls due to close", `WHERE closed_at IS NULL AND closes_at <= $1 ORDER BY closes_at, id`, stamp(t, toSecond))
}

// NextClose returns the earliest deadline of the polls not yet closed.
func (s *PollStore) NextClose(ctx context.Context) (time.Time, bool, error) {
	return s.earliest(ctx, "read next poll deadline", `SELECT min(closes_at) FROM polls WHERE closed_at IS NULL`)
}

// earliest runs a query for one time, which is absent when NULL.
func (s *PollStore) earliest(ctx context.Context, what, query string) (time.Time, bool, error) {
	var t time.Time
	if err := s.db.pool.QueryRow(ctx, query).Scan(utc{&t}); err != nil {
		return time.Time{}, false, fmt.Errorf("%s: %w", what, err)
	}
	return t, !t.IsZero(), nil
}

// ClosePoll marks the poll closed if it is still open. The update is
// conditional on the poll being open: callers racing to close it, in any
// process, queue on its row, and each one after the first finds it closed
// when PostgreSQL re-checks the condition, so exactly one sees true. The
// same update puts the result post in state sending: the caller that
// closes the poll owns its first attempt.
//
// When a secret ballot closes, the closing transaction also writes its
// participants again, in voter order, and its counters once more, so
// that every row of the ballot carries the closing transaction and none
// records when its member voted; after the commit the two tables are
// vacuumed, so that the row versions written while voting went on do not
// outlive the poll. (PostgreSQL's write-ahead log keeps them until the
// server recycles it.) A failed vacuum is reported with the close; the
// next secret close vacuums again.
func (s *PollStore) ClosePoll(ctx context.Context, id int64, by string, at time.Time) (bool, error) {
	var closed, secret bool
	err := s.db.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE polls SET closed_at = $2, closed_by = $3, revision = revision + 1,
			result_state = 'sending', result_attempts = 0
			WHERE id = $1 AND closed_at IS NULL RETURNING secret`, id, stamp(at, toSecond), by).Scan(&secret)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		closed = true
		if !secret {
			return nil
		}
		b := &pgx.Batch{}
		b.Queue(`WITH gone AS (DELETE FROM poll_participants WHERE poll_id = $1 RETURNING voter)
			INSERT INTO poll_participants (poll_id, voter) SELECT $1, voter FROM gone ORDER BY voter`, id)
		b.Queue(`UPDATE poll_tally SET votes = votes WHERE poll_id = $1`, id)
		b.Queue(`WITH gone AS (DELETE FROM poll_rankings WHERE poll_id = $1 RETURNING ranking, votes)
			INSERT INTO poll_rankings (poll_id, ranking, votes) SELECT $1, ranking, votes FROM gone ORDER BY ranking`, id)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return false, fmt.Errorf("close poll %d: %w", id, err)
	}
	if closed && secret {
		if _, err := s.db.pool.Exec(ctx, `VACUUM poll_participants, poll_tally, poll_rankings`); err != nil {
			return true, fmt.Errorf("close poll %d: vacuum its ballot: %w", id, err)
		}
	}
	return closed, nil
}

// tallyColumns are a poll's non-zero counters as three arrays in one
// order: options, units, votes.
const tallyColumns = `
	ARRAY(SELECT option FROM poll_tally WHERE poll_id = polls.id AND votes <> 0 ORDER BY option, unit),
	ARRAY(SELECT unit FROM poll_tally WHERE poll_id = polls.id AND votes <> 0 ORDER BY option, unit),
	ARRAY(SELECT votes FROM poll_tally WHERE poll_id = polls.id AND votes <> 0 ORDER BY option, unit)`

// Tally returns the poll and its non-zero counters, read in one statement
// so that they agree.
func (s *PollStore) Tally(ctx context.Context, id int64) (*polls.Tally, error) {
	var (
		options []int
		units   []string
		votes   []int
	)
	p, err := scanPoll(s.db.pool.QueryRow(ctx, `SELECT `+pollColumns+`, `+tallyColumns+` FROM polls WHERE id = $1`, id), &options, &units, &votes)
	if errors.Is(err, polls.ErrNotFound) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("tally poll %d: %w", id, err)
	}
	t := &polls.Tally{Poll: p}
	for i := range options {
		t.Counts = append(t.Counts, polls.Count{Option: options[i], Unit: units[i], Votes: votes[i]})
	}
	return t, nil
}

// Ballots returns the ballots of an open-ballot poll, by voter ID.
func (s *PollStore) Ballots(ctx context.Context, id int64) ([]polls.Ballot, error) {
	return queryAll(ctx, s.db.pool, fmt.Sprintf("read ballots of poll %d", id), func(row pgx.CollectableRow, b *polls.Ballot) error {
		return row.Scan(&b.Voter, &b.VoterName, &b.Unit, &b.Choices)
	}, `SELECT voter, voter_name, unit, choices FROM poll_ballots WHERE poll_id = $1 ORDER BY voter`, id)
}

// SetUnit records the unit a member says they are in.
func (s *PollStore) SetUnit(ctx context.Context, member, unit string) error {
	_, err := s.db.exec(ctx, "set unit", `INSERT INTO member_units (member, unit) VALUES ($1, $2)
		ON CONFLICT (member) DO UPDATE SET unit = excluded.unit`, member, unit)
	return err
}

// Unit returns the unit a member said they are in, or "".
func (s *PollStore) Unit(ctx context.Context, member string) (string, error) {
	var unit string
	if err := s.db.pool.QueryRow(ctx, `SELECT coalesce((SELECT unit FROM member_units WHERE member = $1), '')`, member).Scan(&unit); err != nil {
		return "", fmt.Errorf("read unit: %w", err)
	}
	return unit, nil
}

// Cast applies one member's vote in one transaction and returns once it
// is committed: see PollStore for how votes take turns. A refusal from
// decide, polls.ErrNotFound and polls.ErrAlreadyVoted come back as they
// are, with nothing written.
func (s *PollStore) Cast(ctx context.Context, pollID int64, v polls.Voter, decide polls.DecideFunc) error {
	var refusal error
	err := s.db.tx(ctx, func(tx pgx.Tx) error {
		p, prior, err := lockForVote(ctx, tx, pollID, v.ID)
		if err != nil {
			return err
		}
		var next []int
		if next, refusal = decide(p, prior); refusal != nil || next == nil {
			return refusal
		}
		return recordVote(ctx, tx, p, v, prior, next)
	})
	switch {
	case refusal != nil:
		return refusal
	case err != nil && !errors.Is(err, polls.ErrNotFound) && !errors.Is(err, polls.ErrAlreadyVoted):
		return fmt.Errorf("store the vote: %w", err)
	}
	return err
}

// lockForVote locks poll id's row and reads it with the voter's prior
// ballot. The two statements travel together, but the second one runs,
// with a snapshot of its own, only once the first holds the lock.
func lockForVote(ctx context.Context, tx pgx.Tx, id int64, voter string) (*polls.Poll, polls.Prior, error) {
	var (
		p       *polls.Poll
		prior   polls.Prior
		choices []int
		unit    *string
		took    bool
	)
	b := &pgx.Batch{}
	b.Queue(`SELECT `+pollColumns+` FROM polls WHERE id = $1 FOR NO KEY UPDATE`, id).QueryRow(func(row pgx.Row) (err error) {
		p, err = scanPoll(row)
		return err
	})
	b.Queue(`SELECT (SELECT choices FROM poll_ballots WHERE poll_id = $1 AND voter = $2),
			(SELECT unit FROM poll_ballots WHERE poll_id = $1 AND voter = $2),
			EXISTS (SELECT 1 FROM poll_participants WHERE poll_id = $1 AND voter = $2)`, id, voter).
		QueryRow(func(row pgx.Row) error { return row.Scan(&choices, &unit, &took) })
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, prior, err
	}
	switch {
	case p.Secret:
		prior.Voted = took
	case unit != nil:
		prior = polls.Prior{Voted: true, Choices: choices, Unit: *unit}
	}
	return p, prior, nil
}

// recordVote writes a vote decided on in tx: the ballot (open) or the
// participation (secret), the counters, and the poll's voter count and
// revision, in one round trip.
//
// The counters are moved by one statement. On a secret ballot it rewrites
// every counter of the poll, adding to the chosen ones and nothing to
// the others, so that all of them carry this transaction and none stands
// out as the one this voter moved (see migrations/0003_polls.sql).
func recordVote(ctx context.Context, tx pgx.Tx, p *polls.Poll, v polls.Voter, prior polls.Prior, next []int) error {
	unit := p.CountedUnit(v.Unit)
	newVoter := 0
	b := &pgx.Batch{}
	refuseSecond := func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() != 1 {
			return polls.ErrAlreadyVoted
		}
		return nil
	}
	switch {
	case p.Secret:
		b.Queue(`INSERT INTO poll_participants (poll_id, voter) VALUES ($1, $2) ON CONFLICT DO NOTHING`, p.ID, v.ID).Exec(refuseSecond)
		newVoter = 1
	case prior.Voted:
		b.Queue(`UPDATE poll_ballots SET choices = $3, unit = $4, voter_name = $5 WHERE poll_id = $1 AND voter = $2`,
			p.ID, v.ID, next, unit, v.Name)
	default:
		b.Queue(`INSERT INTO poll_ballots (poll_id, voter, voter_name, unit, choices) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			p.ID, v.ID, v.Name, unit, next).Exec(refuseSecond)
		newVoter = 1
	}
	if p.Ranked {
		if prior.Voted && !p.Secret {
			b.Queue(`UPDATE poll_rankings SET votes = votes - 1 WHERE poll_id = $1 AND ranking = $2`, p.ID, prior.Choices)
		}
		b.Queue(`INSERT INTO poll_rankings (poll_id, ranking, votes) VALUES ($1, $2, 1)
			ON CONFLICT (poll_id, ranking) DO UPDATE SET votes = poll_rankings.votes + 1`, p.ID, next)
		if p.Secret {
			// Every other ranking's counter is rewritten too, as poll_tally's
			// are, so none stands out as the one this voter's transaction
			// wrote.
			b.Queue(`UPDATE poll_rankings SET votes = votes WHERE poll_id = $1 AND ranking <> $2`, p.ID, next)
		}
	}
	next = store.CountedChoices(p, next)
	removed := store.CountedChoices(p, prior.Choices)
	if removed == nil {
		removed = []int{}
	}
	b.Queue(`WITH moved AS (
			UPDATE poll_tally SET votes = votes
				+ CASE WHEN unit = $2 AND option = ANY($3) THEN 1 ELSE 0 END
				- CASE WHEN unit = $4 AND option = ANY($5) THEN 1 ELSE 0 END
			WHERE poll_id = $1 AND ($6 OR unit = $2 AND option = ANY($3) OR unit = $4 AND option = ANY($5))
			RETURNING unit = $2 AND option = ANY($3) AS added, unit = $4 AND option = ANY($5) AS taken)
		SELECT count(*) FILTER (WHERE added), count(*) FILTER (WHERE taken) FROM moved`,
		p.ID, unit, next, prior.Unit, removed, p.Secret).QueryRow(func(row pgx.Row) error {
		var added, taken int
		if err := row.Scan(&added, &taken); err != nil {
			return fmt.Errorf("count vote: %w", err)
		}
		if added != len(next) || taken != len(removed) {
			return fmt.Errorf("poll %d has no counter for some of options %v in unit %q", p.ID, next, unit)
		}
		return nil
	})
	b.Queue(`UPDATE polls SET voters = voters + $2, revision = revision + 1 WHERE id = $1`, p.ID, newVoter)
	return tx.SendBatch(ctx, b).Close()
}

// Rankings returns a ranked poll's ballots as counts per distinct ranking.
func (s *PollStore) Rankings(ctx context.Context, id int64) ([]polls.Ranking, error) {
	return queryAll(ctx, s.db.pool, "read rankings", func(row pgx.CollectableRow, r *polls.Ranking) error {
		return row.Scan(&r.Order, &r.Votes)
	}, `SELECT ranking, votes FROM poll_rankings WHERE poll_id = $1 AND votes <> 0`, id)
}

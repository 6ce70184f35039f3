package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// PollStore implements polls.Store.
//
// A member's first ballot in an open (not secret) poll is one statement
// that inserts the ballot while holding the weakest lock on the poll's
// row (FOR KEY SHARE, the lock the ballot's foreign key takes anyway), on
// condition that the poll is still open: such votes run side by side, and
// none writes a row that another vote writes. While an open ballot runs,
// its voter count, revision and counters are therefore not stored but
// derived from its ballots whenever the poll is read. The close locks the
// poll's row FOR UPDATE, which waits for every vote under way, and writes
// them into the poll's row and counters; every vote after it finds the
// poll closed.
//
// Every other vote (a change of ballot, and every secret vote) is one
// transaction that locks its poll's row first (SELECT … FOR NO KEY
// UPDATE), then reads the member's prior ballot with a snapshot taken
// after the lock was granted, so that it sees every vote committed before
// it; these votes take turns with each other and with the close. A secret
// vote must: it rewrites all of its poll's counters (see
// recordSecretVote). The primary keys of the ballot and participant
// tables refuse a second ballot should anything get past that.
type PollStore struct {
	db *DB
	// Roster makes PollStore a polls.RosterStore too: the roster beside
	// the polls.
	store.Roster
}

// NewPollStore returns the poll store on db.
func NewPollStore(db *DB) *PollStore {
	return &PollStore{db: db, Roster: store.Roster{Engine: rosterSQL{db}}}
}

var (
	_ polls.Store       = (*PollStore)(nil)
	_ polls.RosterStore = (*PollStore)(nil)
)

// pollFields are the columns of a poll that are stored as they are read,
// in the order scanPoll reads them before the voter count and revision.
const pollFields = `id, question, options, secret, hidden, max_choices, rule, favour, against, units,
	platform, channel, thread, opened_by, opened_by_name, opened_at, closes_at, closed_at, closed_by, ranked, opens_at, remind_before, eligibility`

// storedPollColumns are a poll's columns as its row holds them. Its voter
// count and revision are the poll's own only once it is closed or when it
// is a secret ballot; they serve where those are not read.
const storedPollColumns = pollFields + `, voters, revision`

// liveBallot is true for a poll row whose voter count, revision and
// counters are derived from its ballots: an open ballot not yet closed.
const liveBallot = `(polls.closed_at IS NULL AND NOT polls.secret)`

// liveBallots counts the ballots of the poll row in polls.
const liveBallots = `(SELECT count(*) FROM poll_ballots WHERE poll_ballots.poll_id = polls.id)`

// unstoredBallots is the number of ballots of the poll row in polls that
// its stored voter count and revision do not include: those cast while
// its counts were derived (see PollStore), 0 once they are stored. A
// poll brought over from another database, or opened before counts were
// derived, has its earlier ballots in its stored counts already.
const unstoredBallots = `CASE WHEN ` + liveBallot + ` THEN ` + liveBallots + ` - polls.voters ELSE 0 END`

// pollsRead is the polls table with each poll's unstored ballots
// (live.ballots). Every vote adds one ballot or, when it changes one, one
// to the stored revision, so the revision read moves forward with each
// vote; the close stores what was derived and adds one.
const pollsRead = `polls CROSS JOIN LATERAL (SELECT ` + unstoredBallots + ` AS ballots) AS live`

// pollColumns are a poll's columns read from pollsRead, with its voter
// count and revision as they stand.
const pollColumns = pollFields + `, voters + live.ballots, revision + live.ballots`

// scanPoll reads the columns of pollColumns (or storedPollColumns), then
// any extra destinations.
func scanPoll(row pgx.Row, extra ...any) (*polls.Poll, error) {
	var (
		p                  polls.Poll
		rule               string
		units, eligibility []byte
		remindBefore       int64
	)
	dest := append([]any{&p.ID, &p.Question, &p.Options, &p.Secret, &p.Hidden, &p.MaxChoices, &rule, &p.Favour, &p.Against, &units,
		&p.Platform, &p.Channel, &p.Thread, &p.OpenedBy, &p.OpenedByName, utc{&p.OpenedAt}, utc{&p.ClosesAt}, utc{&p.ClosedAt},
		&p.ClosedBy, &p.Ranked, utc{&p.OpensAt}, &remindBefore, &eligibility, &p.Voters, &p.Revision}, extra...)
	err := row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, polls.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.Rule = polls.Rule(rule)
	p.RemindBefore = time.Duration(remindBefore) * time.Second
	if err := store.DecodeEligibility(&p, eligibility); err != nil {
		return nil, err
	}
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
	// JSON text, or NULL: sent as text, it is read as jsonb in every
	// query mode, including those PgBouncer needs (see docs/scaling.md).
	var units *string
	if p.Coalition != nil {
		b, err := json.Marshal(p.Coalition)
		if err != nil {
			return fmt.Errorf("encode units: %w", err)
		}
		text := string(b)
		units = &text
	}
	encoded, err := store.EncodeEligibility(p.Eligible)
	if err != nil {
		return err
	}
	// Sent as text for the same reason as units.
	var eligibility *string
	if encoded != nil {
		text := string(encoded)
		eligibility = &text
	}
	return s.db.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO polls (question, options, secret, hidden, max_choices, rule, favour, against, units,
			platform, channel, thread, opened_by, opened_by_name, opened_at, closes_at, ranked, opens_at, remind_before, eligibility)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::jsonb) RETURNING id`,
			p.Question, p.Options, p.Secret, p.Hidden, p.MaxChoices, string(p.Rule), p.Favour, p.Against, units,
			p.Platform, p.Channel, p.Thread, p.OpenedBy, p.OpenedByName, stamp(p.OpenedAt, toSecond), stamp(p.ClosesAt, toSecond), p.Ranked, stamp(p.OpensAt, toSecond), int64(p.RemindBefore/time.Second), eligibility).Scan(&p.ID)
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
	p, err := scanPoll(s.db.pool.QueryRow(ctx, `SELECT `+pollColumns+` FROM `+pollsRead+` WHERE id = $1`, id))
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
	}, `SELECT `+pollColumns+` FROM `+pollsRead+` `+where, args...)
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

// ClosePoll marks the poll closed if it is still open. It first locks the
// poll's row on condition that the poll is open: callers racing to close
// it, in any process, queue on its row, and each one after the first
// finds it closed when PostgreSQL re-checks the condition, so exactly one
// sees true. The lock waits for every vote under way, the statements
// after it see them all, and every vote after it finds the poll closed.
// The update that closes the poll puts the result post in state sending:
// the caller that closes the poll owns its first attempt.
//
// Closing an open ballot writes what was derived from its ballots while
// it ran (see PollStore) into its row and counters, where it is read from
// then on.
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
		err := tx.QueryRow(ctx, `SELECT secret FROM polls WHERE id = $1 AND closed_at IS NULL FOR UPDATE`, id).Scan(&secret)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		closed = true
		b := &pgx.Batch{}
		if secret {
			b.Queue(`WITH gone AS (DELETE FROM poll_participants WHERE poll_id = $1 RETURNING voter)
				INSERT INTO poll_participants (poll_id, voter) SELECT $1, voter FROM gone ORDER BY voter`, id)
			b.Queue(`UPDATE poll_tally SET votes = votes WHERE poll_id = $1`, id)
			b.Queue(`WITH gone AS (DELETE FROM poll_rankings WHERE poll_id = $1 RETURNING ranking, votes)
				INSERT INTO poll_rankings (poll_id, ranking, votes) SELECT $1, ranking, votes FROM gone ORDER BY ranking`, id)
		} else {
			b.Queue(`WITH counted AS (SELECT counted.* FROM polls, LATERAL (`+countedBallots+`) AS counted WHERE polls.id = $1)
				UPDATE poll_tally SET votes = coalesce((SELECT votes FROM counted WHERE counted.option = poll_tally.option AND counted.unit = poll_tally.unit), 0)
				WHERE poll_id = $1`, id)
			b.Queue(`DELETE FROM poll_rankings WHERE poll_id = $1`, id)
			b.Queue(`INSERT INTO poll_rankings (poll_id, ranking, votes)
				SELECT $1, counted.* FROM polls, LATERAL (`+rankedBallots+`) AS counted WHERE polls.id = $1 AND polls.ranked ORDER BY 2`, id)
		}
		// Evaluated on the row as it was, open: an open ballot's derived
		// voter count and revision become its stored ones.
		b.Queue(`UPDATE polls SET closed_at = $2, closed_by = $3, result_state = 'sending', result_attempts = 0,
			voters = voters + `+unstoredBallots+`, revision = revision + 1 + `+unstoredBallots+`
			WHERE id = $1`, id, stamp(at, toSecond), by)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return false, fmt.Errorf("close poll %d: %w", id, err)
	}
	if closed && secret {
		// FREEZE makes the vacuum aggressive: a page another backend has
		// pinned for a moment (the checkpointer writing it out) is waited
		// for, not skipped, so no old row version of the ballot is left.
		if _, err := s.db.pool.Exec(ctx, `VACUUM (FREEZE) poll_participants, poll_tally, poll_rankings`); err != nil {
			return true, fmt.Errorf("close poll %d: vacuum its ballot: %w", id, err)
		}
	}
	return closed, nil
}

// countedBallots counts the ballots of the poll row in polls by option
// and unit, as its counters would: a ranked ballot counts its first
// preference only (see store.CountedChoices).
const countedBallots = `SELECT option, poll_ballots.unit COLLATE "C" AS unit, count(*) AS votes
	FROM poll_ballots, unnest(CASE WHEN polls.ranked THEN poll_ballots.choices[1:1] ELSE poll_ballots.choices END) AS option
	WHERE poll_ballots.poll_id = polls.id GROUP BY 1, 2`

// rankedBallots counts the ballots of the poll row in polls by ranking.
const rankedBallots = `SELECT choices AS ranking, count(*) AS votes FROM poll_ballots WHERE poll_id = polls.id GROUP BY choices`

// pollsTally is pollsRead with a poll's non-zero counters, stored or
// derived from its ballots, as three arrays in one order: tally_options,
// tally_units and tally_votes.
const pollsTally = pollsRead + ` CROSS JOIN LATERAL (
	SELECT array_agg(option ORDER BY option, unit) AS tally_options, array_agg(unit ORDER BY option, unit) AS tally_units,
		array_agg(votes ORDER BY option, unit) AS tally_votes
	FROM (SELECT option, unit, votes FROM poll_tally WHERE poll_id = polls.id AND votes <> 0 AND NOT ` + liveBallot + `
		UNION ALL
		SELECT * FROM (` + countedBallots + `) AS counted WHERE ` + liveBallot + `) AS counts) AS tally`

// Tally returns the poll and its non-zero counters, read in one statement
// so that they agree.
func (s *PollStore) Tally(ctx context.Context, id int64) (*polls.Tally, error) {
	var (
		options []int
		units   []string
		votes   []int
	)
	p, err := scanPoll(s.db.pool.QueryRow(ctx, `SELECT `+pollColumns+`, tally_options, tally_units, tally_votes FROM `+pollsTally+` WHERE id = $1`, id),
		&options, &units, &votes)
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

// errInTurn sends a vote that castBeside cannot record to castInTurn.
var errInTurn = errors.New("the vote takes its turn")

// Cast applies one member's vote and returns once it is committed: see
// PollStore for how votes run side by side or take turns. A refusal from
// decide, polls.ErrNotFound and polls.ErrAlreadyVoted come back as they
// are, with nothing written.
func (s *PollStore) Cast(ctx context.Context, pollID int64, v polls.Voter, decide polls.DecideFunc) error {
	var refusal error
	decided := func(p *polls.Poll, prior polls.Prior) (next []int, err error) {
		next, refusal = decide(p, prior)
		return next, refusal
	}
	err := s.castBeside(ctx, pollID, v, decided)
	if errors.Is(err, errInTurn) {
		err = s.castInTurn(ctx, pollID, v, decided)
	}
	switch {
	case refusal != nil:
		return refusal
	case err != nil && !errors.Is(err, polls.ErrNotFound) && !errors.Is(err, polls.ErrAlreadyVoted):
		return fmt.Errorf("store the vote: %w", err)
	}
	return err
}

// castBeside records a member's first ballot in an open ballot in one
// statement, beside the other votes (see PollStore). It returns errInTurn
// for a vote it cannot record so: a secret one, one that changes a
// ballot, and one whose poll closed, or whose member's ballot landed,
// after it read them; castInTurn then decides it again on what is there.
func (s *PollStore) castBeside(ctx context.Context, pollID int64, v polls.Voter, decide polls.DecideFunc) error {
	// One connection for both statements: the vote waits for a free
	// connection once.
	return s.db.pool.AcquireFunc(ctx, func(conn *pgxpool.Conn) error {
		p, prior, err := readForVote(ctx, conn, pollID, v.ID, "")
		if err != nil {
			return err
		}
		if p.Secret || prior.Voted {
			return errInTurn
		}
		next, err := decide(p, prior)
		if err != nil || next == nil {
			return err
		}
		landed, err := insertBallot(ctx, conn, p, v, next)
		if err == nil && !landed {
			return errInTurn
		}
		return err
	})
}

// castInTurn applies one member's vote in one transaction that takes
// turns on its poll's row (see PollStore).
func (s *PollStore) castInTurn(ctx context.Context, pollID int64, v polls.Voter, decide polls.DecideFunc) error {
	return s.db.tx(ctx, func(tx pgx.Tx) error {
		p, prior, err := readForVote(ctx, tx, pollID, v.ID, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		next, err := decide(p, prior)
		if err != nil || next == nil {
			return err
		}
		if p.Secret {
			return recordSecretVote(ctx, tx, p, v, next)
		}
		return recordBallot(ctx, tx, p, v, prior, next)
	})
}

// batcher is the pool or a transaction.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// readForVote reads poll id, locked as lock says ("" for no lock), with
// the voter's prior ballot. The two statements travel together, but the
// second one runs, with a snapshot of its own, only once the first holds
// the lock. The poll's voter count and revision are left as stored: a
// vote does not need them.
func readForVote(ctx context.Context, q batcher, id int64, voter, lock string) (*polls.Poll, polls.Prior, error) {
	var (
		p       *polls.Poll
		prior   polls.Prior
		choices []int
		unit    *string
		took    bool
	)
	b := &pgx.Batch{}
	b.Queue(`SELECT `+storedPollColumns+` FROM polls WHERE id = $1 `+lock, id).QueryRow(func(row pgx.Row) (err error) {
		p, err = scanPoll(row)
		return err
	})
	b.Queue(`SELECT (SELECT choices FROM poll_ballots WHERE poll_id = $1 AND voter = $2),
			(SELECT unit FROM poll_ballots WHERE poll_id = $1 AND voter = $2),
			EXISTS (SELECT 1 FROM poll_participants WHERE poll_id = $1 AND voter = $2)`, id, voter).
		QueryRow(func(row pgx.Row) error { return row.Scan(&choices, &unit, &took) })
	if err := q.SendBatch(ctx, b).Close(); err != nil {
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

// execer is the pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// insertBallot adds a member's first ballot to an open ballot in one
// statement that holds a key share lock on the poll's row while the poll
// is open, and reports whether it landed: it does not when the poll has
// closed or the member has a ballot already.
func insertBallot(ctx context.Context, q execer, p *polls.Poll, v polls.Voter, choices []int) (bool, error) {
	tag, err := q.Exec(ctx, `WITH open AS (SELECT id FROM polls WHERE id = $1 AND closed_at IS NULL FOR KEY SHARE)
		INSERT INTO poll_ballots (poll_id, voter, voter_name, unit, choices) SELECT id, $2, $3, $4, $5 FROM open
		ON CONFLICT DO NOTHING`, p.ID, v.ID, v.Name, p.CountedUnit(v.Unit), choices)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// recordBallot writes an open ballot decided on in tx. A first ballot
// adds to the ballots the poll's counts are derived from; a change
// replaces the choices and moves the poll's revision forward.
func recordBallot(ctx context.Context, tx pgx.Tx, p *polls.Poll, v polls.Voter, prior polls.Prior, next []int) error {
	if !prior.Voted {
		landed, err := insertBallot(ctx, tx, p, v, next)
		if err == nil && !landed {
			return polls.ErrAlreadyVoted
		}
		return err
	}
	b := &pgx.Batch{}
	b.Queue(`UPDATE poll_ballots SET choices = $3, unit = $4, voter_name = $5 WHERE poll_id = $1 AND voter = $2`,
		p.ID, v.ID, next, p.CountedUnit(v.Unit), v.Name)
	b.Queue(`UPDATE polls SET revision = revision + 1 WHERE id = $1`, p.ID)
	return tx.SendBatch(ctx, b).Close()
}

// recordSecretVote writes a secret vote decided on in tx: the
// participation, the counters, and the poll's voter count and revision,
// in one round trip.
//
// The counters are moved by one statement that rewrites every counter of
// the poll, adding to the chosen ones and nothing to the others, so that
// all of them carry this transaction and none stands out as the one this
// voter moved (see migrations/0003_polls.sql); a ranked poll's counters
// per ranking likewise.
func recordSecretVote(ctx context.Context, tx pgx.Tx, p *polls.Poll, v polls.Voter, next []int) error {
	unit := p.CountedUnit(v.Unit)
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO poll_participants (poll_id, voter) VALUES ($1, $2) ON CONFLICT DO NOTHING`, p.ID, v.ID).Exec(func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() != 1 {
			return polls.ErrAlreadyVoted
		}
		return nil
	})
	if p.Ranked {
		b.Queue(`INSERT INTO poll_rankings (poll_id, ranking, votes) VALUES ($1, $2, 1)
			ON CONFLICT (poll_id, ranking) DO UPDATE SET votes = poll_rankings.votes + 1`, p.ID, next)
		b.Queue(`UPDATE poll_rankings SET votes = votes WHERE poll_id = $1 AND ranking <> $2`, p.ID, next)
	}
	counted := store.CountedChoices(p, next)
	b.Queue(`WITH moved AS (
			UPDATE poll_tally SET votes = votes + CASE WHEN unit = $2 AND option = ANY($3) THEN 1 ELSE 0 END
			WHERE poll_id = $1
			RETURNING unit = $2 AND option = ANY($3) AS added)
		SELECT count(*) FILTER (WHERE added) FROM moved`,
		p.ID, unit, counted).QueryRow(func(row pgx.Row) error {
		var added int
		if err := row.Scan(&added); err != nil {
			return fmt.Errorf("count vote: %w", err)
		}
		if added != len(counted) {
			return fmt.Errorf("poll %d has no counter for some of options %v in unit %q", p.ID, counted, unit)
		}
		return nil
	})
	b.Queue(`UPDATE polls SET voters = voters + 1, revision = revision + 1 WHERE id = $1`, p.ID)
	return tx.SendBatch(ctx, b).Close()
}

// Rankings returns a ranked poll's ballots as counts per distinct
// ranking, stored or derived from its ballots.
func (s *PollStore) Rankings(ctx context.Context, id int64) ([]polls.Ranking, error) {
	return queryAll(ctx, s.db.pool, "read rankings", func(row pgx.CollectableRow, r *polls.Ranking) error {
		return row.Scan(&r.Order, &r.Votes)
	}, `SELECT ranking, votes FROM poll_rankings JOIN polls ON polls.id = poll_rankings.poll_id
			WHERE poll_id = $1 AND votes <> 0 AND NOT `+liveBallot+`
		UNION ALL
		SELECT counted.* FROM polls, LATERAL (`+rankedBallots+`) AS counted WHERE polls.id = $1 AND `+liveBallot, id)
}

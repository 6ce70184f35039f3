package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store"
)

// zeroVotes is a counter at zero. Counts are stored as twelve zero-padded
// digits so that every update rewrites a counter in place at the same size.
const zeroVotes = "000000000000"

// maxBatch is the most votes committed in one transaction.
const maxBatch = 256

// PollStore implements polls.Store.
//
// Votes are committed in groups: while one transaction is being written,
// the votes that arrive queue up and the next transaction commits them all
// together, each inside its own savepoint so that one refused vote does not
// affect the others. Every caller still returns only after the transaction
// holding its vote has committed, so a confirmed vote is a durable one; the
// grouping only saves the per-transaction cost when many members vote at
// once.
type PollStore struct {
	db *DB
	// Roster makes PollStore a polls.RosterStore too: the roster beside
	// the polls.
	store.Roster

	mu    sync.Mutex
	queue []*castReq
	busy  bool // a leader is committing

	defs sync.Map // poll ID -> *polls.Poll: the parts of a poll that never change

	prepMu   sync.Mutex
	prepared bool
	stmts    [nQueries]*sql.Stmt
	reads    [nReads]*sql.Stmt
}

// castReq is one vote waiting to be committed.
type castReq struct {
	pollID int64
	voter  polls.Voter
	decide polls.DecideFunc
	err    error
	done   chan struct{} // receives when err is set, or when lead is set
	lead   bool          // this caller is to commit the next group
}

// NewPollStore returns the poll store on db.
func NewPollStore(db *DB) *PollStore {
	return &PollStore{db: db, Roster: store.Roster{Engine: rosterSQL{db}}}
}

var (
	_ polls.Store       = (*PollStore)(nil)
	_ polls.RosterStore = (*PollStore)(nil)
)

const pollColumns = `id, question, options, secret, hidden, max_choices, rule, favour, against, units,
	platform, channel, thread, opened_by, opened_by_name, opened_at, closes_at, closed_at, closed_by, voters, revision, ranked, opens_at, remind_before, eligibility`

func scanPoll(row scanner) (*polls.Poll, error) {
	var (
		p                           polls.Poll
		options, units, rule        string
		openedAt                    string
		closesAt, closedAt, opensAt sql.NullString
		remindBefore                int64
		secret, hidden              bool
		maxChoices, favour, agains  int
		eligibility                 string
	)
	err := row.Scan(&p.ID, &p.Question, &options, &secret, &hidden, &maxChoices, &rule, &favour, &agains, &units,
		&p.Platform, &p.Channel, &p.Thread, &p.OpenedBy, &p.OpenedByName, &openedAt, &closesAt, &closedAt, &p.ClosedBy, &p.Voters, &p.Revision, &p.Ranked, &opensAt, &remindBefore, &eligibility)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, polls.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.Secret, p.Hidden, p.MaxChoices, p.Rule, p.Favour, p.Against = secret, hidden, maxChoices, polls.Rule(rule), favour, agains
	if err := json.Unmarshal([]byte(options), &p.Options); err != nil {
		return nil, fmt.Errorf("poll %d options: %w", p.ID, err)
	}
	if units != "" {
		p.Coalition = &polls.Coalition{}
		if err := json.Unmarshal([]byte(units), p.Coalition); err != nil {
			return nil, fmt.Errorf("poll %d units: %w", p.ID, err)
		}
	}
	if err := store.DecodeEligibility(&p, []byte(eligibility)); err != nil {
		return nil, err
	}
	if p.OpenedAt, err = parseTime(sql.NullString{String: openedAt, Valid: true}); err != nil {
		return nil, err
	}
	if p.ClosesAt, err = parseTime(closesAt); err != nil {
		return nil, err
	}
	if p.ClosedAt, err = parseTime(closedAt); err != nil {
		return nil, err
	}
	if p.OpensAt, err = parseTime(opensAt); err != nil {
		return nil, err
	}
	p.RemindBefore = time.Duration(remindBefore) * time.Second
	return &p, nil
}

// CreatePoll stores a new poll and sets its ID.
func (s *PollStore) CreatePoll(ctx context.Context, p *polls.Poll) error {
	options, err := json.Marshal(p.Options)
	if err != nil {
		return fmt.Errorf("encode options: %w", err)
	}
	var units []byte
	if p.Coalition != nil {
		if units, err = json.Marshal(p.Coalition); err != nil {
			return fmt.Errorf("encode units: %w", err)
		}
	}
	eligibility, err := store.EncodeEligibility(p.Eligible)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO polls (question, options, secret, hidden, max_choices, rule, favour, against, units,
			platform, channel, thread, opened_by, opened_by_name, opened_at, closes_at, ranked, opens_at, remind_before, eligibility)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Question, string(options), p.Secret, p.Hidden, p.MaxChoices, string(p.Rule), p.Favour, p.Against, string(units),
			p.Platform, p.Channel, p.Thread, p.OpenedBy, p.OpenedByName, formatTime(p.OpenedAt), nullTime(p.ClosesAt), p.Ranked, nullTime(p.OpensAt), int64(p.RemindBefore/time.Second), string(eligibility))
		if err != nil {
			return fmt.Errorf("insert poll: %w", err)
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, e := range store.PollEvents(p) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO poll_events (poll_id, kind, due_at) VALUES (?, ?, ?)`, p.ID, string(e.Kind), formatTime(e.At)); err != nil {
				return fmt.Errorf("schedule %s: %w", e.Kind, err)
			}
		}
		// Every counter the poll will use, created now in key order.
		for o := 1; o <= len(p.Options); o++ {
			for _, u := range store.CounterUnits(p) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO poll_tally (poll_id, option, unit, votes) VALUES (?, ?, ?, ?)`, p.ID, o, u, zeroVotes); err != nil {
					return fmt.Errorf("create counters: %w", err)
				}
			}
		}
		return nil
	})
}

// readPoll reads a poll from the read pool: its fixed definition from the
// cache when it has been read before, and its state (closed, voters,
// revision).
func (s *PollStore) readPoll(ctx context.Context, id int64) (*polls.Poll, error) {
	st, err := s.readStmt(ctx, rState)
	if err != nil {
		return nil, err
	}
	return s.cachedPoll(ctx, s.db.read, st, id)
}

// cachedPoll returns poll id: on first use its whole row read with q, and
// cached; afterwards the cached definition with only its state (closed,
// voters, revision) read with the state statement.
func (s *PollStore) cachedPoll(ctx context.Context, q querier, state *sql.Stmt, id int64) (*polls.Poll, error) {
	def, ok := s.defs.Load(id)
	if !ok {
		p, err := scanPoll(q.QueryRowContext(ctx, `SELECT `+pollColumns+` FROM polls WHERE id = ?`, id))
		if err != nil {
			return nil, err
		}
		cp := *p
		s.defs.Store(id, &cp)
		return p, nil
	}
	p := *def.(*polls.Poll)
	var closedAt sql.NullString
	err := state.QueryRowContext(ctx, id).Scan(&closedAt, &p.ClosedBy, &p.Voters, &p.Revision)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, polls.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if p.ClosedAt, err = parseTime(closedAt); err != nil {
		return nil, err
	}
	return &p, nil
}

// Poll returns the poll with the given ID, or polls.ErrNotFound.
func (s *PollStore) Poll(ctx context.Context, id int64) (*polls.Poll, error) {
	p, err := s.readPoll(ctx, id)
	if err != nil && !errors.Is(err, polls.ErrNotFound) {
		return nil, fmt.Errorf("read poll %d: %w", id, err)
	}
	return p, err
}

// OpenPolls returns the polls not yet closed in a channel, oldest first.
func (s *PollStore) OpenPolls(ctx context.Context, platform, channel string) ([]*polls.Poll, error) {
	return queryAll(ctx, s.db.read, "list open polls", scanPoll, `SELECT `+pollColumns+` FROM polls
		WHERE closed_at IS NULL AND platform = ? AND channel = ? ORDER BY id`, platform, channel)
}

// DuePolls returns the polls not yet closed whose deadline is at or before t.
func (s *PollStore) DuePolls(ctx context.Context, t time.Time) ([]*polls.Poll, error) {
	return queryAll(ctx, s.db.read, "list polls due to close", scanPoll, `SELECT `+pollColumns+` FROM polls
		WHERE closed_at IS NULL AND closes_at IS NOT NULL AND closes_at <= ? ORDER BY closes_at, id`, formatTime(t))
}

// NextClose returns the earliest deadline of the polls not yet closed.
func (s *PollStore) NextClose(ctx context.Context) (time.Time, bool, error) {
	return s.earliest(ctx, "read next poll deadline", `SELECT MIN(closes_at) FROM polls WHERE closed_at IS NULL AND closes_at IS NOT NULL`)
}

// earliest runs a query for one time, which is absent when NULL.
func (s *PollStore) earliest(ctx context.Context, what, query string) (time.Time, bool, error) {
	var next sql.NullString
	if err := s.db.read.QueryRowContext(ctx, query).Scan(&next); err != nil {
		return time.Time{}, false, fmt.Errorf("%s: %w", what, err)
	}
	t, err := parseTime(next)
	return t, next.Valid, err
}

// ClosePoll marks the poll closed if it is still open. The conditional
// update makes exactly one caller see true.
//
// When a secret ballot closes, the write-ahead log is checkpointed and
// truncated, so the step-by-step history of its counters that the log held
// while voting went on does not outlive the poll.
func (s *PollStore) ClosePoll(ctx context.Context, id int64, by string, at time.Time) (bool, error) {
	var closed, secret bool
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		// The same update puts the result post in state sending: the
		// caller that closes the poll owns its first attempt.
		err := tx.QueryRowContext(ctx, `UPDATE polls SET closed_at = ?, closed_by = ?, revision = revision + 1,
			result_state = 'sending', result_attempts = 0
			WHERE id = ? AND closed_at IS NULL RETURNING secret`, formatTime(at), by, id).Scan(&secret)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		closed = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("close poll %d: %w", id, err)
	}
	if closed && secret {
		if err := s.db.TruncateLog(ctx); err != nil {
			return true, fmt.Errorf("close poll %d: %w", id, err)
		}
	}
	return closed, nil
}

// TruncateLog checkpoints the write-ahead log into the database file and
// truncates it to zero bytes. Readers still using old snapshots can make
// the checkpoint partial; it is then retried at the next secret close.
func (db *DB) TruncateLog(ctx context.Context) error {
	var busy, logFrames, done int
	if err := db.write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint the write-ahead log: %w", err)
	}
	return nil
}

// Tally returns the poll's state and its non-zero counters, read in one
// statement so that they agree.
func (s *PollStore) Tally(ctx context.Context, id int64) (*polls.Tally, error) {
	def, ok := s.defs.Load(id)
	if !ok {
		// Cache the definition first; the state is read below.
		if _, err := s.Poll(ctx, id); err != nil {
			return nil, err
		}
		def, _ = s.defs.Load(id)
	}
	st, err := s.readStmt(ctx, rTally)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("tally poll %d: %w", id, err)
	}
	defer rows.Close()
	p := *def.(*polls.Poll)
	t := &polls.Tally{Poll: &p}
	found := false
	for rows.Next() {
		var closedAt sql.NullString
		var option sql.NullInt64
		var unit sql.NullString
		var votes sql.NullInt64
		if err := rows.Scan(&closedAt, &p.ClosedBy, &p.Voters, &p.Revision, &option, &unit, &votes); err != nil {
			return nil, fmt.Errorf("tally poll %d: %w", id, err)
		}
		if !found {
			if p.ClosedAt, err = parseTime(closedAt); err != nil {
				return nil, err
			}
			found = true
		}
		if option.Valid {
			t.Counts = append(t.Counts, polls.Count{Option: int(option.Int64), Unit: unit.String, Votes: int(votes.Int64)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tally poll %d: %w", id, err)
	}
	if !found {
		return nil, polls.ErrNotFound
	}
	return t, nil
}

// Statements run on the read pool, prepared once.
const (
	rState = iota
	rTally
	rUnit
	nReads
)

var readQueries = [nReads]string{
	rState: `SELECT closed_at, closed_by, voters, revision FROM polls WHERE id = ?`,
	rTally: `SELECT p.closed_at, p.closed_by, p.voters, p.revision, t.option, t.unit, CAST(t.votes AS INTEGER)
		FROM polls p LEFT JOIN poll_tally t ON t.poll_id = p.id AND t.votes <> '` + zeroVotes + `' WHERE p.id = ?`,
	rUnit: `SELECT unit FROM member_units WHERE member = ?`,
}

// readStmt returns read statement q, preparing it on first use.
func (s *PollStore) readStmt(ctx context.Context, q int) (*sql.Stmt, error) {
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	if s.reads[q] == nil {
		st, err := s.db.read.PrepareContext(ctx, readQueries[q])
		if err != nil {
			return nil, fmt.Errorf("prepare query: %w", err)
		}
		s.reads[q] = st
	}
	return s.reads[q], nil
}

// Ballots returns the ballots of an open-ballot poll, by voter ID.
func (s *PollStore) Ballots(ctx context.Context, id int64) ([]polls.Ballot, error) {
	return queryAll(ctx, s.db.read, fmt.Sprintf("read ballots of poll %d", id), func(row scanner) (b polls.Ballot, err error) {
		var choices string
		if err := row.Scan(&b.Voter, &b.VoterName, &b.Unit, &choices); err != nil {
			return b, err
		}
		b.Choices, err = decodeChoices(choices)
		return b, err
	}, `SELECT voter, voter_name, unit, choices FROM poll_ballots WHERE poll_id = ? ORDER BY voter`, id)
}

// SetUnit records the unit a member says they are in.
func (s *PollStore) SetUnit(ctx context.Context, member, unit string) error {
	_, err := s.db.exec(ctx, "set unit", `INSERT INTO member_units (member, unit) VALUES (?, ?)
		ON CONFLICT (member) DO UPDATE SET unit = excluded.unit`, member, unit)
	return err
}

// Unit returns the unit a member said they are in, or "".
func (s *PollStore) Unit(ctx context.Context, member string) (string, error) {
	var unit string
	st, err := s.readStmt(ctx, rUnit)
	if err != nil {
		return "", err
	}
	err = st.QueryRowContext(ctx, member).Scan(&unit)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read unit: %w", err)
	}
	return unit, nil
}

func encodeChoices(cs []int) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, " ")
}

func decodeChoices(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Fields(s) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("stored choices %q: %w", s, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// Cast applies one member's vote and returns once it is committed. See
// PollStore for how concurrent votes share transactions.
func (s *PollStore) Cast(ctx context.Context, pollID int64, v polls.Voter, decide polls.DecideFunc) error {
	r := &castReq{pollID: pollID, voter: v, decide: decide, done: make(chan struct{}, 1)}
	s.mu.Lock()
	s.queue = append(s.queue, r)
	if s.busy {
		s.mu.Unlock()
		// Wait without watching ctx: once queued, the vote may be
		// committed, and the member must be told whether it was.
		<-r.done
		if !r.lead {
			return r.err
		}
	} else {
		s.busy = true
		s.mu.Unlock()
	}
	// This caller leads: commit a group that includes its own vote, then
	// hand the lead to the first vote still waiting, if any.
	s.mu.Lock()
	n := min(len(s.queue), maxBatch)
	batch := s.queue[:n:n]
	s.queue = s.queue[n:]
	s.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	if err := s.prepare(ctx); err != nil {
		for _, q := range batch {
			q.err = err
		}
	} else {
		s.commit(ctx, batch)
	}
	for _, q := range batch {
		if q != r {
			q.done <- struct{}{}
		}
	}
	s.mu.Lock()
	if len(s.queue) > 0 {
		next := s.queue[0]
		next.lead = true
		next.done <- struct{}{}
	} else {
		s.busy = false
	}
	s.mu.Unlock()
	return r.err
}

// commit writes a group of votes in one transaction. A refused vote
// (decide said no, or the unique constraint caught a second ballot) is
// refused before anything of it is written, so the others go ahead. Any
// other failure rolls the whole group back; each vote is then retried in a
// transaction of its own, so one failing vote cannot cost the others.
func (s *PollStore) commit(ctx context.Context, batch []*castReq) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, r := range batch {
			refusal, err := s.castOne(ctx, tx, r)
			if err != nil {
				return err
			}
			r.err = refusal
		}
		return nil
	})
	if err == nil {
		return
	}
	if len(batch) == 1 {
		batch[0].err = err
		return
	}
	for _, r := range batch {
		s.commit(ctx, []*castReq{r})
	}
}

// isConstraint reports whether err is a uniqueness violation.
func isConstraint(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}

// The statements a vote runs, prepared once on the writer connection.
const (
	qState = iota
	qParticipated
	qPrior
	qParticipate
	qInsertBallot
	qUpdateBallot
	qAddVote
	qCountVoter
	qAddRanking
	qTakeRanking
	nQueries
)

var voteQueries = [nQueries]string{
	qState:        `SELECT closed_at, closed_by, voters, revision FROM polls WHERE id = ?`,
	qParticipated: `SELECT 1 FROM poll_participants WHERE poll_id = ? AND voter = ?`,
	qPrior:        `SELECT choices, unit FROM poll_ballots WHERE poll_id = ? AND voter = ?`,
	qParticipate:  `INSERT INTO poll_participants (poll_id, voter) VALUES (?, ?) ON CONFLICT DO NOTHING`,
	qInsertBallot: `INSERT INTO poll_ballots (poll_id, voter, voter_name, unit, choices) VALUES (?, ?, ?, ?, ?)`,
	qUpdateBallot: `UPDATE poll_ballots SET choices = ?, unit = ?, voter_name = ? WHERE poll_id = ? AND voter = ?`,
	// A counter is rewritten in place at the same size; every counter
	// exists from the poll's opening.
	qAddVote:    `UPDATE poll_tally SET votes = printf('%012d', CAST(votes AS INTEGER) + ?) WHERE poll_id = ? AND option = ? AND unit = ?`,
	qCountVoter: `UPDATE polls SET voters = voters + ?, revision = revision + 1 WHERE id = ?`,
	// A ranking's counter is created by its first ballot and rewritten in
	// place at the same size after that.
	qAddRanking: `INSERT INTO poll_rankings (poll_id, ranking, votes) VALUES (?, ?, '000000000001')
		ON CONFLICT (poll_id, ranking) DO UPDATE SET votes = printf('%012d', CAST(votes AS INTEGER) + 1)`,
	qTakeRanking: `UPDATE poll_rankings SET votes = printf('%012d', CAST(votes AS INTEGER) - 1) WHERE poll_id = ? AND ranking = ?`,
}

// prepare prepares the vote statements once. It must not be called inside
// a write transaction: it needs the writer connection.
func (s *PollStore) prepare(ctx context.Context) error {
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	if s.prepared {
		return nil
	}
	for i, q := range voteQueries {
		st, err := s.db.write.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare vote statement: %w", err)
		}
		s.stmts[i] = st
	}
	s.prepared = true
	return nil
}

// stmt returns prepared statement q for use in tx.
func (s *PollStore) stmt(ctx context.Context, tx *sql.Tx, q int) *sql.Stmt {
	return tx.StmtContext(ctx, s.stmts[q])
}

// pollInTx returns the poll for a vote: its fixed definition, cached after
// the first read, with its state read inside tx.
func (s *PollStore) pollInTx(ctx context.Context, tx *sql.Tx, id int64) (*polls.Poll, error) {
	return s.cachedPoll(ctx, tx, s.stmt(ctx, tx, qState), id)
}

// castOne applies one vote inside tx. It returns the vote's refusal, with
// nothing of the vote written, or an error that leaves tx unusable.
func (s *PollStore) castOne(ctx context.Context, tx *sql.Tx, r *castReq) (refusal, err error) {
	p, err := s.pollInTx(ctx, tx, r.pollID)
	if errors.Is(err, polls.ErrNotFound) {
		return err, nil
	}
	if err != nil {
		return nil, err
	}
	var prior polls.Prior
	if p.Secret {
		var one int
		err := s.stmt(ctx, tx, qParticipated).QueryRowContext(ctx, p.ID, r.voter.ID).Scan(&one)
		switch {
		case err == nil:
			prior.Voted = true
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("read participation: %w", err)
		}
	} else {
		var choices string
		err := s.stmt(ctx, tx, qPrior).QueryRowContext(ctx, p.ID, r.voter.ID).Scan(&choices, &prior.Unit)
		switch {
		case err == nil:
			prior.Voted = true
			if prior.Choices, err = decodeChoices(choices); err != nil {
				return nil, err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("read ballot: %w", err)
		}
	}
	next, refusal := r.decide(p, prior)
	if refusal != nil || next == nil {
		return refusal, nil
	}
	unit := p.CountedUnit(r.voter.Unit)
	newVoter := 0
	switch {
	case p.Secret:
		// Only the fact of taking part; the primary key refuses a second.
		res, err := s.stmt(ctx, tx, qParticipate).ExecContext(ctx, p.ID, r.voter.ID)
		if err != nil {
			return nil, fmt.Errorf("record participation: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return polls.ErrAlreadyVoted, nil
		}
		newVoter = 1
	case prior.Voted:
		for _, c := range store.CountedChoices(p, prior.Choices) {
			if err := s.addVote(ctx, tx, p.ID, c, prior.Unit, -1); err != nil {
				return nil, fmt.Errorf("move vote: %w", err)
			}
		}
		if err := s.addRanking(ctx, tx, p, prior.Choices, qTakeRanking); err != nil {
			return nil, fmt.Errorf("move ranking: %w", err)
		}
		if _, err := s.stmt(ctx, tx, qUpdateBallot).ExecContext(ctx, encodeChoices(next), unit, r.voter.Name, p.ID, r.voter.ID); err != nil {
			return nil, fmt.Errorf("change ballot: %w", err)
		}
	default:
		_, err := s.stmt(ctx, tx, qInsertBallot).ExecContext(ctx, p.ID, r.voter.ID, r.voter.Name, unit, encodeChoices(next))
		if isConstraint(err) {
			return polls.ErrAlreadyVoted, nil
		}
		if err != nil {
			return nil, fmt.Errorf("record ballot: %w", err)
		}
		newVoter = 1
	}
	for _, c := range store.CountedChoices(p, next) {
		if err := s.addVote(ctx, tx, p.ID, c, unit, 1); err != nil {
			return nil, fmt.Errorf("count vote: %w", err)
		}
	}
	if err := s.addRanking(ctx, tx, p, next, qAddRanking); err != nil {
		return nil, fmt.Errorf("count ranking: %w", err)
	}
	if _, err := s.stmt(ctx, tx, qCountVoter).ExecContext(ctx, newVoter, p.ID); err != nil {
		return nil, fmt.Errorf("count voter: %w", err)
	}
	return nil, nil
}

// addVote adds delta to one counter.
func (s *PollStore) addVote(ctx context.Context, tx *sql.Tx, pollID int64, option int, unit string, delta int) error {
	res, err := s.stmt(ctx, tx, qAddVote).ExecContext(ctx, delta, pollID, option, unit)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("no counter for poll %d option %d", pollID, option)
	}
	return nil
}

// addRanking adds one ballot to the counter of ranking on a ranked poll
// (with q qAddRanking) or takes one away (qTakeRanking), and does nothing
// on any other poll.
func (s *PollStore) addRanking(ctx context.Context, tx *sql.Tx, p *polls.Poll, ranking []int, q int) error {
	if !p.Ranked {
		return nil
	}
	_, err := s.stmt(ctx, tx, q).ExecContext(ctx, p.ID, encodeChoices(ranking))
	return err
}

// Rankings returns a ranked poll's ballots as counts per distinct ranking.
func (s *PollStore) Rankings(ctx context.Context, id int64) ([]polls.Ranking, error) {
	return queryAll(ctx, s.db.read, "read rankings", func(row scanner) (polls.Ranking, error) {
		var r polls.Ranking
		var ranking string
		if err := row.Scan(&ranking, &r.Votes); err != nil {
			return r, err
		}
		var err error
		r.Order, err = decodeChoices(ranking)
		return r, err
	}, `SELECT ranking, CAST(votes AS INTEGER) FROM poll_rankings WHERE poll_id = ? AND votes <> '000000000000'`, id)
}

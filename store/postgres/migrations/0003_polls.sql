-- Straw polls, ballots, tallies and the record of each result post.
--
-- Secret ballots: poll_participants records only that a member took part
-- (so no one votes twice), and poll_tally holds per-option, per-unit
-- counters, laid out at zero when the poll opens. Neither table has a
-- column that orders or links its rows. PostgreSQL itself stamps every row
-- version with the transaction that wrote it (the xmin system column), so
-- a secret vote rewrites every counter of its poll, the ones it moves and
-- the others, in the transaction that records its participant: a reader
-- of the tables then sees all of a poll's counters written by the latest
-- voter, which says nothing about what anyone chose. When a secret ballot
-- closes, its participants are written again in voter order and its
-- counters once more, by the closing transaction, and both tables are
-- vacuumed, so that the order of voting and the older row versions do not
-- outlive the poll (see store/postgres/polls.go).
--
-- Open ballots also keep one row per voter in poll_ballots, so members can
-- change their vote and stewards can export who chose what.
--
-- Result posts: result_state is '' while the poll is open. The conditional
-- update that closes a poll sets it to 'sending' in the same statement, so
-- the caller that closed the poll owns the first post. Then:
--   'posted'    the result was posted and the final card shown;
--   'retry'     an attempt failed; result_next_try is when to try again;
--   'sending'   an attempt is under way (claimed from 'retry' by a
--               conditional update, so only one caller posts);
--   'failed'    attempts went on for 24 hours after the close and failed;
--   'uncertain' Union Hall stopped during an attempt, so whether the post
--               went out is unknown; it is not posted again.
-- result_posted_at is set as soon as the result post succeeds (a retry then
-- only re-renders the card); it stays NULL until then.

CREATE TABLE polls (
	id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	question         text NOT NULL,
	options          text[] NOT NULL,
	secret           boolean NOT NULL DEFAULT false,
	hidden           boolean NOT NULL DEFAULT false,
	max_choices      integer NOT NULL DEFAULT 1,
	rule             text NOT NULL DEFAULT '',
	favour           integer NOT NULL DEFAULT 0,
	against          integer NOT NULL DEFAULT 0,
	units            jsonb,                   -- the unit list and coalition rule at opening; NULL for none
	platform         text NOT NULL,
	channel          text NOT NULL,
	thread           text NOT NULL DEFAULT '',
	opened_by        text NOT NULL,
	opened_by_name   text NOT NULL DEFAULT '',
	opened_at        timestamptz NOT NULL,
	closes_at        timestamptz,             -- NULL for no deadline
	closed_at        timestamptz,             -- NULL while open
	closed_by        text NOT NULL DEFAULT '',
	voters           integer NOT NULL DEFAULT 0,
	revision         bigint NOT NULL DEFAULT 0,
	result_state     text NOT NULL DEFAULT ''
		CHECK (result_state IN ('', 'sending', 'retry', 'posted', 'failed', 'uncertain')),
	result_posted_at timestamptz,
	result_attempts  integer NOT NULL DEFAULT 0,
	result_next_try  timestamptz,             -- set in state 'retry'
	result_error     text NOT NULL DEFAULT ''
);

CREATE INDEX polls_open_deadline ON polls (closes_at) WHERE closed_at IS NULL AND closes_at IS NOT NULL;
CREATE INDEX polls_open_channel ON polls (platform, channel) WHERE closed_at IS NULL;
CREATE INDEX polls_result_retry ON polls (result_next_try) WHERE result_state = 'retry';
CREATE INDEX polls_result_unposted ON polls (platform, channel) WHERE result_state IN ('sending', 'retry', 'failed', 'uncertain');

-- One row per voter on open ballots; the primary key is the one-ballot-per-
-- member rule.
CREATE TABLE poll_ballots (
	poll_id    bigint NOT NULL REFERENCES polls (id),
	voter      text COLLATE "C" NOT NULL,
	voter_name text NOT NULL DEFAULT '',
	unit       text NOT NULL DEFAULT '',
	choices    integer[] NOT NULL,            -- option numbers, ascending
	PRIMARY KEY (poll_id, voter)
);

-- Who took part in a secret ballot, and nothing else; the primary key is
-- the one-ballot-per-member rule.
CREATE TABLE poll_participants (
	poll_id bigint NOT NULL REFERENCES polls (id),
	voter   text COLLATE "C" NOT NULL,
	PRIMARY KEY (poll_id, voter)
);

-- Vote counters of every poll, by option and by the unit the voters had
-- named ('' for none), all created at zero when the poll opens.
CREATE TABLE poll_tally (
	poll_id bigint NOT NULL REFERENCES polls (id),
	option  integer NOT NULL,
	unit    text COLLATE "C" NOT NULL,
	votes   bigint NOT NULL DEFAULT 0 CHECK (votes >= 0),
	PRIMARY KEY (poll_id, option, unit)
);

-- The union or bargaining unit each member says they are in.
CREATE TABLE member_units (
	member text PRIMARY KEY,
	unit   text NOT NULL
);

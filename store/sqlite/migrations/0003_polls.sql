-- Straw polls, ballots and tallies.
--
-- Secret ballots: poll_participants records only that a member took part
-- (so no one votes twice), and poll_tally holds per-option, per-unit
-- counters that a secret vote increments in the same transaction. Neither
-- table has a rowid, a timestamp or any other column that orders or links
-- its rows, and the counters are laid out when the poll opens, so nothing
-- in the file records which counter a given vote moved.
-- Open ballots also keep one row per voter in poll_ballots, so members can
-- change their vote and stewards can export who chose what.

CREATE TABLE polls (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	question    TEXT NOT NULL,
	options     TEXT NOT NULL,            -- JSON array of option labels
	secret      INTEGER NOT NULL DEFAULT 0,
	hidden      INTEGER NOT NULL DEFAULT 0,
	max_choices INTEGER NOT NULL DEFAULT 1,
	rule        TEXT NOT NULL DEFAULT '',
	favour      INTEGER NOT NULL DEFAULT 0,
	against     INTEGER NOT NULL DEFAULT 0,
	units       TEXT NOT NULL DEFAULT '',  -- JSON snapshot of the unit list and coalition rule at opening
	platform    TEXT NOT NULL,
	channel     TEXT NOT NULL,
	thread      TEXT NOT NULL DEFAULT '',
	opened_by   TEXT NOT NULL,
	opened_by_name TEXT NOT NULL DEFAULT '',
	opened_at   TEXT NOT NULL,             -- UTC, 2006-01-02T15:04:05Z
	closes_at   TEXT,                      -- UTC deadline, NULL for none
	closed_at   TEXT,                      -- UTC, NULL while open
	closed_by   TEXT NOT NULL DEFAULT '',
	voters      INTEGER NOT NULL DEFAULT 0,
	revision    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX polls_open_deadline ON polls (closes_at) WHERE closed_at IS NULL AND closes_at IS NOT NULL;
CREATE INDEX polls_open_channel ON polls (platform, channel) WHERE closed_at IS NULL;

-- One row per voter on open ballots; the primary key is the one-ballot-per-
-- member rule.
CREATE TABLE poll_ballots (
	poll_id    INTEGER NOT NULL REFERENCES polls (id),
	voter      TEXT NOT NULL,
	voter_name TEXT NOT NULL DEFAULT '',
	unit       TEXT NOT NULL DEFAULT '',
	choices    TEXT NOT NULL,              -- option numbers, space separated, ascending
	PRIMARY KEY (poll_id, voter)
) STRICT, WITHOUT ROWID;

-- Who took part in a secret ballot, and nothing else; the primary key is
-- the one-ballot-per-member rule.
CREATE TABLE poll_participants (
	poll_id INTEGER NOT NULL REFERENCES polls (id),
	voter   TEXT NOT NULL,
	PRIMARY KEY (poll_id, voter)
) STRICT, WITHOUT ROWID;

-- Vote counters of every poll, by option and by the unit the voters had
-- named ('' for none). All of a poll's counters are created, at zero, when
-- the poll opens, and a count is kept as twelve zero-padded digits, so a
-- vote rewrites its counter in place at the same size: where counters sit
-- in the file says nothing about which got votes first.
CREATE TABLE poll_tally (
	poll_id INTEGER NOT NULL REFERENCES polls (id),
	option  INTEGER NOT NULL,
	unit    TEXT NOT NULL,
	votes   TEXT NOT NULL CHECK (length(votes) = 12 AND votes NOT GLOB '*[^0-9]*'),
	PRIMARY KEY (poll_id, option, unit)
) STRICT, WITHOUT ROWID;

-- The union or bargaining unit each member says they are in.
CREATE TABLE member_units (
	member TEXT PRIMARY KEY,
	unit   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Ranked-choice polls (--ranked). A ranked poll's counters in poll_tally
-- count first preferences; poll_rankings counts the ballots per distinct
-- ranking, which the instant-runoff count reads. An open ballot also keeps
-- its ranking in poll_ballots.choices, in order of preference.
--
-- On a secret ballot poll_rankings is all that records a ranking: a
-- counter per distinct ranking, with no voter and no time. The table has
-- no rowid, so rows are stored in key order, never in the order they came
-- in, and counts are rewritten in place at a fixed size, like poll_tally's.
ALTER TABLE polls ADD COLUMN ranked INTEGER NOT NULL DEFAULT 0;

CREATE TABLE poll_rankings (
	poll_id INTEGER NOT NULL REFERENCES polls (id),
	ranking TEXT NOT NULL,                 -- option numbers, most preferred first, space separated
	votes   TEXT NOT NULL CHECK (length(votes) = 12 AND votes NOT GLOB '*[^0-9]*'),
	PRIMARY KEY (poll_id, ranking)
) STRICT, WITHOUT ROWID;

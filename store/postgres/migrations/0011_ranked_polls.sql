-- Ranked-choice polls (--ranked). A ranked poll's counters in poll_tally
-- count first preferences; poll_rankings counts the ballots per distinct
-- ranking, which the instant-runoff count reads. An open ballot also keeps
-- its ranking in poll_ballots.choices, in order of preference.
--
-- On a secret ballot poll_rankings is all that records a ranking: a
-- counter per distinct ranking, with no voter and no time. Closing a
-- secret poll rewrites its rows in key order and vacuums the table, as it
-- does poll_participants (see store/postgres/polls.go, ClosePoll).
ALTER TABLE polls ADD COLUMN ranked boolean NOT NULL DEFAULT false;

CREATE TABLE poll_rankings (
	poll_id bigint NOT NULL REFERENCES polls (id),
	ranking integer[] NOT NULL,             -- option numbers, most preferred first
	votes   bigint NOT NULL DEFAULT 0 CHECK (votes >= 0),
	PRIMARY KEY (poll_id, ranking)
);

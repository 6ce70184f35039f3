-- Posts a poll makes on its own at a set time, each exactly once: the
-- card of a poll scheduled with --opens (kind 'opening', due at opens_at)
-- and the reminder before it closes (--remind; kind 'reminder', due
-- remind_before seconds before closes_at).
--
-- state: 'due' until due_at; a poster claims it with a conditional update
-- to 'sending', posts, and records 'sent' (or 'due' again with a later
-- due_at after a failure, 'failed' when it gave up, 'skipped' when the
-- poll had closed). One left 'sending' at start-up may or may not have
-- gone out: it is marked 'uncertain' and not posted again.
ALTER TABLE polls ADD COLUMN opens_at timestamptz;       -- NULL for a poll posted when opened
ALTER TABLE polls ADD COLUMN remind_before integer NOT NULL DEFAULT 0; -- seconds; 0 for no reminder

CREATE TABLE poll_events (
	poll_id  bigint NOT NULL REFERENCES polls (id),
	kind     text NOT NULL CHECK (kind IN ('opening', 'reminder')),
	due_at   timestamptz NOT NULL,
	state    text NOT NULL DEFAULT 'due'
		CHECK (state IN ('due', 'sending', 'sent', 'skipped', 'failed', 'uncertain')),
	attempts integer NOT NULL DEFAULT 0,
	error    text NOT NULL DEFAULT '',
	PRIMARY KEY (poll_id, kind)
);

CREATE INDEX poll_events_due ON poll_events (due_at) WHERE state = 'due';

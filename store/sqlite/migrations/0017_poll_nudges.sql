-- Automatic nudges (/poll ... --nudge 24h): when to send a poll's one
-- nudge, and when it was claimed for sending. The claim is a conditional
-- update of claimed_at, so however many processes race or restart, one
-- sends it. Nothing here names a member.
CREATE TABLE poll_nudges (
	poll_id    INTEGER PRIMARY KEY REFERENCES polls (id),
	due_at     TEXT NOT NULL,   -- UTC, to the second
	claimed_at TEXT             -- NULL until sent
) STRICT;

CREATE INDEX poll_nudges_due ON poll_nudges (due_at) WHERE claimed_at IS NULL;

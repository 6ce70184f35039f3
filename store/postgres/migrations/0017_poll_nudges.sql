-- Automatic nudges (/poll ... --nudge 24h): when to send a poll's one
-- nudge, and when it was claimed for sending. The claim is a conditional
-- update of claimed_at, so however many processes race or restart, one
-- sends it. Nothing here names a member.
CREATE TABLE poll_nudges (
	poll_id    bigint PRIMARY KEY REFERENCES polls (id),
	due_at     timestamptz NOT NULL,
	claimed_at timestamptz
);

CREATE INDEX poll_nudges_due ON poll_nudges (due_at) WHERE claimed_at IS NULL;

-- The audit trail of polls: every steward action on a poll (open, close,
-- delete, export, nudge, roster import), who took it and when. It has no
-- foreign key to polls, so the entries of a deleted poll, its deletion
-- among them, stay. Entries never name a voter. id orders them.
CREATE TABLE poll_audit (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	poll_id    bigint NOT NULL,
	at         timestamptz NOT NULL,
	action     text NOT NULL,
	actor      text NOT NULL,               -- platform-qualified ID, or 'schedule'
	actor_name text NOT NULL DEFAULT '',
	detail     text NOT NULL DEFAULT ''
);

CREATE INDEX poll_audit_poll ON poll_audit (poll_id, id);

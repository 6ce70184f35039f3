-- The audit trail of polls: every steward action on a poll (open, close,
-- delete, export, nudge, roster import), who took it and when. It has no
-- foreign key to polls, so the entries of a deleted poll, its deletion
-- among them, stay. Entries never name a voter. id orders them.
CREATE TABLE poll_audit (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	poll_id INTEGER NOT NULL,
	at      TEXT NOT NULL,                 -- UTC, 2006-01-02T15:04:05Z
	action  TEXT NOT NULL,
	actor   TEXT NOT NULL,                 -- platform-qualified ID, or 'schedule'
	actor_name TEXT NOT NULL DEFAULT '',
	detail  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX poll_audit_poll ON poll_audit (poll_id, id);

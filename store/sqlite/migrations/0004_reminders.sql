-- Deadlines, reminders and the record of every reminder post.
--
-- Times are UTC text in the fixed-width form 2006-01-02T15:04:05.000Z, so
-- they sort and compare as text.

-- A deadline members must act by. Deadlines from the deadlines file have a
-- key; those added in chat do not.
CREATE TABLE deadlines (
	id         INTEGER PRIMARY KEY,
	key        TEXT UNIQUE,
	name       TEXT NOT NULL,
	at         TEXT NOT NULL,
	zone       TEXT NOT NULL,
	yearly     INTEGER NOT NULL DEFAULT 0 CHECK (yearly IN (0, 1)),
	note       TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	deleted_at TEXT,
	deleted_by TEXT
) STRICT;

-- A reminder: its rule (a one-off time, a cron spec, or a lead time before
-- a deadline), the zone the rule is read in, and its next occurrence not
-- yet handled (NULL when there is none).
CREATE TABLE reminders (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL CHECK (kind IN ('once', 'cron', 'lead')),
	text        TEXT NOT NULL DEFAULT '',
	zone        TEXT NOT NULL,
	at          TEXT,
	spec        TEXT,
	anchor      TEXT,
	deadline_id INTEGER REFERENCES deadlines (id),
	lead_ms     INTEGER,
	next_at     TEXT,
	created_by  TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	deleted_at  TEXT,
	deleted_by  TEXT,
	CHECK (kind <> 'once' OR at IS NOT NULL),
	CHECK (kind <> 'cron' OR spec IS NOT NULL),
	CHECK (kind <> 'lead' OR (deadline_id IS NOT NULL AND lead_ms > 0))
) STRICT;

CREATE INDEX reminders_due ON reminders (next_at) WHERE deleted_at IS NULL AND next_at IS NOT NULL;
CREATE UNIQUE INDEX reminders_deadline_lead ON reminders (deadline_id, lead_ms) WHERE deadline_id IS NOT NULL;

-- One occurrence of one reminder on one platform. The primary key is what
-- makes a post happen at most once: the row is inserted, in state
-- 'sending', in the same transaction that moves the reminder past the
-- occurrence, before anything is posted.
CREATE TABLE reminder_deliveries (
	reminder_id INTEGER NOT NULL REFERENCES reminders (id),
	occurrence  TEXT NOT NULL,
	platform    TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'retry', 'failed', 'uncertain', 'skipped', 'cancelled')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_try    TEXT,
	error       TEXT NOT NULL DEFAULT '',
	updated_at  TEXT NOT NULL,
	PRIMARY KEY (reminder_id, occurrence, platform)
) STRICT;

CREATE INDEX reminder_deliveries_retry ON reminder_deliveries (next_try) WHERE state = 'retry';
CREATE INDEX reminder_deliveries_state ON reminder_deliveries (state, updated_at) WHERE state IN ('sending', 'failed', 'uncertain', 'skipped');

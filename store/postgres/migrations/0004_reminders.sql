-- Deadlines, reminders and the record of every reminder post. Times are
-- kept to the millisecond.

-- A deadline members must act by. Deadlines from the deadlines file have a
-- key; those added in chat do not.
CREATE TABLE deadlines (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	key        text COLLATE "C" UNIQUE,
	name       text NOT NULL,
	at         timestamptz NOT NULL,
	zone       text NOT NULL,
	yearly     boolean NOT NULL DEFAULT false,
	note       text NOT NULL DEFAULT '',
	created_by text NOT NULL,
	created_at timestamptz NOT NULL,
	deleted_at timestamptz,
	deleted_by text
);

-- A reminder: its rule (a one-off time, a cron spec, or a lead time before
-- a deadline), the zone the rule is read in, and its next occurrence not
-- yet handled (NULL when there is none).
CREATE TABLE reminders (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind        text NOT NULL CHECK (kind IN ('once', 'cron', 'lead')),
	text        text NOT NULL DEFAULT '',
	zone        text NOT NULL,
	at          timestamptz,
	spec        text,
	anchor      timestamptz,
	deadline_id bigint REFERENCES deadlines (id),
	lead_ms     bigint,
	next_at     timestamptz,
	created_by  text NOT NULL,
	created_at  timestamptz NOT NULL,
	deleted_at  timestamptz,
	deleted_by  text,
	CHECK (kind <> 'once' OR at IS NOT NULL),
	CHECK (kind <> 'cron' OR spec IS NOT NULL),
	CHECK (kind <> 'lead' OR (deadline_id IS NOT NULL AND lead_ms > 0))
);

CREATE INDEX reminders_due ON reminders (next_at) WHERE deleted_at IS NULL AND next_at IS NOT NULL;
CREATE UNIQUE INDEX reminders_deadline_lead ON reminders (deadline_id, lead_ms) WHERE deadline_id IS NOT NULL;

-- One occurrence of one reminder on one platform. The primary key is what
-- makes a post happen at most once: the row is inserted, in state
-- 'sending', in the same transaction that moves the reminder past the
-- occurrence, before anything is posted.
CREATE TABLE reminder_deliveries (
	reminder_id bigint NOT NULL REFERENCES reminders (id),
	occurrence  timestamptz NOT NULL,
	platform    text NOT NULL,
	state       text NOT NULL CHECK (state IN ('sending', 'sent', 'retry', 'failed', 'uncertain', 'skipped', 'cancelled')),
	attempts    integer NOT NULL DEFAULT 0,
	next_try    timestamptz,
	error       text NOT NULL DEFAULT '',
	updated_at  timestamptz NOT NULL,
	PRIMARY KEY (reminder_id, occurrence, platform)
);

CREATE INDEX reminder_deliveries_retry ON reminder_deliveries (next_try) WHERE state = 'retry';
CREATE INDEX reminder_deliveries_state ON reminder_deliveries (state, updated_at) WHERE state IN ('sending', 'failed', 'uncertain', 'skipped');

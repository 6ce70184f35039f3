-- FAQ: what members tell the bot about its answers. Members appear only as
-- a keyed hash of their platform ID (faq.MemberHash), never by name.
--
-- Columns that results are ordered by use the "C" collation, so that
-- order is byte order whatever the database's default collation, as on
-- SQLite.

-- One current verdict per member and entry; a second click replaces it.
CREATE TABLE faq_feedback (
	entry_id text COLLATE "C" NOT NULL,
	member   text NOT NULL,
	helpful  boolean NOT NULL,
	given_at timestamptz NOT NULL,
	PRIMARY KEY (entry_id, member)
);

-- Questions the FAQ abstained on or only offered suggestions for, one row
-- per normalised question and member, counted.
CREATE TABLE faq_unanswered (
	question_key text COLLATE "C" NOT NULL,
	member       text NOT NULL,
	question     text NOT NULL,
	outcome      text NOT NULL CHECK (outcome IN ('abstain', 'suggest')),
	best_guess   text NOT NULL DEFAULT '',
	times        integer NOT NULL DEFAULT 1,
	first_at     timestamptz NOT NULL,
	last_at      timestamptz NOT NULL,
	PRIMARY KEY (question_key, member)
);

-- Phrasings stewards added to entries with /faq add.
CREATE TABLE faq_phrasings (
	id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	entry_id text NOT NULL,
	phrasing text NOT NULL,
	added_by text NOT NULL,
	added_at timestamptz NOT NULL,
	UNIQUE (entry_id, phrasing)
);

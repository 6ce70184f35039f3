-- FAQ: what members tell the bot about its answers. Members appear only as
-- a keyed hash of their platform ID (faq.MemberHash), never by name.

-- One current verdict per member and entry; a second click replaces it.
CREATE TABLE faq_feedback (
	entry_id TEXT NOT NULL,
	member   TEXT NOT NULL,
	helpful  INTEGER NOT NULL CHECK (helpful IN (0, 1)),
	given_at TEXT NOT NULL,
	PRIMARY KEY (entry_id, member)
) STRICT;

-- Questions the FAQ abstained on or only offered suggestions for, one row
-- per normalised question and member, counted.
CREATE TABLE faq_unanswered (
	question_key TEXT NOT NULL,
	member       TEXT NOT NULL,
	question     TEXT NOT NULL,
	outcome      TEXT NOT NULL CHECK (outcome IN ('abstain', 'suggest')),
	best_guess   TEXT NOT NULL DEFAULT '',
	times        INTEGER NOT NULL DEFAULT 1,
	first_at     TEXT NOT NULL,
	last_at      TEXT NOT NULL,
	PRIMARY KEY (question_key, member)
) STRICT;

-- Phrasings stewards added to entries with /faq add.
CREATE TABLE faq_phrasings (
	id       INTEGER PRIMARY KEY,
	entry_id TEXT NOT NULL,
	phrasing TEXT NOT NULL,
	added_by TEXT NOT NULL,
	added_at TEXT NOT NULL,
	UNIQUE (entry_id, phrasing)
) STRICT;

-- Questions the FAQ answered by quoting a passage of the union's
-- documents, one row per normalised question and member, counted as
-- faq_unanswered counts: /faq gaps lists them, with the passage's
-- reference, so that stewards can write a prepared answer for the most
-- asked ones. Members appear only as a keyed hash (faq.MemberHash).
CREATE TABLE faq_passage_answers (
	question_key TEXT NOT NULL,
	member       TEXT NOT NULL,
	question     TEXT NOT NULL,
	citation     TEXT NOT NULL,
	passage_ref  TEXT NOT NULL,
	times        INTEGER NOT NULL DEFAULT 1,
	first_at     TEXT NOT NULL,
	last_at      TEXT NOT NULL,
	PRIMARY KEY (question_key, member)
) STRICT;

-- Entries stewards promoted from passages with /faq promote, loaded at
-- start-up beside the knowledge base's own. One entry per id, and one per
-- passage (its reference and citation together, so that a passage that
-- moved in a new version of the documents is another passage).
CREATE TABLE faq_promotions (
	id          INTEGER PRIMARY KEY,
	entry_id    TEXT NOT NULL UNIQUE,
	topic       TEXT NOT NULL,
	question    TEXT NOT NULL,
	answer      TEXT NOT NULL,
	citation    TEXT NOT NULL,
	passage_ref TEXT NOT NULL,
	added_by    TEXT NOT NULL,
	added_at    TEXT NOT NULL,  -- UTC, to the second
	UNIQUE (passage_ref, citation)
) STRICT;

-- Questions the FAQ answered by quoting a passage of the union's
-- documents, one row per normalised question and member, counted as
-- faq_unanswered counts: /faq gaps lists them, with the passage's
-- reference, so that stewards can write a prepared answer for the most
-- asked ones. Members appear only as a keyed hash (faq.MemberHash).
CREATE TABLE faq_passage_answers (
	question_key text COLLATE "C" NOT NULL,
	member       text NOT NULL,
	question     text NOT NULL,
	citation     text NOT NULL,
	passage_ref  text NOT NULL,
	times        integer NOT NULL DEFAULT 1,
	first_at     timestamptz NOT NULL,
	last_at      timestamptz NOT NULL,
	PRIMARY KEY (question_key, member)
);

-- Entries stewards promoted from passages with /faq promote, loaded at
-- start-up beside the knowledge base's own. One entry per id, and one per
-- passage (its reference and citation together, so that a passage that
-- moved in a new version of the documents is another passage).
CREATE TABLE faq_promotions (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	entry_id    text NOT NULL UNIQUE,
	topic       text NOT NULL,
	question    text NOT NULL,
	answer      text NOT NULL,
	citation    text NOT NULL,
	passage_ref text NOT NULL,
	added_by    text NOT NULL,
	added_at    timestamptz NOT NULL,
	UNIQUE (passage_ref, citation)
);

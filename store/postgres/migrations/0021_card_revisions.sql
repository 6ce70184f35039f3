-- The revision of the card each message last showed (bot.Card.Revision,
-- a poll's tally version), so that processes sharing the database never
-- replace a card with an older state: see store/postgres/cards.go,
-- EditCardRevision. 0 until an edit with a revision succeeds.
ALTER TABLE card_locations ADD COLUMN revision bigint NOT NULL DEFAULT 0;

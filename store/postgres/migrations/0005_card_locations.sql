-- Which platform messages show which card (bot.CardLocations), so that a
-- card posted before a restart (a poll's) can still be updated when, say,
-- the poll closes on schedule. A location is the adapter's own reference to
-- a message, e.g. a Slack channel and timestamp.
--
-- saved_at (to the millisecond) is refreshed each time a location is saved
-- again (a click on the message after a restart); id orders locations
-- saved at the same instant by when they were first saved. At most a few
-- rows are kept per card, and rows not saved for a long time are deleted
-- at start-up: see store/postgres/cards.go.
CREATE TABLE card_locations (
	id       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	platform text NOT NULL,
	key      text NOT NULL,
	location text NOT NULL,
	saved_at timestamptz NOT NULL,
	PRIMARY KEY (platform, key, location)
);

CREATE INDEX card_locations_saved ON card_locations (saved_at);
CREATE INDEX card_locations_card ON card_locations (platform, key, saved_at);

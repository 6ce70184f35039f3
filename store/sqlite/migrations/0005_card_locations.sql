-- Which platform messages show which card (bot.CardLocations), so that a
-- card posted before a restart (a poll's) can still be updated when, say,
-- the poll closes on schedule. A location is the adapter's own reference to
-- a message, e.g. a Slack channel and timestamp.
--
-- saved_at (UTC text, fixed width, so text order is time order) is
-- refreshed each time a location is saved again (a click on the message
-- after a restart). At most a few rows are kept per card, and rows not
-- saved for a long time are deleted at start-up: see store/sqlite/cards.go.
CREATE TABLE card_locations (
	platform TEXT NOT NULL,
	key      TEXT NOT NULL,
	location TEXT NOT NULL,
	saved_at TEXT NOT NULL,
	PRIMARY KEY (platform, key, location)
) STRICT;

CREATE INDEX card_locations_saved ON card_locations (saved_at);

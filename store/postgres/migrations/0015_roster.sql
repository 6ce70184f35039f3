-- The union's roster: which unit each member is in, imported from a CSV
-- file (unionhall roster import). When the roster has rows, it decides
-- which unit a member's vote counts for, who may vote in a poll limited
-- to the roster, and each unit's membership for turnout. person numbers
-- the people of the imported file, so a member listed with both a Slack
-- and a Discord ID counts once.
CREATE TABLE roster (
	member text PRIMARY KEY,
	unit   text NOT NULL,
	person integer NOT NULL
);

CREATE INDEX roster_unit ON roster (unit, member);

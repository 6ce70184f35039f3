-- Deliveries from the platforms (a Slack event, a slash command's trigger)
-- that some Union Hall process has taken on, so that a delivery Slack
-- retries, or hands to another process's connection, is handled once
-- across every process on this database. The first process to insert a
-- (platform, id) handles it; rows older than the platform's retry window
-- are deleted as processes run (see store/postgres/deliveries.go).
CREATE TABLE deliveries (
	platform text NOT NULL,
	id       text NOT NULL,
	seen_at  timestamptz NOT NULL,
	PRIMARY KEY (platform, id)
);

CREATE INDEX deliveries_seen ON deliveries (seen_at);

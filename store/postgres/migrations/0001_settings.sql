-- Small key/value settings that belong to the installation, such as the
-- salt used to hash member IDs in feedback records.
CREATE TABLE settings (
	key   text PRIMARY KEY,
	value text NOT NULL
);

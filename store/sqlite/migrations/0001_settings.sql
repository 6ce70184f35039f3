-- Small key/value settings that belong to the installation, such as the
-- salt used to hash member IDs in feedback records.
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

package store

// LatestVersion returns the highest version among an engine's migrations
// (see Migrations, which sorts them), or 0 when there are none: the schema
// this version of Union Hall brings a database to.
func LatestVersion(known []Migration) int {
	if len(known) == 0 {
		return 0
	}
	return known[len(known)-1].Version
}

package bot

// DataFile is a feature's data file as read (a unit list, a deadlines
// file): its content and the name that every message about it gives.
// Each feature embeds a default one; cmd/unionhall reads the one the
// configuration names instead.
type DataFile struct {
	// Name is the path the file was read from, or a description of the
	// embedded default, e.g. "the embedded deadlines file".
	Name string
	// Data is the file's content.
	Data []byte
}

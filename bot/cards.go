package bot

import "context"

// CardLocations remembers, across restarts, which platform messages show
// which card, so that an adapter can update a card it posted before it
// was restarted (a poll closing on schedule, for instance) without waiting
// for someone to click it.
//
// A location is an opaque string that only the adapter of the platform
// reads, such as "C0123/1700000000.000100" (a Slack channel and message
// timestamp) or "channelID/messageID". Implementations must be safe for
// concurrent use and may forget old locations (see the implementation's
// documentation for its limits).
type CardLocations interface {
	// SaveCardLocation records that location on platform shows the card
	// with the given key. Saving a known location again refreshes it.
	SaveCardLocation(ctx context.Context, platform, key, location string) error
	// CardLocations returns the locations recorded on platform for key,
	// oldest first; none is not an error.
	CardLocations(ctx context.Context, platform, key string) ([]string, error)
	// ForgetCardLocation drops one location, e.g. a message that was
	// deleted. Forgetting an unknown location is not an error.
	ForgetCardLocation(ctx context.Context, platform, key, location string) error
}

// CardRevisions is implemented by a CardLocations store that several
// processes share, so that their edits of one message land in revision
// order: a process editing a card to an older state than another has
// shown skips the edit.
type CardRevisions interface {
	// EditCardRevision calls edit, unless the message at location on
	// platform already shows a revision of card key newer than revision;
	// it reports whether edit was called. While edit runs, another
	// process's edit of the same message waits, and when edit succeeds
	// revision is recorded as the one shown. A location not recorded is
	// edited.
	EditCardRevision(ctx context.Context, platform, key, location string, revision int64, edit func(context.Context) error) (bool, error)
}

package polls

import (
	"context"
	"time"
)

// NudgeStore keeps the automatic nudges of polls (--nudge) and tells who
// has voted, so a nudge reaches only members who have not. store/sqlite
// and store/postgres implement it.
type NudgeStore interface {
	// ScheduleNudge records that poll id's members are to be nudged at t.
	ScheduleNudge(ctx context.Context, id int64, t time.Time) error
	// DueNudges returns the polls whose nudge is due at or before t and
	// not yet claimed, earliest first.
	DueNudges(ctx context.Context, t time.Time) ([]int64, error)
	// ClaimNudge marks poll id's nudge as sent at t if no one has claimed
	// it, and reports whether this call did. Exactly one of racing
	// callers, in any process, gets true.
	ClaimNudge(ctx context.Context, id int64, t time.Time) (bool, error)
	// NextNudge returns the earliest due time of the unclaimed nudges.
	NextNudge(ctx context.Context) (time.Time, bool, error)
	// Participants returns the members who have voted in poll id, open or
	// secret ballot alike (a secret ballot records who took part, never
	// what they chose).
	Participants(ctx context.Context, id int64) ([]string, error)
}

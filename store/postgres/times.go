package postgres

import (
	"fmt"
	"time"
)

// Precisions of stored times, as on SQLite: polls and the FAQ keep times
// to the second, reminders and card locations to the millisecond.
// PostgreSQL keeps microseconds, so times are truncated before they are
// written, and a time read back equals the one the caller keeps.
const (
	toSecond = time.Second
	toMilli  = time.Millisecond
)

// stamp returns t for storage at precision p: truncated, in UTC, or NULL
// for the zero time.
func stamp(t time.Time, p time.Duration) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(p)
}

// utc is a scan destination for a timestamp: the time in UTC, or the zero
// time for NULL.
type utc struct{ t *time.Time }

// Scan implements sql.Scanner, which pgx uses for destinations of this
// type.
func (u utc) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*u.t = time.Time{}
	case time.Time:
		*u.t = v.UTC()
	default:
		return fmt.Errorf("stored time: unexpected %T", src)
	}
	return nil
}

package sqlite

import (
	"database/sql"
	"fmt"
	"time"
)

// Times are stored as text in UTC, fixed width, so that text order is
// time order: polls and the FAQ to the second, reminders and card
// locations to the millisecond. Both layouts are RFC 3339.
const (
	timeLayout = "2006-01-02T15:04:05Z"
	tsLayout   = "2006-01-02T15:04:05.000Z07:00"
)

// formatTime formats t for storage to the second.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime formats t for storage to the second; the zero time is NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// ts formats t for storage to the millisecond; the zero time is NULL.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(tsLayout)
}

// parseTime reads a stored time, in either layout; NULL is the zero time.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s.String, err)
	}
	return t, nil
}

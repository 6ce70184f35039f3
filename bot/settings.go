package bot

import "log/slog"

// Every feature's Config and every adapter's Options leave most settings
// optional. These functions are how an unset setting takes its default, so
// that "unset" means the same in every package.

// OrSystemClock returns c, or the system clock when c is nil: a Clock is
// injected by tests and left out everywhere else.
func OrSystemClock(c Clock) Clock {
	if c == nil {
		return SystemClock{}
	}
	return c
}

// OrDefaultLogger returns l, or slog.Default() when l is nil: code that
// logs is given its logger, and one left out logs where the process does.
func OrDefaultLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}

// PositiveOr returns v when it is above zero and def otherwise. Counts and
// durations (timeouts, intervals, limits) have no meaningful zero or
// negative value, so one left at zero, or set below it, takes its default.
func PositiveOr[T ~int | ~int64 | ~float64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

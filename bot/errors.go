package bot

import (
	"errors"
	"fmt"
)

// Error codes. Every error a feature returns to the Router is either a
// *Error with one of these codes or an unexpected error, which the Router
// treats as EINTERNAL.
const (
	// EINVALID means the member's input was wrong; the message says how to
	// do it right.
	EINVALID = "invalid"
	// ENOTFOUND means the thing asked for does not exist.
	ENOTFOUND = "not_found"
	// EFORBIDDEN means the member may not do this (e.g. a steward command).
	EFORBIDDEN = "forbidden"
	// ECONFLICT means the request clashes with current state (e.g. voting on
	// a closed poll).
	ECONFLICT = "conflict"
	// EINTERNAL means something failed on our side; details are logged, the
	// member sees a short apology.
	EINTERNAL = "internal"
)

// Error is a business error whose Message is safe to show to members
// verbatim.
type Error struct {
	// Code is one of the E* constants.
	Code string
	// Message is short, user-facing text.
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: the Code of the first *Error in its
// chain, "" for nil, and EINTERNAL for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing text of err: the Message of the first
// *Error in its chain, or a generic apology for any other error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return InternalErrorText
}

// InternalErrorText is what a member sees when something unexpected fails.
const InternalErrorText = "Sorry, something went wrong on our side. Please try again in a moment; if it keeps happening, tell a steward."

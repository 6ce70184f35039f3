package bot

import "fmt"

// Finding is one result of checking a configuration before running it
// ("unionhall doctor"): a fact that is as it should be, or a problem with
// the way to fix it. Adapters check their platform's settings with the
// platform itself and report Findings.
type Finding struct {
	// Problem reports whether this is something to fix.
	Problem bool
	// Text says what was found and, for a problem, how to fix it: one
	// sentence that names the setting concerned.
	Text string
}

// Fine returns a Finding that is as it should be.
func Fine(format string, args ...any) Finding {
	return Finding{Text: fmt.Sprintf(format, args...)}
}

// ToFix returns a Finding that is a problem.
func ToFix(format string, args ...any) Finding {
	return Finding{Problem: true, Text: fmt.Sprintf(format, args...)}
}

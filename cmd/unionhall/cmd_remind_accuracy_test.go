package main

import (
	"strings"
	"testing"
)

// TestRemindAccuracyCommand checks that the measuring command runs and
// reports (with reminders due at once, so it waits for nothing; the
// measurement itself is made by hand, see README).
func TestRemindAccuracyCommand(t *testing.T) {
	code, out, errOut := runMain(t.TempDir(), nil, "", "remind-accuracy", "--n", "5", "--ahead", "0s", "--spread", "0s", "--max", "1m")
	if code != 0 || !strings.Contains(out, "reminders: 5,") || !strings.Contains(out, "PASS") {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, errOut)
	}
	if code, _, _ := runMain(t.TempDir(), nil, "", "remind-accuracy", "--n", "0"); code != 1 {
		t.Fatalf("--n 0: exit %d", code)
	}
}

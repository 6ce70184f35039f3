package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRemindAccuracyCommand checks that the measuring command runs and
// reports (with reminders due at once, so it waits for nothing; the
// measurement itself is made by hand, see README).
func TestRemindAccuracyCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"remind-accuracy", "--n", "5", "--ahead", "0s", "--spread", "0s", "--max", "1m"},
		strings.NewReader(""), &out, &errOut, testEnv(t.TempDir(), nil))
	if code != 0 || !strings.Contains(out.String(), "reminders: 5,") || !strings.Contains(out.String(), "PASS") {
		t.Fatalf("exit %d, out %q, stderr %q", code, out.String(), errOut.String())
	}
	if code := run(context.Background(), []string{"remind-accuracy", "--n", "0"}, nil, &out, &errOut, testEnv(t.TempDir(), nil)); code != 1 {
		t.Fatalf("--n 0: exit %d", code)
	}
}

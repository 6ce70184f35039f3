package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionShowsLinkedStamps builds the program as scripts/release does,
// with the version, commit and date stamped in at link time, and checks
// that "unionhall version" reports all three.
func TestVersionShowsLinkedStamps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := filepath.Join(t.TempDir(), "unionhall")
	ldflags := "-X main.linkedVersion=9.8.7-test -X main.linkedCommit=0123abcd -X main.linkedDate=2026-01-02T03:04:05Z"
	if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("unionhall version: %v", err)
	}
	for _, want := range []string{"unionhall 9.8.7-test\n", "commit 0123abcd\n", "built 2026-01-02T03:04:05Z "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("unionhall version printed %q, want it to contain %q", out, want)
		}
	}
}

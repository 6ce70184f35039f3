package main

import (
	"testing"
)

// BenchmarkStartup measures what happens between launch and the first
// prompt, in process: reading settings, opening the database (migrations
// already applied, as on every start but the first), loading and indexing
// the knowledge base, and wiring every feature, then answering /help.
//
//	go test ./cmd/unionhall -run '^$' -bench Startup
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	if code, _, errOut := runMain(dir, nil, "", "console", "--json"); code != 0 {
		b.Fatalf("first start: exit %d: %s", code, errOut)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code, _, errOut := runMain(dir, nil, "/help\n", "console", "--json"); code != 0 {
			b.Fatalf("exit %d: %s", code, errOut)
		}
	}
}

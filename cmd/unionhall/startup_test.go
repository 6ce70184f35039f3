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
func BenchmarkStartup(b *testing.B) { benchmarkStartup(b, nil) }

// benchmarkStartup measures start-up with the settings vars, after a
// first start has applied the migrations.
func benchmarkStartup(b *testing.B, vars map[string]string) {
	dir := b.TempDir()
	if code, _, errOut := runMain(dir, vars, "", "console", "--json"); code != 0 {
		b.Fatalf("first start: exit %d: %s", code, errOut)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code, _, errOut := runMain(dir, vars, "/help\n", "console", "--json"); code != 0 {
			b.Fatalf("exit %d: %s", code, errOut)
		}
	}
}

// BenchmarkStartupWithLongAgreement is BenchmarkStartup with an agreement
// of about a hundred pages (the sample agreement four times over, about
// 48,000 words) and the sample side letter in the knowledge base's
// documents folder; the target is 100 ms.
//
//	go test ./cmd/unionhall -run '^$' -bench StartupWithLongAgreement
func BenchmarkStartupWithLongAgreement(b *testing.B) {
	benchmarkStartup(b, map[string]string{"UNIONHALL_KB_DIR": agreementKBDir(b, 4)})
}

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/unionhall/unionhall/faq"
	"github.com/unionhall/unionhall/faq/faqtest"
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
	kbDir := filepath.Join(b.TempDir(), "kb")
	if err := os.CopyFS(kbDir, faq.DefaultFS()); err != nil {
		b.Fatal(err)
	}
	sample, err := os.ReadFile("../../faq/testdata/documents/agreement.md")
	if err != nil {
		b.Fatal(err)
	}
	letter, err := os.ReadFile("../../faq/testdata/documents/side-letter-overtime.txt")
	if err != nil {
		b.Fatal(err)
	}
	docs := filepath.Join(kbDir, faq.DocumentsDir)
	if err := os.MkdirAll(docs, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "agreement.md"), []byte(faqtest.LongAgreement(string(sample), 4)), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "side-letter-overtime.txt"), letter, 0o644); err != nil {
		b.Fatal(err)
	}
	benchmarkStartup(b, map[string]string{"UNIONHALL_KB_DIR": kbDir})
}

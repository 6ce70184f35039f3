package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// BenchmarkStartup measures what happens between launch and the first
// prompt, in process: reading settings, opening the database (migrations
// already applied, as on every start but the first), loading and indexing
// the knowledge base, and wiring every feature, then answering /help.
//
//	go test ./cmd/unionhall -run '^$' -bench Startup
func BenchmarkStartup(b *testing.B) {
	env := testEnv(b.TempDir(), nil)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"console", "--json"}, strings.NewReader(""), &out, &errOut, env); code != 0 {
		b.Fatalf("first start: exit %d: %s", code, errOut.String())
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out.Reset()
		if code := run(context.Background(), []string{"console", "--json"}, strings.NewReader("/help\n"), &out, &errOut, env); code != 0 {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEverySettingIsDocumented checks that every setting .env.example
// lists or the program reads is described in the README or in docs/, and
// has a row in the settings reference (docs/reference.md), so that an
// operator finds each one in the one table that lists them all.
func TestEverySettingIsDocumented(t *testing.T) {
	root := filepath.Join("..", "..")
	read := func(path string) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	docs := read(filepath.Join(root, "README.md"))
	reference := read(filepath.Join(root, "docs", "reference.md"))
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, p := range pages {
		docs += read(p)
	}
	sources := read(filepath.Join(root, ".env.example"))
	code, _ := filepath.Glob("*.go")
	for _, f := range code {
		if !strings.HasSuffix(f, "_test.go") {
			sources += read(f)
		}
	}
	names := regexp.MustCompile(`\b(?:UNIONHALL|SLACK|DISCORD)_[A-Z_]*[A-Z]\b`).FindAllString(sources, -1)
	if len(names) < 20 {
		t.Fatalf("found only %d setting names: %v", len(names), names)
	}
	for _, name := range names {
		if !strings.Contains(docs, "`"+name+"`") {
			t.Errorf("%s is not described in README.md or docs/", name)
		}
		if !strings.Contains(reference, "| `"+name+"` |") {
			t.Errorf("%s has no row in the settings table of docs/reference.md", name)
		}
	}
}

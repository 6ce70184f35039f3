package passages

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSplit checks that no document, however malformed, makes Split fail
// or lose its limits: every passage has text, a line in the file and a
// citation, and stays within MaxChars unless it is a single word.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		"ARTICLE 12 - LAYOFF\nSection 12.3 Notice\n12.3.1 Text.\n(a) more\n(i) deeper\n1. numbered\n",
		"# T\n## Article XII\n### 12.3 Notice\n#### 12.3.1\n\nbody\n```\n## not a heading\n```\n",
		"\r\n\t\f\uFEFF(h)\n(i)\n(ii)\nSec. 1\n§ 2\n12.\n1)\n",
		"Sec. 12.3 applies. No. 4. e.g. a.m. 12.50. J. Smith.",
	} {
		f.Add(seed, 80)
	}
	f.Fuzz(func(t *testing.T, text string, max int) {
		if !utf8.ValidString(text) || max < 1 || max > 5000 {
			return
		}
		lines := strings.Count(text, "\n") + strings.Count(text, "\r") + 1 // CR ends a line too
		for _, p := range Split("f.md", text, Options{MaxChars: max}) {
			if strings.TrimSpace(p.Text) == "" || p.Line < 1 || p.Line > lines || p.Citation() == "" {
				t.Fatalf("bad passage %+v", p)
			}
			if runes(p.Text) > max && strings.ContainsAny(p.Text, " \n") {
				t.Fatalf("passage of %d characters over %d: %q", runes(p.Text), max, p.Text)
			}
			_ = Sentences(p.Text)
		}
	})
}

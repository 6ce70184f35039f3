package bot_test

import (
	"testing"
	"unicode/utf16"

	"github.com/unionhall/unionhall/bot"
)

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 votes", 1: "1 vote", 2: "2 votes", 1000: "1000 votes"} {
		if got := bot.Plural(n, "vote"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		s    string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"one too long", 11, "one too lo…"},
		{"Grève générale", 6, "Grève…"},
	}
	for _, c := range cases {
		if got := bot.Truncate(c.s, c.max); got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.s, c.max, got, c.want)
		}
	}
	// Discord's measure: an emoji takes two UTF-16 units.
	utf16Len := func(r rune) int { return max(1, utf16.RuneLen(r)) }
	if got := bot.TruncateUnits("✊✊😀😀😀", 6, utf16Len); got != "✊✊😀…" {
		t.Errorf("TruncateUnits = %q", got)
	}
	if got := bot.TruncateUnits("😀😀", 4, utf16Len); got != "😀😀" {
		t.Errorf("TruncateUnits of a text that fits = %q", got)
	}
}

func TestQuotesOpenAndClose(t *testing.T) {
	for _, r := range `"“”„«»` {
		if !bot.IsQuote(r) {
			t.Errorf("%q is not a quote", r)
		}
	}
	if bot.IsOpenQuote('»') || bot.IsCloseQuote('«') || bot.IsCloseQuote('„') || bot.IsQuote('\'') {
		t.Error("a guillemet or low quote counted on the wrong side, or an apostrophe as a quote")
	}
}

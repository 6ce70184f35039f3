package bot

import (
	"strconv"
	"unicode/utf8"
)

// Plural returns n and the noun, with an "s" unless n is 1: "1 vote",
// "3 votes", "0 votes". Every noun Union Hall counts takes a plain "s".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// Ellipsis ends text that Truncate cut short.
const Ellipsis = "…"

// Truncate shortens s to at most max characters (runes), the last of them
// an ellipsis when it had to cut.
func Truncate(s string, max int) string {
	return TruncateUnits(s, max, nil)
}

// TruncateUnits shortens s to at most max units, where each rune r counts
// units(r) (one when units is nil) and the ellipsis that ends a cut text
// counts one. Platforms that count text their own way (Discord counts
// UTF-16 code units) pass their measure.
func TruncateUnits(s string, max int, units func(rune) int) string {
	if units == nil {
		units = func(rune) int { return 1 }
		if utf8.RuneCountInString(s) <= max {
			return s
		}
	} else {
		total := 0
		for _, r := range s {
			total += units(r)
		}
		if total <= max {
			return s
		}
	}
	n := 0
	for i, r := range s {
		l := units(r)
		if n+l > max-1 {
			return s[:i] + Ellipsis
		}
		n += l
	}
	return s // not reached: s is longer than max
}

// Package faqtest holds what the FAQ's tests and benchmarks in several
// packages build their knowledge bases from.
package faqtest

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	articleLine = regexp.MustCompile(`(?m)^# ARTICLE ([0-9]+)`)
	numbered    = regexp.MustCompile(`(?m)^(## Section |)([0-9]+)\.([0-9]+)`)
)

// LongAgreement returns copies of an agreement written in Markdown, one
// after the other, each renumbered to follow the last ("# ARTICLE 3"
// becomes "# ARTICLE 28" in the second copy of a 25-article agreement,
// "## Section 3.2" and the clause "3.2.1" likewise): a long agreement
// for measuring how the bot copes with one, from the sample agreement.
func LongAgreement(sample string, copies int) string {
	articles := 0
	for _, m := range articleLine.FindAllStringSubmatch(sample, -1) {
		n, _ := strconv.Atoi(m[1])
		articles = max(articles, n)
	}
	var long strings.Builder
	for part := range copies {
		shift := func(n string) string {
			k, _ := strconv.Atoi(n)
			return strconv.Itoa(k + articles*part)
		}
		text := articleLine.ReplaceAllStringFunc(sample, func(m string) string {
			return "# ARTICLE " + shift(articleLine.FindStringSubmatch(m)[1])
		})
		text = numbered.ReplaceAllStringFunc(text, func(m string) string {
			sm := numbered.FindStringSubmatch(m)
			return sm[1] + shift(sm[2]) + "." + sm[3]
		})
		long.WriteString(text + "\n\n")
	}
	return long.String()
}

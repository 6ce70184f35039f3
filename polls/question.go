package polls

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/unionhall/unionhall/bot"
)

// OptionSeparator separates options typed without quotes, so an option of
// several words needs no quotes: /poll Strike vote? Yes | No | Not sure.
const OptionSeparator = "|"

// splitQuestion separates the question from the options. A quoted first
// argument is the question; otherwise the unquoted words up to the first
// one ending in "?" are.
//
// Options are read so that none is split silently: options in quotes are
// taken as typed; unquoted options separated by OptionSeparator are one
// option per part; two unquoted words are two options ("Yes No"). More
// than two options with any of them unquoted could hide an option of
// several words ("Yes No Not sure"), so they are refused with the command
// written out with quotes.
func splitQuestion(pos []bot.Token) (string, []string, error) {
	if len(pos) == 0 {
		return "", nil, nil
	}
	var q string
	var rest []bot.Token
	if pos[0].Quoted {
		q, rest = pos[0].Text, pos[1:]
	} else {
		end := -1
		for i, t := range pos {
			if t.Quoted {
				break
			}
			if strings.HasSuffix(t.Text, "?") {
				end = i
				break
			}
		}
		if end < 0 {
			return "", nil, bot.Errorf(bot.EINVALID, "Put the question and each option in quotes, e.g. /poll \"Would you vote yes?\" \"Yes\" \"No\".")
		}
		words := make([]string, 0, end+1)
		for _, t := range pos[:end+1] {
			words = append(words, t.Text)
		}
		q, rest = strings.Join(words, " "), pos[end+1:]
	}
	if separated(rest) {
		return q, splitOptions(rest), nil
	}
	opts := make([]string, len(rest))
	unquoted := false
	for i, t := range rest {
		opts[i] = t.Text
		unquoted = unquoted || !t.Quoted
	}
	if unquoted && len(rest) > 2 {
		return "", nil, bot.Errorf(bot.EINVALID,
			"Some options are not in quotes, so I can't tell where one ends: is %q one option or two? Put each option in quotes, e.g. %s, or separate them with %s: /poll %s %s.",
			ambiguousPair(rest), quotedCommand(q, guessOptions(rest)), OptionSeparator, unquotedQuestion(q), strings.Join(guessOptions(rest), " "+OptionSeparator+" "))
	}
	return q, opts, nil
}

// separated reports whether an unquoted argument holds OptionSeparator.
func separated(ts []bot.Token) bool {
	for _, t := range ts {
		if !t.Quoted && strings.Contains(t.Text, OptionSeparator) {
			return true
		}
	}
	return false
}

// splitOptions reads options separated by OptionSeparator: the words
// between two separators are one option, and a quoted argument is taken
// whole.
func splitOptions(ts []bot.Token) []string {
	var opts, words []string
	flush := func() {
		if len(words) > 0 {
			opts = append(opts, strings.Join(words, " "))
		}
		words = nil
	}
	for _, t := range ts {
		if t.Quoted {
			words = append(words, t.Text)
			continue
		}
		parts := strings.Split(t.Text, OptionSeparator)
		for i, part := range parts {
			if i > 0 {
				flush()
			}
			if part != "" {
				words = append(words, part)
			}
		}
	}
	flush()
	return opts
}

// guessOptions groups unquoted words into the options they most likely
// are, for the corrected command shown with a refusal: a capitalised word
// starts an option and a word in lower case continues the one before
// ("Yes No Not sure" is Yes, No, Not sure). A quoted argument is one
// option.
func guessOptions(ts []bot.Token) []string {
	var opts []string
	continues := false
	for _, t := range ts {
		r, _ := utf8.DecodeRuneInString(t.Text)
		if !t.Quoted && continues && len(opts) > 0 && !unicode.IsUpper(r) && unicode.IsLetter(r) {
			opts[len(opts)-1] += " " + t.Text
			continue
		}
		opts = append(opts, t.Text)
		continues = !t.Quoted
	}
	return opts
}

// ambiguousPair returns two neighbouring unquoted words, or the first
// unquoted word, as an example of what could be one option or two.
func ambiguousPair(ts []bot.Token) string {
	quoted := map[string]bool{}
	for _, t := range ts {
		quoted[t.Text] = t.Quoted
	}
	for _, o := range guessOptions(ts) {
		if strings.Contains(o, " ") && !quoted[o] {
			return o
		}
	}
	for i := 0; i+1 < len(ts); i++ {
		if !ts[i].Quoted && !ts[i+1].Quoted {
			return ts[i].Text + " " + ts[i+1].Text
		}
	}
	for _, t := range ts {
		if !t.Quoted {
			return t.Text
		}
	}
	return ""
}

// quotedCommand writes /poll with the question and every option in
// quotes.
func quotedCommand(q string, opts []string) string {
	var b strings.Builder
	b.WriteString("/poll " + quote(q))
	for _, o := range opts {
		b.WriteString(" " + quote(o))
	}
	return b.String()
}

// unquotedQuestion writes q as /poll reads it without quotes when it can
// (it ends with "?" and no word before the end does), otherwise in quotes.
func unquotedQuestion(q string) string {
	if strings.HasSuffix(q, "?") && !strings.Contains(strings.TrimSuffix(q, "?"), "?") && !strings.ContainsAny(q, `"“”`) {
		return q
	}
	return quote(q)
}

// quote puts s in straight double quotes, using curly ones inside.
func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "”") + `"`
}

package bot

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one argument of a command line.
type Token struct {
	// Text is the argument with quotes removed.
	Text string
	// Quoted reports whether the argument was written in quotes.
	Quoted bool
}

// IsOpenQuote reports whether r opens a quoted argument. Phones turn
// straight quotes into curly ones, so both are accepted, and the quotes of
// other languages too.
func IsOpenQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '„', '«':
		return true
	}
	return false
}

// IsCloseQuote reports whether r closes a quoted argument.
func IsCloseQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '»':
		return true
	}
	return false
}

// IsQuote reports whether the tokenizer treats r as a quote, opening or
// closing. Adapters use it to tell whether text typed into a platform's
// own argument field needs quoting before it reaches Tokenize.
func IsQuote(r rune) bool {
	return IsOpenQuote(r) || IsCloseQuote(r)
}

// Tokenize splits a command line into arguments. Arguments are separated by
// white space; double quotes (straight or curly) group words into one
// argument, and a backslash inside quotes escapes the next character. An
// unclosed quote is an EINVALID error.
//
// A quote right after the "=" of a flag (--closes="in 2h") groups words
// too, but stays in the flag's text, escapes included, for ParseFlags to
// remove; the flag token is not Quoted.
func Tokenize(s string) ([]Token, error) {
	var (
		tokens []Token
		cur    strings.Builder
		inTok  bool
		quoted bool
		inQ    bool
		keepQ  bool // inQ within a --flag= token: quotes and escapes are kept
		escape bool
	)
	flush := func() {
		if inTok {
			tokens = append(tokens, Token{Text: cur.String(), Quoted: quoted})
		}
		cur.Reset()
		inTok, quoted = false, false
	}
	for _, r := range s {
		switch {
		case inQ && escape:
			cur.WriteRune(r)
			escape = false
		case inQ && r == '\\':
			escape = true
			if keepQ {
				cur.WriteRune(r)
			}
		case inQ && IsCloseQuote(r):
			if keepQ {
				cur.WriteRune(r)
			}
			inQ, keepQ = false, false
		case inQ:
			cur.WriteRune(r)
		case IsOpenQuote(r) && !inTok:
			inQ, inTok, quoted = true, true, true
		case IsOpenQuote(r) && !quoted && isFlagAssign(cur.String()):
			inQ, keepQ = true, true
			cur.WriteRune(r)
		case unicode.IsSpace(r):
			flush()
		default:
			cur.WriteRune(r)
			inTok = true
		}
	}
	if inQ {
		return nil, Errorf(EINVALID, "A quote is not closed. Put each quoted argument between a pair of quotes, like \"Yes, ratify\".")
	}
	flush()
	return tokens, nil
}

// Unquote returns what is inside s when s is exactly one quoted argument
// (straight or curly quotes, a backslash escaping the next character, as
// Tokenize reads them), and false otherwise: when s does not start with a
// quote, the quote is not closed, or anything follows the closing quote.
func Unquote(s string) (string, bool) {
	r, size := utf8.DecodeRuneInString(s)
	if !IsOpenQuote(r) {
		return "", false
	}
	var b strings.Builder
	escape := false
	for i := size; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case escape:
			b.WriteRune(c)
			escape = false
		case c == '\\':
			escape = true
		case IsCloseQuote(c):
			if i != len(s) {
				return "", false
			}
			return b.String(), true
		default:
			b.WriteRune(c)
		}
	}
	return "", false
}

// FlagSpec declares the --flags a command accepts: true for a flag that
// takes a value, false for a switch.
type FlagSpec map[string]bool

// Flags holds the flags found on a command line. A switch that was given
// maps to "".
type Flags map[string]string

// Has reports whether the flag was given.
func (f Flags) Has(name string) bool {
	_, ok := f[name]
	return ok
}

// flagName returns the text of a flag token after its dashes ("--hidden",
// "—hidden" as phones autocorrect it), with the name (up to any "=")
// in lower case, and whether the token is a flag at all.
func flagName(t Token) (string, bool) {
	if t.Quoted {
		return "", false
	}
	for _, p := range []string{"--", "—", "–"} {
		if name, ok := strings.CutPrefix(t.Text, p); ok && name != "" && !strings.HasPrefix(name, "-") {
			name, value, hasValue := strings.Cut(name, "=")
			name = strings.ToLower(name)
			if hasValue {
				name += "=" + value
			}
			return name, true
		}
	}
	return "", false
}

// isFlagAssign reports whether s is a flag up to its "=", such as
// "--closes=", where a quoted value may start.
func isFlagAssign(s string) bool {
	name, ok := flagName(Token{Text: s})
	return ok && strings.Index(name, "=") == len(name)-1 && len(name) > 1
}

// ParseFlags separates positional arguments from flags declared in spec. A
// flag that takes a value consumes the unquoted tokens after it up to the
// next flag or quoted token, so "--closes in 2h" works, as does
// "--max=2". When no unquoted token follows it, it takes exactly one
// quoted token instead (--closes "in 2h", as Discord sends it); a quoted
// token after unquoted words stays positional (--closes in 2h "Yes").
// In the --flag="..." form the surrounding quotes (straight or curly) are
// removed. Unknown flags, and value flags without a value, are EINVALID
// errors.
func ParseFlags(tokens []Token, spec FlagSpec) ([]Token, Flags, error) {
	var pos []Token
	flags := Flags{}
	for i := 0; i < len(tokens); i++ {
		name, ok := flagName(tokens[i])
		if !ok {
			pos = append(pos, tokens[i])
			continue
		}
		var value string
		name, value, hasValue := strings.Cut(name, "=")
		takes, known := spec[name]
		if !known {
			return nil, nil, Errorf(EINVALID, "Unknown option --%s. Options here are: %s.", name, spec.list())
		}
		if _, dup := flags[name]; dup {
			return nil, nil, Errorf(EINVALID, "The option --%s is given twice.", name)
		}
		if !takes {
			if hasValue {
				return nil, nil, Errorf(EINVALID, "The option --%s takes no value.", name)
			}
			flags[name] = ""
			continue
		}
		if !hasValue {
			var parts []string
			for i+1 < len(tokens) && !tokens[i+1].Quoted {
				if _, isFlag := flagName(tokens[i+1]); isFlag {
					break
				}
				i++
				parts = append(parts, tokens[i].Text)
			}
			value = strings.Join(parts, " ")
			if len(parts) == 0 && i+1 < len(tokens) && tokens[i+1].Quoted {
				i++
				value = tokens[i].Text
			}
		} else if in, ok := Unquote(value); ok {
			value = in
		}
		if strings.TrimSpace(value) == "" {
			return nil, nil, Errorf(EINVALID, "The option --%s needs a value.", name)
		}
		flags[name] = value
	}
	return pos, flags, nil
}

func (s FlagSpec) list() string {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, "--"+n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// SplitCommand splits a line such as "/Poll list" into the lower-case
// command name ("poll") and the trimmed rest ("list"). ok is false when the
// line does not start with a slash.
func SplitCommand(line string) (name, rest string, ok bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "/") {
		return "", line, false
	}
	line = line[1:]
	end := strings.IndexFunc(line, unicode.IsSpace)
	if end < 0 {
		return strings.ToLower(line), "", true
	}
	return strings.ToLower(line[:end]), strings.TrimSpace(line[end:]), true
}

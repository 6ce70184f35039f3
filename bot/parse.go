package bot

import (
	"sort"
	"strings"
	"unicode"
)

// Token is one argument of a command line.
type Token struct {
	// Text is the argument with quotes removed.
	Text string
	// Quoted reports whether the argument was written in quotes.
	Quoted bool
}

// isOpenQuote reports whether r opens a quoted argument. Phones turn
// straight quotes into curly ones, so both are accepted.
func isOpenQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '„', '«':
		return true
	}
	return false
}

func isCloseQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '»':
		return true
	}
	return false
}

// Tokenize splits a command line into arguments. Arguments are separated by
// white space; double quotes (straight or curly) group words into one
// argument, and a backslash inside quotes escapes the next character. An
// unclosed quote is an EINVALID error.
func Tokenize(s string) ([]Token, error) {
	var (
		tokens []Token
		cur    strings.Builder
		inTok  bool
		quoted bool
		inQ    bool
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
		case inQ && isCloseQuote(r):
			inQ = false
		case inQ:
			cur.WriteRune(r)
		case isOpenQuote(r) && !inTok:
			inQ, inTok, quoted = true, true, true
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

// flagName returns the name of a flag token ("--hidden", "—hidden" as
// phones autocorrect it) and whether the token is a flag at all.
func flagName(t Token) (string, bool) {
	if t.Quoted {
		return "", false
	}
	for _, p := range []string{"--", "—", "–"} {
		if name, ok := strings.CutPrefix(t.Text, p); ok && name != "" && !strings.HasPrefix(name, "-") {
			return strings.ToLower(name), true
		}
	}
	return "", false
}

// ParseFlags separates positional arguments from flags declared in spec. A
// flag that takes a value consumes the unquoted tokens after it up to the
// next flag or quoted token, so "--closes in 2h" works, as does
// "--max=2". Unknown flags, and value flags without a value, are EINVALID
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

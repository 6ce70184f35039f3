package bot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Values are the arguments of one command form as the Router parsed and
// checked them against the form's declaration, by argument name. A flag
// that is a switch has the value "" when given.
type Values map[string][]string

// Arg returns the first value of the named argument, or "".
func (r *Request) Arg(name string) string {
	if v := r.values[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// ArgValues returns every value of a Repeated argument.
func (r *Request) ArgValues(name string) []string {
	return r.values[name]
}

// Has reports whether the named argument was given.
func (r *Request) Has(name string) bool {
	_, ok := r.values[name]
	return ok
}

// Int returns the named KindInt argument, already checked by the Router,
// or 0 when it was not given.
func (r *Request) Int(name string) int64 {
	n, _ := strconv.ParseInt(r.Arg(name), 10, 64)
	return n
}

// Positional returns the positional arguments of a Custom form, which the
// handler reads itself.
func (r *Request) Positional() []Token { return r.positional }

// Rest returns the form's arguments as the member typed them, after the
// form's word: for Custom forms whose arguments only make sense read
// together (a reminder's time and text).
func (r *Request) Rest() string { return r.rest }

// argError is how the Router explains a bad argument; the Router adds the
// command's usage after it.
func argError(format string, args ...any) error {
	return Errorf(EINVALID, format, args...)
}

// describe is the argument's summary as part of a sentence.
func (a Arg) describe() string {
	if a.Summary == "" {
		return "the " + a.Name
	}
	r, n := utf8.DecodeRuneInString(a.Summary)
	return strings.ToLower(string(r)) + a.Summary[n:]
}

// check returns v as the argument holds it (an integer without its "#",
// a choice in its declared case), or an EINVALID error that says what is
// wrong with it.
func (a Arg) check(v string) (string, error) {
	name := a.Name
	if a.Flag {
		name = "--" + a.Name
	}
	if a.MaxLength > 0 {
		if n := utf8.RuneCountInString(v); n > a.MaxLength {
			return "", argError("The %s is too long: %d characters, and the limit is %d.", name, n, a.MaxLength)
		}
	}
	switch a.Kind {
	case KindInt:
		n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(v), "#"))
		outside := err == nil && (a.Min != 0 && n < a.Min || a.Max != 0 && n > a.Max)
		switch {
		case a.Flag && (err != nil || outside):
			return "", argError("%s takes a whole number%s, e.g. %s %d; got %q.", name, bounds(a), name, max(a.Min, 1), Truncate(v, 20))
		case err != nil:
			return "", argError("%q is not %s number. Say which %s by its number.", Truncate(v, 30), article(a.Name), a.Name)
		case outside:
			return "", argError("%d is not %s number: it is a whole number%s.", n, article(a.Name), bounds(a))
		}
		return strconv.Itoa(n), nil
	case KindChoice:
		v := strings.ToLower(strings.TrimSpace(v))
		if c, ok := a.Synonyms[v]; ok {
			v = c
		}
		for _, c := range a.Choices {
			if strings.EqualFold(v, c) {
				return c, nil
			}
		}
		if len(a.Choices) == 2 {
			return "", argError("Unknown %s %q: it is either %s.", a.Name, Truncate(v, 30), orList(a.choiceForms()))
		}
		return "", argError("Unknown %s %q. Use %s.", a.Name, Truncate(v, 30), orList(a.choiceForms()))
	}
	return v, nil
}

// choiceForms returns how each choice is typed: "--rule coalition" for a
// flag, "coalition" otherwise.
func (a Arg) choiceForms() []string {
	out := make([]string, len(a.Choices))
	for i, c := range a.Choices {
		out[i] = c
		if a.Flag {
			out[i] = "--" + a.Name + " " + c
		}
	}
	return out
}

// bounds describes the bounds of an integer argument, or "".
func bounds(a Arg) string {
	switch {
	case a.Min != 0 && a.Max != 0:
		return fmt.Sprintf(" from %d to %d", a.Min, a.Max)
	case a.Min != 0:
		return fmt.Sprintf(" of at least %d", a.Min)
	case a.Max != 0:
		return fmt.Sprintf(" up to %d", a.Max)
	}
	return ""
}

// article puts "a" or "an" before word.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// orList joins items as "a, b or c".
func orList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// errExtra is returned by bind when a form got more arguments than it
// takes; a command with a catch-all form then reads the line as that
// form's text instead ("/faq topics of the deal" is a question).
type errExtra struct{ error }

// Unwrap returns the member-facing error.
func (e errExtra) Unwrap() error { return e.error }

// bind parses toks (the arguments after the form's word) against form f.
// rest is the same arguments as typed, for a KindText
// argument that takes the whole line. It returns the checked values and,
// for a Custom form, the positional tokens.
func bind(f Form, toks []Token, rest string) (Values, []Token, error) {
	vals := Values{}
	pos := toks
	if flags := f.Flags(); len(flags) > 0 {
		var given Flags
		var err error
		if pos, given, err = ParseFlags(toks, f.flagSpec()); err != nil {
			return nil, nil, err
		}
		for _, a := range flags {
			v, ok := given[a.Name]
			if !ok {
				if a.Required {
					return nil, nil, argError("The option --%s is missing.", a.Name)
				}
				continue
			}
			if a.Kind != KindSwitch {
				if v, err = a.check(v); err != nil {
					return nil, nil, err
				}
			}
			vals[a.Name] = []string{v}
		}
	}
	if f.Custom {
		return vals, pos, nil
	}
	args := f.Positional()
	i := 0
	for k, a := range args {
		if i >= len(pos) {
			if a.Required {
				switch a.Kind {
				case KindInt:
					return nil, nil, argError("Say which %s by its number.", a.Name)
				case KindString, KindChoice:
					return nil, nil, argError("Say which %s (%s).", a.Name, a.describe())
				}
				return nil, nil, argError("Give %s.", a.describe())
			}
			break
		}
		var got []string
		switch {
		case a.Kind == KindText:
			switch {
			case k == 0 && len(f.Flags()) == 0 && !(len(pos) == 1 && pos[0].Quoted):
				got = []string{rest}
			case len(pos)-i == 1:
				got = []string{pos[i].Text}
			default:
				got = []string{joinTokens(pos[i:])}
			}
			i = len(pos)
		case a.Repeated:
			for ; i < len(pos); i++ {
				got = append(got, pos[i].Text)
			}
			if a.Min > 0 && len(got) < a.Min || a.Max > 0 && len(got) > a.Max {
				return nil, nil, argError("Give %s%s values of %s.", "", countRange(a), a.describe())
			}
		case a.Kind == KindTime && !pos[i].Quoted:
			j := i
			for j < len(pos) && !pos[j].Quoted {
				j++
			}
			got = []string{joinTokens(pos[i:j])}
			i = j
		default:
			got = []string{pos[i].Text}
			i++
		}
		for n, v := range got {
			checked, err := a.check(v)
			if err != nil {
				return nil, nil, err
			}
			got[n] = checked
		}
		vals[a.Name] = got
	}
	if i < len(pos) {
		return nil, nil, errExtra{argError("I didn't expect %q there.", Truncate(pos[i].Text, 30))}
	}
	return vals, nil, nil
}

// countRange describes how many values a Repeated argument takes.
func countRange(a Arg) string {
	switch {
	case a.Min > 0 && a.Max > 0:
		return fmt.Sprintf("%d to %d ", a.Min, a.Max)
	case a.Min > 0:
		return fmt.Sprintf("at least %d ", a.Min)
	case a.Max > 0:
		return fmt.Sprintf("at most %d ", a.Max)
	}
	return ""
}

// joinTokens joins the texts of toks with single spaces.
func joinTokens(toks []Token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.Text
	}
	return strings.Join(parts, " ")
}

package bot

import (
	"errors"
	"fmt"
	"strings"
)

// ArgKind says what one argument of a command holds, so that the Router
// can check it, /help can show it and each platform can offer it in its
// own way (a Discord integer option, a Slack usage hint).
type ArgKind int

// The kinds of argument a command declares.
const (
	// KindString is one word, or several words in quotes.
	KindString ArgKind = iota
	// KindInt is a whole number, which may be written with a leading "#"
	// as members write poll numbers ("#3").
	KindInt
	// KindChoice is one of Arg.Choices, in any letter case.
	KindChoice
	// KindSwitch is a flag without a value, such as --hidden.
	KindSwitch
	// KindTime is a time as ParseWhen reads it: unquoted words ("in 2h",
	// "Aug 31 17:00") or one quoted text.
	KindTime
	// KindText is the rest of the line: a question, a reminder's text.
	KindText
)

// Arg declares one argument of a command form: a positional argument, or
// a --flag when Flag is set.
type Arg struct {
	// Name names the argument in values (Request.Arg), in /help and in
	// platform forms (Discord's option name). Lower case, no spaces.
	Name string
	// Summary says what the argument is, for platforms that describe
	// each option ("The poll's number").
	Summary string
	// Kind is what the argument holds.
	Kind ArgKind
	// Required marks an argument the form cannot do without.
	Required bool
	// Flag makes the argument a --flag instead of a positional argument.
	Flag bool
	// Repeated lets the last positional argument take every argument
	// left, each one a value (a poll's options).
	Repeated bool
	// Choices are the values a KindChoice argument accepts.
	Choices []string
	// Synonyms are other words members type for a choice, mapped to the
	// choice they mean ("2/3" for "two-thirds"); the Router hands the
	// handler the choice.
	Synonyms map[string]string
	// MaxLength bounds a value's length in characters; 0 leaves only the
	// message limit.
	MaxLength int
	// Min and Max bound a KindInt value (0 means no bound), and the
	// number of values of a Repeated argument.
	Min, Max int
	// Placeholder is how usage shows a positional value, such as
	// `"Question?"`; "<Name>" when empty.
	Placeholder string
	// Complete, when set, lists the values a member may pick from while
	// typing, on platforms that offer suggestions (Discord's
	// autocomplete). The list is a suggestion, not a check.
	Complete func() []string
}

// placeholder returns how usage shows the argument's value.
func (a Arg) placeholder() string {
	switch {
	case a.Placeholder != "":
		return a.Placeholder
	case a.Kind == KindChoice:
		return strings.Join(a.Choices, "|")
	}
	return "<" + a.Name + ">"
}

// Form is one form of a command: a subcommand such as "/poll results", or
// the only form of a command such as "/vote".
type Form struct {
	// Name is the subcommand word ("results"), or "" for a command with a
	// single form.
	Name string
	// Aliases are other words for the same subcommand ("tally").
	Aliases []string
	// Implicit lets members leave the subcommand word out: /poll "Q?" "A"
	// "B" opens a poll. At most one form of a command is implicit. Where
	// an implicit form's only argument is KindText, it also takes any line
	// that no other form accepts (a question after /faq).
	Implicit bool
	// Summary says in one line what the form does.
	Summary string
	// Args are the form's arguments: positional ones in order, flags
	// anywhere.
	Args []Arg
	// Steward, when set, limits the form to stewards; it completes the
	// sentence "Only stewards can …" ("open a poll").
	Steward string
	// Custom leaves the positional arguments to the handler
	// (Request.Positional), for forms whose arguments cannot be told apart
	// by position alone, such as a poll question typed without quotes.
	// Args still describe them for /help and other platforms, and flags
	// are still parsed and checked.
	Custom bool
	// Handler serves the form.
	Handler Handler
}

// Command is a command registered with the Router, declared once by the
// feature that owns it. From this declaration come the Router's checks and
// error messages, /help on every platform, Discord's slash commands and
// the Slack manifest.
type Command struct {
	// Name is the command name without the slash, in lower case.
	Name string
	// Summary is one line for /help.
	Summary string
	// Aliases are other names that reach the same command, e.g.
	// "reminders" for "remind" where a platform reserves the main name.
	Aliases []string
	// MembersName names the members' half of the command on platforms
	// that register members' and stewards' forms as separate commands,
	// because a command's permission there covers all its forms
	// (Discord): /polls for members, /poll for stewards.
	MembersName string
	// ChannelOnly marks commands that make sense only in a channel, not in
	// a direct message (polls).
	ChannelOnly bool
	// Forms are the command's forms, in the order /help shows them.
	Forms []Form
}

// Steward reports whether only stewards may use every form of c.
func (c Command) Steward() bool {
	for _, f := range c.Forms {
		if f.Steward == "" {
			return false
		}
	}
	return len(c.Forms) > 0
}

// CatchAll returns the implicit form that takes any line no other form
// accepts (an implicit form whose only argument is KindText), if any.
func (c Command) CatchAll() (Form, bool) {
	for _, f := range c.Forms {
		if f.Implicit && len(f.Args) == 1 && f.Args[0].Kind == KindText && !f.Args[0].Flag {
			return f, true
		}
	}
	return Form{}, false
}

// Positional returns the form's positional arguments, in order.
func (f Form) Positional() []Arg {
	var out []Arg
	for _, a := range f.Args {
		if !a.Flag {
			out = append(out, a)
		}
	}
	return out
}

// Flags returns the form's --flags, in declaration order.
func (f Form) Flags() []Arg {
	var out []Arg
	for _, a := range f.Args {
		if a.Flag {
			out = append(out, a)
		}
	}
	return out
}

// flagSpec is the FlagSpec of the form's flags.
func (f Form) flagSpec() FlagSpec {
	spec := FlagSpec{}
	for _, a := range f.Flags() {
		spec[a.Name] = a.Kind != KindSwitch
	}
	return spec
}

// matches reports whether word names the form: its name or an alias, in
// any letter case, with trailing punctuation ignored ("topics?").
func (f Form) matches(word string) bool {
	if f.Name == "" {
		return false
	}
	word = strings.ToLower(strings.TrimRight(word, "?!.:"))
	if word == f.Name {
		return true
	}
	for _, a := range f.Aliases {
		if word == a {
			return true
		}
	}
	return false
}

// Syntax returns how a member types form f of command c in the typed
// command language, such as `/poll results <poll>`. Platforms whose
// commands differ derive their own forms from the same declaration.
func Syntax(c Command, f Form) string {
	return SyntaxNamed("/"+c.Name, f)
}

// SyntaxNamed is Syntax with the command written as name (a platform may
// register a command under another name, such as Slack's /reminders).
func SyntaxNamed(name string, f Form) string {
	parts := []string{name}
	// An implicit form's word is shown when the form takes nothing else
	// ("/remind list"), and left out when its arguments follow the
	// command directly (/poll "Question?" ...).
	if f.Name != "" && (!f.Implicit || len(f.Positional()) == 0) {
		parts = append(parts, f.Name)
	}
	return strings.Join(append(parts, ArgsSyntax(f)...), " ")
}

// ArgsSyntax returns how each argument of f is typed, positional
// arguments first: "<poll>", "[<name>]", "[--hidden]", "[--max <max>]".
func ArgsSyntax(f Form) []string {
	var parts []string
	for _, a := range f.Positional() {
		p := a.placeholder()
		if a.Repeated && a.Placeholder == "" {
			p += " ..."
		}
		if !a.Required {
			p = "[" + p + "]"
		}
		parts = append(parts, p)
	}
	for _, a := range f.Flags() {
		p := "--" + a.Name
		if a.Kind != KindSwitch {
			if a.Placeholder != "" || a.Kind == KindChoice {
				p += " " + a.placeholder()
			} else {
				p += " <" + a.Name + ">"
			}
		}
		if !a.Required {
			p = "[" + p + "]"
		}
		parts = append(parts, p)
	}
	return parts
}

// validate reports what makes a declaration unusable.
func (c Command) validate() error {
	if c.Name == "" || len(c.Forms) == 0 {
		return fmt.Errorf("command /%s needs a name and at least one form", c.Name)
	}
	implicit := 0
	for _, f := range c.Forms {
		if f.Handler == nil {
			return fmt.Errorf("form %q of /%s has no handler", f.Name, c.Name)
		}
		if f.Implicit {
			implicit++
		}
		if (f.Name == "") != (c.Forms[0].Name == "") {
			return fmt.Errorf("/%s mixes named and unnamed forms; name them all, or none", c.Name)
		}
		for i, a := range f.Positional() {
			last := i == len(f.Positional())-1
			if (a.Repeated || a.Kind == KindText) && !last && !f.Custom {
				return fmt.Errorf("argument %s of /%s %s takes the rest of the line, so it must come last", a.Name, c.Name, f.Name)
			}
		}
	}
	if implicit > 1 {
		return fmt.Errorf("/%s has %d implicit forms; at most one may be", c.Name, implicit)
	}
	return nil
}

// form returns the form of c named by word, if any.
func (c Command) form(word string) (Form, bool) {
	for _, f := range c.Forms {
		if f.matches(word) {
			return f, true
		}
	}
	return Form{}, false
}

// implicit returns the form members may use without its word, if any.
func (c Command) implicit() (Form, bool) {
	for _, f := range c.Forms {
		if f.Implicit || len(c.Forms) == 1 {
			return f, true
		}
	}
	return Form{}, false
}

// parse chooses the form of c that req.Raw uses, checks that the sender
// may use it, and binds its arguments into req. It returns the form to
// serve, or an error that tells the member what to type instead.
func (c Command) parse(req *Request) (Form, error) {
	toks, err := Tokenize(req.Raw)
	if err != nil {
		// A stray quote in a question is part of the question.
		all, ok := c.CatchAll()
		if !ok {
			return Form{}, err
		}
		req.Form, req.values, req.rest = all.Name, Values{all.Args[0].Name: {req.Raw}}, req.Raw
		return all, nil
	}
	if len(c.Forms) > 1 && c.Forms[0].Name == "" {
		return c.parseVariant(req, toks)
	}
	f, ok := Form{}, false
	args, rest := toks, req.Raw
	if len(toks) > 0 && !toks[0].Quoted {
		// An implicit form's own word is its word only when what follows
		// is not more of the same unquoted text: "/poll open shifts on
		// Sunday?" asks about open shifts, "/poll open "Q?" …" opens a poll.
		f, ok = c.form(toks[0].Text)
		if ok && f.Implicit && len(f.Positional()) > 0 && len(toks) > 1 && !toks[1].Quoted && !isFlagToken(toks[1]) {
			ok = false
		}
		if ok {
			args = toks[1:]
			_, rest, _ = strings.Cut(req.Raw, toks[0].Text)
			rest = strings.TrimSpace(rest)
		}
	}
	if !ok {
		if f, ok = c.implicit(); !ok || len(toks) > 0 && len(f.Positional()) == 0 && !f.Custom {
			return Form{}, c.unknownForm(toks)
		}
		if len(toks) == 0 && len(c.Forms) > 1 && hasRequired(f.Positional()) {
			return Form{}, Errorf(EINVALID, "Say what to do with /%s.", c.Name)
		}
	}
	if f.Steward != "" {
		if err := req.RequireSteward(f.Steward); err != nil {
			return Form{}, err
		}
	}
	vals, pos, err := bind(f, args, rest)
	var extra errExtra
	if errors.As(err, &extra) {
		if all, ok := c.CatchAll(); ok && all.Name != f.Name {
			f = all
			vals, pos, err = bind(f, toks, req.Raw)
		}
	}
	if err != nil {
		return Form{}, err
	}
	if f.Name != "" && len(args) == len(toks) {
		rest = req.Raw // an implicit form: nothing was cut off
	}
	req.Form, req.values, req.positional, req.rest = f.Name, vals, pos, rest
	return f, nil
}

// parseVariant serves a command whose forms are unnamed variants told
// apart by their arguments ("/help" and "/help <command>"): the first
// form that accepts the arguments is chosen, and when none does, the
// first one's objection is returned.
func (c Command) parseVariant(req *Request, toks []Token) (Form, error) {
	var first error
	for _, f := range c.Forms {
		err := req.RequireSteward(f.Steward)
		var vals Values
		var pos []Token
		if f.Steward == "" || err == nil {
			vals, pos, err = bind(f, toks, req.Raw)
		}
		if err == nil {
			req.values, req.positional, req.rest = vals, pos, req.Raw
			return f, nil
		}
		if first == nil {
			first = err
		}
	}
	return Form{}, first
}

// isFlagToken reports whether t is written as a --flag.
func isFlagToken(t Token) bool {
	_, ok := flagName(t)
	return ok
}

// hasRequired reports whether any of args is required.
func hasRequired(args []Arg) bool {
	for _, a := range args {
		if a.Required {
			return true
		}
	}
	return false
}

// unknownForm explains that toks name none of c's forms.
func (c Command) unknownForm(toks []Token) error {
	var forms []string
	for _, f := range c.Forms {
		if f.Name != "" {
			forms = append(forms, "/"+c.Name+" "+f.Name)
		}
	}
	word := ""
	if len(toks) > 0 {
		word = " " + Truncate(oneLine(toks[0].Text), 40)
	}
	return Errorf(EINVALID, "I don't know /%s%s. Use %s.", c.Name, word, orList(forms))
}

// oneLine turns line breaks and tabs into spaces, so that text a member
// typed can be quoted on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

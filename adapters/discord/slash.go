package discord

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

// StewardPermission is the default member permission of the slash
// commands that hold only stewards' forms: Discord shows them only to
// members with Manage Messages until a server admin grants them to a role
// (Server Settings → Integrations → Union Hall). It is a convenience, not
// the check: Union Hall still verifies steward status itself.
const StewardPermission int64 = discordgo.PermissionManageMessages

// Discord's limits on slash-command definitions.
const (
	maxDescription  = 100  // characters in a command's or option's description
	maxOptionLength = 6000 // characters in a string option's value
)

// choiceSeparators split the one field in which a member types several
// values (a poll's options): "|" when the field has one, otherwise ";".
const choiceSeparators = "|;"

// slashRoute says how one registered Discord command maps back onto the
// core's command language.
type slashRoute struct {
	// cmd is the core command.
	cmd bot.Command
	// forms are the core forms registered under this Discord command: as
	// subcommands when sub is set, otherwise exactly one form.
	forms []bot.Form
	sub   bool
	// catchAll is set for a command whose one text option is the whole
	// typed line (a question, or another form typed in it).
	catchAll bool
}

// SlashCommands is the Discord form of the core's command declarations:
// the slash commands to register, how each maps back to a typed line, and
// how /help writes each form. It holds no feature knowledge of its own.
type SlashCommands struct {
	defs   []*discordgo.ApplicationCommand
	routes map[string]slashRoute
}

// NewSlashCommands derives the slash commands from the declarations
// (Router.Commands).
// Members' and stewards' forms of one command become separate commands
// (the members' under Command.MembersName), because Discord applies a
// command's default permission to all of its subcommands. A command whose
// implicit form takes free text becomes one command with that text
// option; its other forms are typed in it.
func NewSlashCommands(cmds []bot.Command) (*SlashCommands, error) {
	s := &SlashCommands{routes: map[string]slashRoute{}}
	for _, c := range cmds {
		var err error
		if all, ok := c.CatchAll(); ok {
			err = s.add(c, c.Name, []bot.Form{all}, slashRoute{cmd: c, forms: c.Forms, catchAll: true}, c.Steward())
		} else {
			err = s.addSplit(c)
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// addSplit registers the forms of c: members' and stewards' forms as
// separate commands when it has both.
func (s *SlashCommands) addSplit(c bot.Command) error {
	if len(c.Forms) > 1 && c.Forms[0].Name == "" {
		f := mergeVariants(c.Forms)
		return s.add(c, c.Name, []bot.Form{f}, slashRoute{cmd: c, forms: []bot.Form{f}}, f.Steward != "")
	}
	var members, stewards []bot.Form
	for _, f := range c.Forms {
		if f.Steward == "" {
			members = append(members, f)
		} else {
			stewards = append(stewards, f)
		}
	}
	if len(members) == 0 || len(stewards) == 0 {
		return s.add(c, c.Name, c.Forms, slashRoute{cmd: c, forms: c.Forms, sub: len(c.Forms) > 1}, c.Steward())
	}
	if c.MembersName == "" {
		return fmt.Errorf("discord: /%s has members' and stewards' forms but no MembersName to register the members' ones under", c.Name)
	}
	if err := s.add(c, c.MembersName, members, slashRoute{cmd: c, forms: members, sub: len(members) > 1}, false); err != nil {
		return err
	}
	return s.add(c, c.Name, stewards, slashRoute{cmd: c, forms: stewards, sub: len(stewards) > 1}, true)
}

// mergeVariants makes one form of a command's unnamed variants ("/help"
// and "/help <command>"): every argument of any of them, required only
// where every variant requires it. The core tells the variants apart
// again by the arguments given.
func mergeVariants(forms []bot.Form) bot.Form {
	merged := bot.Form{Summary: forms[0].Summary, Steward: forms[0].Steward}
	count := map[string]int{}
	for _, f := range forms {
		if f.Steward == "" {
			merged.Steward = ""
		}
		for _, a := range f.Args {
			if count[a.Name] == 0 {
				merged.Args = append(merged.Args, a)
			}
			if a.Required {
				count[a.Name]++
			} else {
				count[a.Name] += len(forms) + 1 // never counts as required by all
			}
		}
	}
	for i, a := range merged.Args {
		merged.Args[i].Required = count[a.Name] == len(forms)
	}
	return merged
}

// add registers one Discord command named name for forms of c.
func (s *SlashCommands) add(c bot.Command, name string, forms []bot.Form, route slashRoute, steward bool) error {
	if _, dup := s.routes[name]; dup {
		return fmt.Errorf("discord: two commands would be registered as /%s", name)
	}
	desc := c.Summary
	if steward {
		desc = "Stewards: " + desc
	}
	def := &discordgo.ApplicationCommand{
		Name:         name,
		Description:  description(desc),
		Type:         discordgo.ChatApplicationCommand,
		DMPermission: ptr(!c.ChannelOnly && !steward),
	}
	if steward {
		def.DefaultMemberPermissions = ptr(StewardPermission)
	}
	if route.sub {
		for _, f := range forms {
			def.Options = append(def.Options, &discordgo.ApplicationCommandOption{
				Type: discordgo.ApplicationCommandOptionSubCommand, Name: f.Name,
				Description: description(f.Summary), Options: options(f),
			})
		}
	} else {
		def.Options = options(forms[0])
	}
	s.defs = append(s.defs, def)
	s.routes[name] = route
	return nil
}

// Definitions returns the slash commands to register with Discord.
func (s *SlashCommands) Definitions() []*discordgo.ApplicationCommand {
	if s == nil {
		return nil
	}
	return s.defs
}

func ptr[T any](v T) *T { return &v }

// description fits a summary into Discord's description limit, with a
// capital first letter as Discord's lists show them.
func description(s string) string {
	s = truncate(s, maxDescription)
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// options returns the Discord options of a form: required ones first, as
// Discord demands.
func options(f bot.Form) []*discordgo.ApplicationCommandOption {
	var out []*discordgo.ApplicationCommandOption
	for _, a := range f.Args {
		o := &discordgo.ApplicationCommandOption{Name: a.Name, Description: description(a.Summary), Required: a.Required}
		switch a.Kind {
		case bot.KindInt:
			o.Type = discordgo.ApplicationCommandOptionInteger
			if a.Min != 0 {
				o.MinValue = ptr(float64(a.Min))
			}
			if a.Max != 0 {
				o.MaxValue = float64(a.Max)
			}
		case bot.KindSwitch:
			o.Type = discordgo.ApplicationCommandOptionBoolean
		default:
			o.Type = discordgo.ApplicationCommandOptionString
			o.MaxLength = a.MaxLength
			o.Autocomplete = a.Complete != nil
			for _, c := range a.Choices {
				o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
			}
		}
		if a.Repeated {
			o.Description = description(strings.TrimSuffix(a.Summary, ".") + ", separated by | or ;")
			o.MaxLength = maxOptionLength
		}
		out = append(out, o)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Required && !out[j].Required })
	return out
}

// route finds the core form a slash command's data names, with the
// options given to it.
func (s *SlashCommands) route(data discordgo.ApplicationCommandInteractionData) (slashRoute, bot.Form, optionValues, error) {
	var r slashRoute
	ok := false
	if s != nil {
		r, ok = s.routes[data.Name]
	}
	sub, o := commandOptions(data)
	if ok && r.catchAll {
		return r, r.forms[0], o, nil
	}
	if ok && !r.sub && sub == "" {
		return r, r.forms[0], o, nil
	}
	for _, f := range r.forms {
		if ok && r.sub && f.Name == sub {
			return r, f, o, nil
		}
	}
	return r, bot.Form{}, nil, bot.Errorf(bot.EINVALID, "I don't know the command /%s %s any more. Type /help to see what I can do.", data.Name, sub)
}

// CommandLine builds the typed command equivalent to a slash command, so
// the core parses both the same way. Text that members typed is quoted
// (with quotes and backslashes escaped), so it can never add flags or
// arguments; numbers are written by the adapter, and times, which the
// language reads as bare words, are checked instead. A *bot.Error
// (EINVALID) explains what to fix.
func (s *SlashCommands) CommandLine(data discordgo.ApplicationCommandInteractionData) (string, error) {
	r, f, o, err := s.route(data)
	if err != nil {
		return "", err
	}
	line := "/" + r.cmd.Name
	if r.catchAll {
		if text := oneLine(o.str(f.Args[0].Name)); text != "" {
			line += " " + text
		}
		return line, nil
	}
	if f.Name != "" {
		line += " " + f.Name
	}
	for _, a := range f.Positional() {
		v, err := positional(a, o)
		if err != nil {
			return "", err
		}
		if v != "" {
			line += " " + v
		}
	}
	for _, a := range f.Flags() {
		v, err := flag(a, o)
		if err != nil {
			return "", err
		}
		line += v
	}
	return line, nil
}

// positional writes the value of a positional argument as the command
// language reads it, or "" when it is optional and absent.
func positional(a bot.Arg, o optionValues) (string, error) {
	if a.Kind == bot.KindInt {
		n, ok := o.int(a.Name)
		if !ok && a.Required {
			return "", missing(a.Name)
		}
		if !ok {
			return "", nil
		}
		return strconv.FormatInt(n, 10), nil
	}
	v := oneLine(o.str(a.Name))
	switch {
	case v == "" && a.Required:
		return "", missing(a.Name)
	case v == "":
		return "", nil
	case a.Repeated:
		var parts []string
		for _, c := range splitChoices(v) {
			parts = append(parts, quote(c))
		}
		if len(parts) < a.Min {
			return "", bot.Errorf(bot.EINVALID, "The %s: option needs at least %d values. Separate them with | or ;, e.g. Yes | No | Not sure.", a.Name, a.Min)
		}
		return strings.Join(parts, " "), nil
	case a.Kind == bot.KindTime:
		return bareValue(a.Name, v)
	}
	return quote(v), nil
}

// flag writes a --flag as the command language reads it, with a leading
// space, or "" when it is absent.
func flag(a bot.Arg, o optionValues) (string, error) {
	switch a.Kind {
	case bot.KindSwitch:
		if o.bool(a.Name) {
			return " --" + a.Name, nil
		}
		return "", nil
	case bot.KindInt:
		if n, ok := o.int(a.Name); ok {
			return fmt.Sprintf(" --%s %d", a.Name, n), nil
		}
		return "", nil
	}
	v := o.str(a.Name)
	if v == "" {
		return "", nil
	}
	if a.Kind == bot.KindTime {
		bare, err := bareValue(a.Name, v)
		return " --" + a.Name + " " + bare, err
	}
	return " --" + a.Name + " " + quote(oneLine(v)), nil
}

// Syntax writes form f of c as members use it with these slash commands,
// for /help and usage messages: "/polls results poll:<poll>". Forms of a
// command whose one option is free text are typed in that option.
func (s *SlashCommands) Syntax(c bot.Command, f bot.Form) string {
	for name, r := range s.routes {
		if r.cmd.Name != c.Name {
			continue
		}
		if r.catchAll {
			text := r.forms[0]
			if all, _ := c.CatchAll(); all.Name == f.Name {
				return "/" + name + " " + text.Args[0].Name + ":<" + text.Args[0].Name + ">"
			}
			return "/" + name + " " + all(c) + ":" + strings.TrimPrefix(bot.Syntax(c, f), "/"+c.Name+" ")
		}
		for _, rf := range r.forms {
			if rf.Name != f.Name {
				continue
			}
			parts := []string{"/" + name}
			if r.sub {
				parts = append(parts, f.Name)
			}
			for _, o := range options(f) {
				switch {
				case !o.Required:
					parts = append(parts, "["+o.Name+"]")
				case strings.HasSuffix(o.Description, "separated by | or ;"):
					parts = append(parts, o.Name+":<A | B | ...>")
				default:
					parts = append(parts, o.Name+":<"+o.Name+">")
				}
			}
			return strings.Join(parts, " ")
		}
	}
	return ""
}

// all names the free-text option of a command that has one.
func all(c bot.Command) string {
	f, _ := c.CatchAll()
	return f.Args[0].Name
}

// optionValues indexes a command's (or subcommand's) options by name.
type optionValues map[string]*discordgo.ApplicationCommandInteractionDataOption

// commandOptions returns the subcommand name (or "") and its options.
func commandOptions(data discordgo.ApplicationCommandInteractionData) (string, optionValues) {
	opts := data.Options
	sub := ""
	if len(opts) == 1 && (opts[0].Type == discordgo.ApplicationCommandOptionSubCommand || opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
		sub, opts = opts[0].Name, opts[0].Options
	}
	m := optionValues{}
	for _, o := range opts {
		m[o.Name] = o
	}
	return sub, m
}

// str returns a string option, trimmed; "" when absent or of another type.
func (o optionValues) str(name string) string {
	if v, ok := o[name]; ok {
		if s, ok := v.Value.(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// int returns an integer option and whether it was given.
func (o optionValues) int(name string) (int64, bool) {
	if v, ok := o[name]; ok {
		switch n := v.Value.(type) {
		case float64:
			return int64(n), true
		case string:
			i, err := strconv.ParseInt(n, 10, 64)
			return i, err == nil
		}
	}
	return 0, false
}

// bool returns a boolean option; false when absent.
func (o optionValues) bool(name string) bool {
	if v, ok := o[name]; ok {
		b, _ := v.Value.(bool)
		return b
	}
	return false
}

// focused returns the option a member is typing in, for autocomplete.
func (o optionValues) focused() (*discordgo.ApplicationCommandInteractionDataOption, bool) {
	for _, v := range o {
		if v.Focused {
			return v, true
		}
	}
	return nil, false
}

func missing(name string) error {
	return bot.Errorf(bot.EINVALID, "The %s: option is missing. Fill it in and try again.", name)
}

// suggestions answers autocomplete: the values the focused option's
// declaration lists that start with what the member typed, then those
// that contain it, at most Discord's 25.
func (s *SlashCommands) suggestions(data discordgo.ApplicationCommandInteractionData) []*discordgo.ApplicationCommandOptionChoice {
	out := []*discordgo.ApplicationCommandOptionChoice{}
	_, f, o, err := s.route(data)
	if err != nil {
		return out
	}
	typing, ok := o.focused()
	if !ok {
		return out
	}
	for _, a := range f.Args {
		if a.Name == typing.Name && a.Complete != nil {
			typed, _ := typing.Value.(string)
			return rankChoices(a.Complete(), typed)
		}
	}
	return out
}

// rankChoices orders the candidates that start with what the member typed
// before those that merely contain it, alphabetically within each group,
// dropping duplicates and values Discord cannot carry.
func rankChoices(candidates []string, typed string) []*discordgo.ApplicationCommandOptionChoice {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var prefix, inner []string
	seen := map[string]bool{}
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		l := strings.ToLower(c)
		if c == "" || seen[l] {
			continue
		}
		seen[l] = true
		switch {
		case strings.HasPrefix(l, typed):
			prefix = append(prefix, c)
		case strings.Contains(l, typed):
			inner = append(inner, c)
		}
	}
	byName := func(list []string) {
		sort.SliceStable(list, func(i, j int) bool { return strings.ToLower(list[i]) < strings.ToLower(list[j]) })
	}
	byName(prefix)
	byName(inner)
	out := []*discordgo.ApplicationCommandOptionChoice{}
	for _, c := range append(prefix, inner...) {
		if len(out) == maxChoices {
			break
		}
		if textLen(c) > maxChoiceLength {
			continue // a value Discord cannot carry; members can still type it
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
	}
	return out
}

// splitChoices splits a field holding several values: by "|" when the
// field contains one, otherwise by ";". Blank values are dropped.
func splitChoices(s string) []string {
	sep := choiceSeparators[1:]
	if strings.Contains(s, choiceSeparators[:1]) {
		sep = choiceSeparators[:1]
	}
	var out []string
	for _, c := range strings.Split(s, sep) {
		if c = oneLine(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// oneLine turns line breaks and tabs into spaces and trims the result:
// a command line is one line.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' {
			return ' '
		}
		return r
	}, s))
}

// quote returns s as one quoted argument of the command language, with
// backslashes and closing quotes escaped.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '\\' || bot.IsCloseQuote(r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// bareValue checks a value that the command language reads as unquoted
// words (a time): it may not contain quotes or words that start with a
// dash, which would end it and start another argument.
func bareValue(name, s string) (string, error) {
	s = strings.Join(strings.Fields(oneLine(s)), " ")
	if s == "" {
		return "", missing(name)
	}
	bad := strings.ContainsFunc(s, bot.IsQuote)
	for _, w := range strings.Fields(s) {
		if strings.HasPrefix(w, "--") || strings.HasPrefix(w, "—") || strings.HasPrefix(w, "–") {
			bad = true
		}
	}
	if bad {
		return "", bot.Errorf(bot.EINVALID, "The %s: option takes a time such as in 2h, Aug 31 or 2026-08-31 17:00, without quotes or --options.", name)
	}
	return s, nil
}

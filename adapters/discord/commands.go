package discord

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

// StewardPermission is the default member permission of the steward-only
// slash commands (/poll, /remind, /deadline): Discord shows them only to
// members with Manage Messages until a server admin grants them to a role
// (Server Settings → Integrations → Union Hall). It is a convenience, not
// the check: Union Hall still verifies steward status itself.
const StewardPermission int64 = discordgo.PermissionManageMessages

// Rules are the tally rules /poll open offers, as the core names them.
var pollRules = []string{"majority", "two-thirds", "coalition"}

func ptr[T any](v T) *T { return &v }

func opt(t discordgo.ApplicationCommandOptionType, name, desc string, required bool) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: t, Name: name, Description: desc, Required: required}
}

func pollOption(desc string) *discordgo.ApplicationCommandOption {
	o := opt(discordgo.ApplicationCommandOptionInteger, "poll", desc, true)
	o.MinValue = ptr(1.0)
	return o
}

func subcommand(name, desc string, options ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: options}
}

// Commands returns the slash commands Union Hall registers. Members' and
// stewards' commands are separate, because Discord applies a command's
// default permission to all of its subcommands:
//
//	/help [command:]                          /help [command]
//	/faq [question:]                          /faq <question>, or /faq topics without one
//	/vote poll: option:                       /vote <poll> <option>
//	/unit name:                               /unit <name>
//	/polls list | results poll:               /poll list, /poll results <poll>
//	/reminders                                /remind list
//	/deadlines                                /deadline list
//	/poll open question: options: [...]       /poll "Q" "A" "B" [--flags]   (stewards)
//	/poll close poll: | export poll:          /poll close|export <poll>     (stewards)
//	/remind add when: text: | delete id:      /remind add|delete ...        (stewards)
//	/deadline add name: when: [lead:]         /deadline add "<name>" <when> [--lead ...] (stewards)
func Commands() []*discordgo.ApplicationCommand {
	member := func(name, desc string, dm bool, options ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
		return &discordgo.ApplicationCommand{Name: name, Description: desc, Type: discordgo.ChatApplicationCommand, DMPermission: ptr(dm), Options: options}
	}
	steward := func(name, desc string, options ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
		c := member(name, desc, false, options...)
		c.DefaultMemberPermissions = ptr(StewardPermission)
		return c
	}
	question := opt(discordgo.ApplicationCommandOptionString, "question", "Your question about the agreement (leave empty to list the topics)", false)
	question.MaxLength = 1000
	helpCmd := opt(discordgo.ApplicationCommandOptionString, "command", "A command to explain, e.g. poll", false)
	helpCmd.MaxLength = 40
	voteOpt := opt(discordgo.ApplicationCommandOptionString, "option", "The option's number or its label", true)
	voteOpt.MaxLength = 200
	unitName := opt(discordgo.ApplicationCommandOptionString, "name", "Your union or bargaining unit", true)
	unitName.Autocomplete = true
	unitName.MaxLength = 100

	pq := opt(discordgo.ApplicationCommandOptionString, "question", "The question members vote on", true)
	pq.MaxLength = 300
	po := opt(discordgo.ApplicationCommandOptionString, "options", "The choices, separated by | or ; (e.g. Yes | No | Not sure)", true)
	po.MaxLength = 1500
	rule := opt(discordgo.ApplicationCommandOptionString, "rule", "How the result is judged (default: majority)", false)
	for _, r := range pollRules {
		rule.Choices = append(rule.Choices, &discordgo.ApplicationCommandOptionChoice{Name: r, Value: r})
	}
	maxOpt := opt(discordgo.ApplicationCommandOptionInteger, "max", "How many options each member may pick (default 1)", false)
	maxOpt.MinValue = ptr(1.0)
	maxOpt.MaxValue = 25
	closes := opt(discordgo.ApplicationCommandOptionString, "closes", "When voting ends: in 2h, Aug 31, or 2026-08-31 17:00", false)
	closes.MaxLength = 100

	when := opt(discordgo.ApplicationCommandOptionString, "when", "in 2h, Aug 31, 2026-08-31 17:00, or a cron spec such as 0 9 * * 1", true)
	when.MaxLength = 100
	text := opt(discordgo.ApplicationCommandOptionString, "text", "What the reminder says", true)
	text.MaxLength = 1500
	dname := opt(discordgo.ApplicationCommandOptionString, "name", "The deadline's name, e.g. Ratification vote", true)
	dname.MaxLength = 200
	dwhen := opt(discordgo.ApplicationCommandOptionString, "when", "The date and time, e.g. 2026-08-31 17:00", true)
	dwhen.MaxLength = 100
	lead := opt(discordgo.ApplicationCommandOptionString, "lead", "When to remind before it, e.g. 7d,1d,2h", false)
	lead.MaxLength = 100

	return []*discordgo.ApplicationCommand{
		member("help", "What Union Hall can do", true, helpCmd),
		member("faq", "Ask a question about the agreement", true, question),
		member("vote", "Vote in a straw poll", false, pollOption("The poll's number"), voteOpt),
		member("unit", "Say which union or bargaining unit you are in", true, unitName),
		member("polls", "See straw polls and their results", false,
			subcommand("list", "Open polls in this channel"),
			subcommand("results", "A poll's tally", pollOption("The poll's number"))),
		member("reminders", "Upcoming reminders and when they fire", true),
		member("deadlines", "Upcoming deadlines", true),
		steward("poll", "Stewards: open, close or export a straw poll",
			subcommand("open", "Open a straw poll in this channel", pq, po,
				opt(discordgo.ApplicationCommandOptionBoolean, "anonymous", "Secret ballot: no one can see who voted for what", false),
				opt(discordgo.ApplicationCommandOptionBoolean, "hidden", "Hide the tally until the poll closes", false),
				closes, rule, maxOpt,
				opt(discordgo.ApplicationCommandOptionBoolean, "multi", "Members may pick any number of options", false)),
			subcommand("close", "Close a poll", pollOption("The poll's number")),
			subcommand("export", "Export a poll's results as CSV, privately", pollOption("The poll's number"))),
		steward("remind", "Stewards: schedule or delete reminders",
			subcommand("add", "Schedule a reminder in this channel", when, text),
			subcommand("delete", "Delete a reminder", withMax(opt(discordgo.ApplicationCommandOptionString, "id", "The reminder's id (see /reminders)", true), 40))),
		steward("deadline", "Stewards: add a deadline with reminders before it",
			subcommand("add", "Add a deadline", dname, dwhen, lead)),
	}
}

func withMax(o *discordgo.ApplicationCommandOption, n int) *discordgo.ApplicationCommandOption {
	o.MaxLength = n
	return o
}

// options indexes a command's (or subcommand's) options by name.
type options map[string]*discordgo.ApplicationCommandInteractionDataOption

// commandOptions returns the subcommand name (or "") and its options.
func commandOptions(data discordgo.ApplicationCommandInteractionData) (string, options) {
	opts := data.Options
	sub := ""
	if len(opts) == 1 && (opts[0].Type == discordgo.ApplicationCommandOptionSubCommand || opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
		sub, opts = opts[0].Name, opts[0].Options
	}
	m := options{}
	for _, o := range opts {
		m[o.Name] = o
	}
	return sub, m
}

// str returns a string option, trimmed; "" when absent or of another type.
func (o options) str(name string) string {
	if v, ok := o[name]; ok {
		if s, ok := v.Value.(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// int returns an integer option and whether it was given.
func (o options) int(name string) (int64, bool) {
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
func (o options) bool(name string) bool {
	if v, ok := o[name]; ok {
		b, _ := v.Value.(bool)
		return b
	}
	return false
}

func missing(name string) error {
	return bot.Errorf(bot.EINVALID, "The %s: option is missing. Fill it in and try again.", name)
}

// commandLine builds the typed command equivalent to a slash command, so
// the core parses both the same way. Values that members typed are quoted
// (with quotes and backslashes escaped) wherever the command language
// reads a single argument, so they can never add flags or arguments;
// values that must stay unquoted (times, lead lists) are checked instead.
// A *bot.Error (EINVALID) explains what to fix.
func commandLine(data discordgo.ApplicationCommandInteractionData) (string, error) {
	sub, o := commandOptions(data)
	switch data.Name {
	case "help":
		name := strings.ToLower(strings.TrimPrefix(o.str("command"), "/"))
		if f := strings.Fields(name); len(f) > 0 {
			return "/help " + word(f[0]), nil
		}
		return "/help", nil
	case "faq":
		q := oneLine(o.str("question"))
		if q == "" {
			return "/faq topics", nil
		}
		return "/faq " + q, nil
	case "vote":
		poll, ok := o.int("poll")
		if !ok {
			return "", missing("poll")
		}
		choice := oneLine(o.str("option"))
		if choice == "" {
			return "", missing("option")
		}
		return fmt.Sprintf("/vote %d %s", poll, arg(choice)), nil
	case "unit":
		name := oneLine(o.str("name"))
		if name == "" {
			return "", missing("name")
		}
		return "/unit " + arg(name), nil
	case "polls":
		switch sub {
		case "list":
			return "/poll list", nil
		case "results":
			poll, ok := o.int("poll")
			if !ok {
				return "", missing("poll")
			}
			return fmt.Sprintf("/poll results %d", poll), nil
		}
	case "reminders":
		return "/remind list", nil
	case "deadlines":
		return "/deadline list", nil
	case "poll":
		switch sub {
		case "open":
			return pollOpenLine(o)
		case "close", "export":
			poll, ok := o.int("poll")
			if !ok {
				return "", missing("poll")
			}
			return fmt.Sprintf("/poll %s %d", sub, poll), nil
		}
	case "remind":
		switch sub {
		case "add":
			when, err := bareValue("when", o.str("when"))
			if err != nil {
				return "", err
			}
			text := oneLine(o.str("text"))
			if text == "" {
				return "", missing("text")
			}
			return "/remind add " + when + " " + quote(text), nil
		case "delete":
			id := oneLine(o.str("id"))
			if id == "" {
				return "", missing("id")
			}
			return "/remind delete " + arg(id), nil
		}
	case "deadline":
		if sub == "add" {
			name := oneLine(o.str("name"))
			if name == "" {
				return "", missing("name")
			}
			when, err := bareValue("when", o.str("when"))
			if err != nil {
				return "", err
			}
			line := "/deadline add " + quote(name) + " " + when
			if l := o.str("lead"); l != "" {
				lead := strings.Join(strings.Fields(l), "")
				if !leadPattern.MatchString(lead) {
					return "", bot.Errorf(bot.EINVALID, "The lead: option is a list of times before the deadline, separated by commas, such as 7d,1d,2h.")
				}
				line += " --lead " + lead
			}
			return line, nil
		}
	}
	return "", bot.Errorf(bot.EINVALID, "I don't know the command /%s %s any more. Type /help to see what I can do.", data.Name, sub)
}

var leadPattern = regexp.MustCompile(`^[0-9A-Za-z]+(,[0-9A-Za-z]+)*$`)

// pollOpenLine builds `/poll "Question?" "A" "B" [--flags]`.
func pollOpenLine(o options) (string, error) {
	q := oneLine(o.str("question"))
	if q == "" {
		return "", missing("question")
	}
	choices := splitChoices(o.str("options"))
	if len(choices) < 2 {
		return "", bot.Errorf(bot.EINVALID, "A poll needs at least two options. Separate them with | or ; in the options: field, e.g. Yes | No | Not sure.")
	}
	var b strings.Builder
	b.WriteString("/poll " + quote(q))
	for _, c := range choices {
		b.WriteString(" " + quote(c))
	}
	if o.bool("anonymous") {
		b.WriteString(" --anonymous")
	}
	if o.bool("hidden") {
		b.WriteString(" --hidden")
	}
	if o.bool("multi") {
		b.WriteString(" --multi")
	}
	if n, ok := o.int("max"); ok {
		fmt.Fprintf(&b, " --max %d", n)
	}
	if c := o.str("closes"); c != "" {
		when, err := bareValue("closes", c)
		if err != nil {
			return "", err
		}
		b.WriteString(" --closes " + when)
	}
	if r := o.str("rule"); r != "" {
		r = strings.ToLower(r)
		if !contains(pollRules, r) {
			return "", bot.Errorf(bot.EINVALID, "The rule: option is one of %s.", strings.Join(pollRules, ", "))
		}
		b.WriteString(" --rule " + r)
	}
	return b.String(), nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// splitChoices splits the options: field of /poll open. Choices are
// separated by "|" when the field contains one, otherwise by ";". Blank
// choices are dropped.
func splitChoices(s string) []string {
	sep := ";"
	if strings.Contains(s, "|") {
		sep = "|"
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

// looksLikeFlag reports whether a word would be read as a --flag.
func looksLikeFlag(w string) bool {
	return strings.HasPrefix(w, "-") || strings.HasPrefix(w, "—") || strings.HasPrefix(w, "–")
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

// arg returns s as one argument, quoted only when it has to be (white
// space, quotes, backslashes, or a leading dash), as a member would type
// it: "/vote 3 2" stays unquoted.
func arg(s string) string {
	if s == "" || looksLikeFlag(s) || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || bot.IsQuote(r) || r == '\\'
	}) {
		return quote(s)
	}
	return s
}

// word keeps only the letters, digits and dashes of s.
func word(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' {
			return r
		}
		return -1
	}, s)
}

// bareValue checks a value that the command language reads as unquoted
// words (a time after --closes, the <when> of /remind add): it may not
// contain quotes or words that start with a dash, which would end it and
// start another argument.
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

// unitChoices returns the autocomplete choices for /unit: the configured
// unit names that start with what the member typed, then those that
// contain it, at most 25.
func unitChoices(units []string, typed string) []*discordgo.ApplicationCommandOptionChoice {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var prefix, inner []string
	seen := map[string]bool{}
	for _, u := range units {
		u = strings.TrimSpace(u)
		l := strings.ToLower(u)
		if u == "" || seen[l] {
			continue
		}
		seen[l] = true
		switch {
		case strings.HasPrefix(l, typed):
			prefix = append(prefix, u)
		case strings.Contains(l, typed):
			inner = append(inner, u)
		}
	}
	sort.SliceStable(prefix, func(i, j int) bool { return strings.ToLower(prefix[i]) < strings.ToLower(prefix[j]) })
	sort.SliceStable(inner, func(i, j int) bool { return strings.ToLower(inner[i]) < strings.ToLower(inner[j]) })
	out := []*discordgo.ApplicationCommandOptionChoice{}
	for _, u := range append(prefix, inner...) {
		if len(out) == maxChoices {
			break
		}
		if textLen(u) > maxChoiceLength {
			continue // a value Discord cannot carry; members can still type it
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: u, Value: u})
	}
	return out
}

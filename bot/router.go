package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxMessageLength is the longest message text the Router accepts, in
// characters (Unicode code points); longer input is refused with a short
// explanation.
const MaxMessageLength = 10000

// MaxMessageBytes bounds the size of a message text in bytes, so that
// huge input is refused before it is read through. It is generous: any
// text of MaxMessageLength characters fits (a character takes at most 4
// bytes in UTF-8), so the character limit is the one members meet.
const MaxMessageBytes = 64 << 10

// Router parses the command language once and dispatches each Message to
// the Handler registered for its command, or to the fallback Handler for
// free text. It turns errors into replies: business errors are shown to the
// member privately, unexpected errors and panics are logged and the member
// sees a short apology. Router is itself a Handler and a Dispatcher.
//
// Register commands before the Router starts serving; it is not safe to
// register concurrently with dispatch.
type Router struct {
	commands map[string]Command
	aliases  map[string]string
	order    []string
	fallback Handler
	stewards StewardSet
	log      *slog.Logger
	// syntax writes each form as it is used on platforms whose own
	// command forms differ from the typed command language (Discord's
	// options, Slack's reserved names).
	syntax map[string]func(Command, Form) string
}

// NewRouter returns a Router that grants steward powers to the given IDs
// and logs to log (slog.Default when nil). It registers /help.
func NewRouter(stewards StewardSet, log *slog.Logger) *Router {
	if log == nil {
		log = slog.Default()
	}
	r := &Router{commands: map[string]Command{}, aliases: map[string]string{}, stewards: stewards, log: log}
	r.Register(Command{
		Name:    "help",
		Summary: "what the bot can do",
		Forms: []Form{
			{Summary: "list every command", Handler: HandlerFunc(r.serveHelp)},
			{
				Summary: "the forms of one command",
				Args:    []Arg{{Name: "command", Summary: "A command to explain, e.g. poll", Kind: KindText, Required: true, MaxLength: 40}},
				Handler: HandlerFunc(r.serveHelp),
			},
		},
	})
	return r
}

// Register adds a command. It panics when the declaration is unusable
// (no name, a name registered twice, a form without a handler, two
// implicit forms), which is a programming error found at start-up.
func (r *Router) Register(c Command) {
	c.Name = strings.ToLower(strings.TrimPrefix(c.Name, "/"))
	if err := c.validate(); err != nil {
		panic("bot: " + err.Error())
	}
	for _, n := range append([]string{c.Name}, c.Aliases...) {
		n = strings.ToLower(n)
		if _, dup := r.lookup(n); dup || n == "" {
			panic("bot: command name empty or registered twice: /" + n)
		}
	}
	for _, al := range c.Aliases {
		r.aliases[strings.ToLower(al)] = c.Name
	}
	r.commands[c.Name] = c
	r.order = append(r.order, c.Name)
}

// lookup finds a command by its name or one of its aliases.
func (r *Router) lookup(name string) (Command, bool) {
	if main, ok := r.aliases[name]; ok {
		name = main
	}
	c, ok := r.commands[name]
	return c, ok
}

// SetPlatformSyntax makes /help and usage messages on platform show each
// form as syntax writes it, for platforms whose own command forms differ
// from the typed language (Discord's slash-command options). A form
// written as "" is left out. Call it before the Router starts serving.
func (r *Router) SetPlatformSyntax(platform string, syntax func(Command, Form) string) {
	if r.syntax == nil {
		r.syntax = map[string]func(Command, Form) string{}
	}
	r.syntax[platform] = syntax
}

// syntaxFor returns how form f of c reads on platform, or "" when the
// platform has no such form.
func (r *Router) syntaxFor(platform string, c Command, f Form) string {
	if s := r.syntax[platform]; s != nil {
		return s(c, f)
	}
	return Syntax(c, f)
}

// Fallback sets the Handler for free text that is not a command, such as a
// question sent in a DM or with an @mention.
func (r *Router) Fallback(h Handler) { r.fallback = h }

// Commands returns the registered commands in registration order.
func (r *Router) Commands() []Command {
	out := make([]Command, 0, len(r.order))
	for _, n := range r.order {
		out = append(out, r.commands[n])
	}
	return out
}

// IsSteward reports whether u has steward powers.
func (r *Router) IsSteward(u User) bool {
	return u.PlatformSteward || r.stewards.Has(u.ID)
}

// Dispatch handles one message end to end: it never returns an error and
// never lets a panic escape.
func (r *Router) Dispatch(ctx context.Context, w ResponseWriter, m *Message) {
	req := &Request{Message: *m, Steward: r.IsSteward(m.User)}
	err := r.ServeBot(ctx, w, req)
	if err == nil {
		return
	}
	r.answerError(ctx, w, req, err)
}

// ServeBot parses req.Text and dispatches it. It returns the handler's
// error, with panics turned into internal errors.
func (r *Router) ServeBot(ctx context.Context, w ResponseWriter, req *Request) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in handler for %q: %v\n%s", req.Command, p, debug.Stack())
		}
	}()
	const tooLong = "That message is too long for me (%s characters; the limit is %d). Please ask a shorter question or split the command."
	if len(req.Text) > MaxMessageBytes {
		return Errorf(EINVALID, tooLong, "more than "+strconv.Itoa(MaxMessageBytes/utf8.UTFMax), MaxMessageLength)
	}
	if !utf8.ValidString(req.Text) {
		return Errorf(EINVALID, "That message has characters I can't read. Please type it again.")
	}
	if n := utf8.RuneCountInString(req.Text); n > MaxMessageLength {
		return Errorf(EINVALID, tooLong, strconv.Itoa(n), MaxMessageLength)
	}
	name, rest, isCmd := SplitCommand(req.Text)
	if !isCmd {
		req.Command, req.Raw = "", strings.TrimSpace(req.Text)
		if r.fallback == nil {
			return Errorf(EINVALID, "Commands start with a slash. Type /help to see what I can do.")
		}
		return r.fallback.ServeBot(ctx, w, req)
	}
	c, ok := r.lookup(name)
	if !ok {
		return Errorf(EINVALID, "I don't know the command /%s. Type /help to see what I can do.", Truncate(name, 40))
	}
	req.Command, req.Raw = c.Name, rest
	f, err := c.parse(req)
	if err != nil {
		return err
	}
	return f.Handler.ServeBot(ctx, w, req)
}

func (r *Router) answerError(ctx context.Context, w ResponseWriter, req *Request, err error) {
	code := ErrorCode(err)
	text := ErrorMessage(err)
	if code == EINTERNAL {
		r.log.ErrorContext(ctx, "handler failed", "command", req.Command, "platform", req.Platform, "err", err)
	} else {
		r.log.DebugContext(ctx, "request refused", "command", req.Command, "code", code)
		if c, ok := r.commands[req.Command]; ok && code == EINVALID {
			if usage := r.usageText(c, req.Platform, req.Steward); usage != "" {
				text += "\n" + usage
			}
		}
	}
	if werr := w.Reply(ctx, Reply{Text: text, Private: true, Thread: req.Thread}); werr != nil {
		r.log.ErrorContext(ctx, "could not send error reply", "command", req.Command, "err", werr)
	}
}

func (r *Router) usageText(c Command, platform string, steward bool) string {
	var b strings.Builder
	for _, f := range c.Forms {
		syntax := r.syntaxFor(platform, c, f)
		if f.Steward != "" && !steward || syntax == "" {
			continue
		}
		b.WriteString("\n  " + syntax)
	}
	if b.Len() == 0 {
		return ""
	}
	return "Usage:" + b.String()
}

// usageLines writes one help line per usage form of c on platform.
func (r *Router) usageLines(b *strings.Builder, c Command, platform string) {
	for _, f := range c.Forms {
		syntax := r.syntaxFor(platform, c, f)
		if syntax == "" {
			continue
		}
		b.WriteString("\n" + syntax + " - " + f.Summary)
		if f.Steward != "" {
			b.WriteString(" (stewards)")
		}
	}
}

func (r *Router) serveHelp(ctx context.Context, w ResponseWriter, req *Request) error {
	if words := strings.Fields(req.Arg("command")); len(words) > 0 {
		topic := strings.ToLower(strings.TrimPrefix(words[0], "/"))
		c, ok := r.lookup(topic)
		if !ok {
			return Errorf(EINVALID, "There is no command /%s. Type /help to see them all.", Truncate(topic, 40))
		}
		return w.Reply(ctx, Reply{Text: r.commandHelp(c, req.Platform), Private: true, Thread: req.Thread})
	}
	var b strings.Builder
	b.WriteString("Union Hall can do this:\n")
	names := append([]string(nil), r.order...)
	sort.SliceStable(names, func(i, j int) bool { return names[i] == "help" && names[j] != "help" })
	for _, n := range names {
		c := r.commands[n]
		r.usageLines(&b, c, req.Platform)
		if r.syntax[req.Platform] == nil {
			b.WriteString(aliasText(c))
		}
	}
	if r.fallback != nil {
		b.WriteString("\n\nYou can also just ask a question, in a direct message or by mentioning me.")
	}
	return w.Reply(ctx, Reply{Text: b.String(), Private: true, Thread: req.Thread})
}

func (r *Router) commandHelp(c Command, platform string) string {
	var b strings.Builder
	b.WriteString("/" + c.Name + " - " + c.Summary)
	r.usageLines(&b, c, platform)
	if r.syntax[platform] == nil {
		b.WriteString(aliasText(c))
	}
	return b.String()
}

// aliasText is the help line naming a command's aliases, or "".
func aliasText(c Command) string {
	if len(c.Aliases) == 0 {
		return ""
	}
	return "\n(/" + strings.Join(c.Aliases, ", /") + " works the same as /" + c.Name + ".)"
}

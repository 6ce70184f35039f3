package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord"
	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	slackadapter "github.com/unionhall/unionhall/adapters/slack"
	"github.com/unionhall/unionhall/bot"
)

// declared returns the commands the features declare, wired as on a real
// start.
func declared(t *testing.T) []bot.Command {
	t.Helper()
	a, _ := fuzzApp(t)
	return a.router.Commands()
}

// slashCommands returns the Discord form of the declared commands.
func slashCommands(t *testing.T) *discord.SlashCommands {
	t.Helper()
	s, err := discord.NewSlashCommands(declared(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// data builds the interaction data of a slash command.
func data(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordgo.ApplicationCommandInteractionData {
	return discordgo.ApplicationCommandInteractionData{Name: name, Options: opts}
}

// o and s build slash command options and subcommands, as Discord sends
// them.
var (
	o = discordtest.Opt
	s = discordtest.Sub
)

// TestDiscordCommandLines checks that Discord's slash commands, derived
// from the declarations, become the typed lines members would type.
func TestDiscordCommandLines(t *testing.T) {
	sc := slashCommands(t)
	for _, tc := range []struct {
		d    discordgo.ApplicationCommandInteractionData
		want string
	}{
		{data("help"), "/help"},
		{data("help", o("command", "/Poll please")), `/help "/Poll please"`},
		{data("faq", o("question", "What about\nraises?")), "/faq What about raises?"},
		{data("faq", o("question", "show pension")), "/faq show pension"},
		{data("faq"), "/faq"},
		{data("vote", o("poll", 12), o("option", "2")), `/vote 12 "2"`},
		{data("vote", o("poll", 12), o("option", "Not sure")), `/vote 12 "Not sure"`},
		{data("vote", o("poll", 12), o("option", "--hidden")), `/vote 12 "--hidden"`},
		{data("vote", o("poll", 12), o("option", "1 | 3"), o("only", true)), `/vote 12 "1" "3" --only`},
		{data("unit", o("name", "CEUI")), `/unit "CEUI"`},
		{data("unit", o("name", `State "Police"`)), `/unit "State \"Police\""`},
		{data("unit"), `/unit`},
		{data("polls", s("list")), "/poll list"},
		{data("polls", s("results", o("poll", 3))), "/poll results 3"},
		{data("reminders"), "/remind list"},
		{data("deadlines"), "/deadline list"},
		{data("poll", s("open", o("question", "Ratify?"), o("options", "Yes | No; maybe | ---"))), `/poll open "Ratify?" "Yes" "No; maybe" "---"`},
		{data("poll", s("open", o("question", "Ratify?"), o("options", "Yes;No"), o("anonymous", true), o("hidden", false),
			o("multi", true), o("max", 2), o("closes", " in  2h "), o("rule", "coalition"))),
			`/poll open "Ratify?" "Yes" "No" --anonymous --multi --max 2 --closes in 2h --rule "coalition"`},
		{data("poll", s("open", o("question", `Say "no" \ or --hidden`), o("options", `A "x";B`))), `/poll open "Say \"no\" \\ or --hidden" "A \"x\"" "B"`},
		{data("poll", s("close", o("poll", 4))), "/poll close 4"},
		{data("poll", s("export", o("poll", 4))), "/poll export 4"},
		{data("remind", s("add", o("when", "0 9 * * 1-5"), o("text", "Sign the card"))), `/remind add 0 9 * * 1-5 "Sign the card"`},
		{data("remind", s("delete", o("reminder", "R7"))), `/remind delete "R7"`},
		{data("deadline", s("add", o("name", "Ratification vote"), o("when", "2026-08-31 17:00"), o("lead", "7d,1d,2h"))), `/deadline add "Ratification vote" 2026-08-31 17:00 --lead "7d,1d,2h"`},
		{data("deadline", s("delete", o("deadline", "D2"))), `/deadline delete "D2"`},
	} {
		got, err := sc.CommandLine(tc.d)
		if err != nil || got != tc.want {
			t.Errorf("%s %v: got %q, %v; want %q", tc.d.Name, tc.d.Options, got, err, tc.want)
		}
	}
}

// TestDiscordCommandLinesParseBack checks the built lines with the core's
// own tokenizer and flag parser: member text stays one argument.
func TestDiscordCommandLinesParseBack(t *testing.T) {
	line, err := slashCommands(t).CommandLine(data("poll", s("open", o("question", `He said "stop" --hidden`), o("options", `“A” | B \ C | --rule x`), o("closes", "Aug 31"))))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := bot.SplitCommand(line)
	toks, err := bot.Tokenize(rest)
	if err != nil {
		t.Fatal(err)
	}
	pos, flags, err := bot.ParseFlags(toks, bot.FlagSpec{"closes": true, "rule": true, "hidden": false})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pos {
		got = append(got, p.Text)
	}
	if want := []string{"open", `He said "stop" --hidden`, `“A”`, `B \ C`, `--rule x`}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("positional = %q, want %q", got, want)
	}
	if len(flags) != 1 || flags["closes"] != "Aug 31" {
		t.Errorf("flags = %v, want only closes", flags)
	}
}

func TestDiscordCommandLineRefusesInjection(t *testing.T) {
	sc := slashCommands(t)
	for _, d := range []discordgo.ApplicationCommandInteractionData{
		data("poll", s("open", o("question", "Q"), o("options", "A|B"), o("closes", `in 2h --hidden`))),
		data("poll", s("open", o("question", "Q"), o("options", "A|B"), o("closes", `in 2h "Extra"`))),
		data("poll", s("open", o("question", "Q"), o("options", "A|B"), o("closes", `tomorrow —anonymous`))),
		data("poll", s("open", o("question", "Q"), o("options", "only one"))),
		data("poll", s("open", o("question", " "), o("options", "A|B"))),
		data("remind", s("add", o("when", `in 2h "x"`), o("text", "t"))),
		data("vote", o("option", "1")),
		data("poll", s("frobnicate")),
		data("nosuch"),
	} {
		line, err := sc.CommandLine(d)
		if err == nil || bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("%s %+v: got %q, %v; want an EINVALID error", d.Name, d.Options, line, err)
		}
	}
}

// TestDiscordCommandsMatchDeclarations checks the registered slash
// commands: members' and stewards' commands are separate, stewards' carry
// Manage Messages, every definition is valid for Discord, and every
// declared form is reachable from one of them and comes back as its typed
// form.
func TestDiscordCommandsMatchDeclarations(t *testing.T) {
	cmds := declared(t)
	sc, err := discord.NewSlashCommands(cmds)
	if err != nil {
		t.Fatal(err)
	}
	perms := map[string]*int64{}
	for _, c := range sc.Definitions() {
		perms[c.Name] = c.DefaultMemberPermissions
		checkDefinition(t, c)
	}
	for _, name := range []string{"help", "faq", "vote", "unit", "polls", "reminders", "deadlines"} {
		if p, ok := perms[name]; !ok || p != nil {
			t.Errorf("member command /%s: registered %v, default permission %v (want none)", name, ok, p)
		}
	}
	for _, name := range []string{"poll", "remind", "deadline"} {
		if p, ok := perms[name]; !ok || p == nil || *p != discord.StewardPermission {
			t.Errorf("steward command /%s: registered %v, default permission %v (want Manage Messages)", name, ok, p)
		}
	}
	if len(perms) != 10 {
		t.Errorf("registered %d commands, want 10", len(perms))
	}
	// Every form: fill in its required options, and the typed line must
	// name the same command and form.
	reached := map[string]bool{}
	for _, def := range sc.Definitions() {
		forms := []*discordgo.ApplicationCommandOption{{Name: "", Options: def.Options}}
		if len(def.Options) > 0 && def.Options[0].Type == discordgo.ApplicationCommandOptionSubCommand {
			forms = def.Options
		}
		for _, f := range forms {
			var opts []*discordgo.ApplicationCommandInteractionDataOption
			for _, op := range f.Options {
				if op.Required {
					opts = append(opts, sample(op))
				}
			}
			d := data(def.Name, opts...)
			if f.Name != "" {
				d = data(def.Name, s(f.Name, opts...))
			}
			line, err := sc.CommandLine(d)
			if err != nil {
				t.Errorf("/%s %s: %v", def.Name, f.Name, err)
				continue
			}
			name, rest, _ := bot.SplitCommand(line)
			word, _, _ := strings.Cut(rest, " ")
			reached[name+" "+word], reached[name] = true, true
		}
	}
	for _, c := range cmds {
		if _, ok := c.CatchAll(); ok {
			continue // its forms are typed in its one text option
		}
		for _, f := range c.Forms {
			key := c.Name + " " + f.Name
			if f.Name == "" {
				key = c.Name // a single form: any line of the command
			}
			if !reached[key] {
				t.Errorf("form /%s %s is not reachable from Discord (reached %v)", c.Name, f.Name, reached)
			}
			if sc.Syntax(c, f) == "" {
				t.Errorf("form /%s %s has no Discord help", c.Name, f.Name)
			}
		}
	}
}

// sample is a valid value for a required option.
func sample(op *discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandInteractionDataOption {
	switch {
	case op.Type == discordgo.ApplicationCommandOptionInteger:
		return o(op.Name, 1)
	case len(op.Choices) > 0:
		return o(op.Name, op.Choices[0].Value)
	case strings.Contains(op.Description, "separated by"):
		return o(op.Name, "Yes | No")
	case op.Name == "when":
		return o(op.Name, "in 2h")
	}
	return o(op.Name, "x")
}

// checkDefinition checks a slash command against Discord's rules.
func checkDefinition(t *testing.T, c *discordgo.ApplicationCommand) {
	t.Helper()
	if len(c.Name) > 32 || c.Description == "" || len([]rune(c.Description)) > 100 {
		t.Errorf("bad command %q", c.Name)
	}
	var check func(opts []*discordgo.ApplicationCommandOption)
	check = func(opts []*discordgo.ApplicationCommandOption) {
		if len(opts) > 25 {
			t.Errorf("/%s has %d options", c.Name, len(opts))
		}
		required := true
		for _, op := range opts {
			if len(op.Name) > 32 || op.Name != strings.ToLower(op.Name) || op.Description == "" || len([]rune(op.Description)) > 100 {
				t.Errorf("/%s option %q is invalid", c.Name, op.Name)
			}
			if op.Required && !required {
				t.Errorf("/%s: required option %q after an optional one", c.Name, op.Name)
			}
			if len(op.Choices) > 25 {
				t.Errorf("/%s option %q has %d choices", c.Name, op.Name, len(op.Choices))
			}
			required = required && op.Required
			check(op.Options)
		}
	}
	check(c.Options)
}

// TestUnitNamesReachPlatforms checks that the configured units are offered
// to platforms that suggest values (Discord's /unit autocomplete).
func TestUnitNamesReachPlatforms(t *testing.T) {
	for _, c := range declared(t) {
		for _, f := range c.Forms {
			for _, a := range f.Args {
				if c.Name == "unit" && a.Name == "name" {
					if names := a.Complete(); len(names) != 15 || names[0] == "" {
						t.Fatalf("unit names = %q, want the 15 example units", names)
					}
					return
				}
			}
		}
	}
	t.Fatal("no /unit name argument declared")
}

// TestSlackManifestMatchesDeclarations checks that `unionhall
// slack-manifest` lists every declared command under its Slack name, with
// every form in its usage hint.
func TestSlackManifestMatchesDeclarations(t *testing.T) {
	m, _ := runSlackManifest(t)
	hints := map[string]string{}
	for _, c := range m.Features.SlashCommands {
		hints[c.Command] = c.UsageHint
	}
	cmds := declared(t)
	if len(hints) != len(cmds) {
		t.Errorf("manifest has %d slash commands, want %d: %v", len(hints), len(cmds), hints)
	}
	for _, c := range cmds {
		name := "/" + slackadapter.CommandName(c)
		hint, ok := hints[name]
		if !ok {
			t.Errorf("no slash command %s for /%s", name, c.Name)
		}
		for _, f := range c.Forms {
			if form := strings.TrimSpace(strings.TrimPrefix(slackadapter.Syntax(c, f), name)); !strings.Contains(hint, form) {
				t.Errorf("%s usage hint %q lacks %q", name, hint, form)
			}
		}
	}
	if _, ok := hints["/remind"]; ok {
		t.Error("the manifest lists /remind, which Slack reserves")
	}
}

// TestAdaptersKnowNoFeature checks that the adapters' code names no
// feature command, option or rule: all they know of commands comes from
// the declarations. Slack's list of the names it reserves is a fact about
// Slack and is exempt.
func TestAdaptersKnowNoFeature(t *testing.T) {
	words := map[string]bool{}
	for _, c := range declared(t) {
		if c.Name == "help" {
			continue // the core's own command
		}
		words[c.Name], words[c.MembersName] = true, true
		for _, al := range c.Aliases {
			words[al] = true
		}
		for _, f := range c.Forms {
			for _, a := range f.Args {
				if a.Flag {
					words[a.Name] = true
				}
				for _, ch := range a.Choices {
					words[ch] = true
				}
			}
		}
	}
	delete(words, "")
	root := filepath.Join("..", "..", "adapters")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if v, ok := n.(*ast.ValueSpec); ok && slices.ContainsFunc(v.Names, func(id *ast.Ident) bool { return id.Name == "reservedCommands" }) {
				return false
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			s = strings.ToLower(strings.TrimLeft(s, "/-"))
			if words[s] {
				t.Errorf("%s names the feature word %q; take it from the declarations", fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

package discord

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot"
)

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

func TestCommandLines(t *testing.T) {
	for _, tc := range []struct {
		d    discordgo.ApplicationCommandInteractionData
		want string
	}{
		{data("help"), "/help"},
		{data("help", o("command", "/Poll please")), "/help poll"},
		{data("faq", o("question", "What about\nraises?")), "/faq What about raises?"},
		{data("faq"), "/faq topics"},
		{data("vote", o("poll", 12), o("option", "2")), "/vote 12 2"},
		{data("vote", o("poll", 12), o("option", "Not sure")), `/vote 12 "Not sure"`},
		{data("vote", o("poll", 12), o("option", "--hidden")), `/vote 12 "--hidden"`},
		{data("unit", o("name", "CEUI")), `/unit CEUI`},
		{data("unit", o("name", `State "Police"`)), `/unit "State \"Police\""`},
		{data("polls", s("list")), "/poll list"},
		{data("polls", s("results", o("poll", 3))), "/poll results 3"},
		{data("reminders"), "/remind list"},
		{data("deadlines"), "/deadline list"},
		{data("poll", s("open", o("question", "Ratify?"), o("options", "Yes | No; maybe | ---"))), `/poll "Ratify?" "Yes" "No; maybe" "---"`},
		{data("poll", s("open", o("question", "Ratify?"), o("options", "Yes;No"), o("anonymous", true), o("hidden", false),
			o("multi", true), o("max", 2), o("closes", " in  2h "), o("rule", "coalition"))),
			`/poll "Ratify?" "Yes" "No" --anonymous --multi --max 2 --closes in 2h --rule coalition`},
		{data("poll", s("open", o("question", `Say "no" \ or --hidden`), o("options", `A "x";B`))), `/poll "Say \"no\" \\ or --hidden" "A \"x\"" "B"`},
		{data("poll", s("close", o("poll", 4))), "/poll close 4"},
		{data("poll", s("export", o("poll", 4))), "/poll export 4"},
		{data("remind", s("add", o("when", "0 9 * * 1-5"), o("text", "Sign the card"))), `/remind add 0 9 * * 1-5 "Sign the card"`},
		{data("remind", s("delete", o("id", "7"))), "/remind delete 7"},
		{data("deadline", s("add", o("name", "Ratification vote"), o("when", "2026-08-31 17:00"), o("lead", "7d, 1d,2h"))), `/deadline add "Ratification vote" 2026-08-31 17:00 --lead 7d,1d,2h`},
	} {
		got, err := commandLine(tc.d)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.d.Name, got, err, tc.want)
		}
	}
}

// TestCommandLinesParseBack checks the built lines with the core's own
// tokenizer and flag parser: member text stays one argument.
func TestCommandLinesParseBack(t *testing.T) {
	line, err := commandLine(data("poll", s("open", o("question", `He said "stop" --hidden`), o("options", `“A” | B \ C | --rule x`), o("closes", "Aug 31"))))
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
	if want := []string{`He said "stop" --hidden`, `“A”`, `B \ C`, `--rule x`}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("positional = %q, want %q", got, want)
	}
	if len(flags) != 1 || flags["closes"] != "Aug 31" {
		t.Errorf("flags = %v, want only closes", flags)
	}
}

func TestCommandLineRefusesInjection(t *testing.T) {
	for _, d := range []discordgo.ApplicationCommandInteractionData{
		data("poll", s("open", o("question", "Q"), o("options", "A|B"), o("closes", `in 2h --hidden`))),
		data("poll", s("open", o("question", "Q"), o("options", "A|B"), o("closes", `in 2h "Extra"`))),
		data("poll", s("open", o("question", "Q"), o("options", "A|B"), o("closes", `tomorrow —anonymous`))),
		data("poll", s("open", o("question", "Q"), o("options", "A|B"), o("rule", "unanimous"))),
		data("poll", s("open", o("question", "Q"), o("options", "only one"))),
		data("poll", s("open", o("question", " "), o("options", "A|B"))),
		data("remind", s("add", o("when", `in 2h "x"`), o("text", "t"))),
		data("deadline", s("add", o("name", "N"), o("when", "Aug 31"), o("lead", "7d --x"))),
		data("vote", o("option", "1")),
		data("poll", s("frobnicate")),
		data("nosuch"),
	} {
		line, err := commandLine(d)
		if err == nil || bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("%s %+v: got %q, %v; want an EINVALID error", d.Name, d.Options, line, err)
		}
	}
}

func TestUnitChoices(t *testing.T) {
	units := []string{"State Police", "AFSCME Council 4", "statewide", "SEIU 1199", "state police", strings.Repeat("x", 101)}
	var names []string
	for _, c := range unitChoices(units, " sta") {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "State Police,statewide" {
		t.Errorf("choices = %v", names)
	}
	if n := len(unitChoices(units, "")); n != 4 {
		t.Errorf("%d choices for an empty prefix, want 4 (duplicates and over-long names dropped)", n)
	}
	many := make([]string, 40)
	for i := range many {
		many[i] = "Unit " + string(rune('A'+i))
	}
	if n := len(unitChoices(many, "unit")); n != maxChoices {
		t.Errorf("%d choices, want at most %d", n, maxChoices)
	}
}

func TestCommandDefinitionsAreValid(t *testing.T) {
	names := map[string]bool{}
	for _, c := range Commands() {
		if names[c.Name] || len(c.Name) > 32 || c.Description == "" || len(c.Description) > 100 {
			t.Errorf("bad command %q", c.Name)
		}
		names[c.Name] = true
		var check func(opts []*discordgo.ApplicationCommandOption)
		check = func(opts []*discordgo.ApplicationCommandOption) {
			if len(opts) > 25 {
				t.Errorf("/%s has %d options", c.Name, len(opts))
			}
			required := true
			for _, op := range opts {
				if len(op.Name) > 32 || op.Name != strings.ToLower(op.Name) || op.Description == "" || len(op.Description) > 100 {
					t.Errorf("/%s option %q is invalid", c.Name, op.Name)
				}
				if op.Required && !required {
					t.Errorf("/%s: required option %q after an optional one", c.Name, op.Name)
				}
				required = required && op.Required
				check(op.Options)
			}
		}
		check(c.Options)
	}
}

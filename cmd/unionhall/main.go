// Command unionhall runs the Union Hall chat bot.
//
// With no platform token configured it starts the terminal console on the
// embedded defaults; with Slack and/or Discord tokens it connects to them.
// Run "unionhall help" for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/unionhall/unionhall/adapters/console"
	"github.com/unionhall/unionhall/bot"
)

// subcommand is one of the program's subcommands: how it is called, what
// it does in one line, and the function that runs it.
type subcommand struct {
	// name is the word that selects it.
	name string
	// synopsis is its arguments, shown after "unionhall name".
	synopsis string
	// about says what it does, in one line for "unionhall help".
	about string
	// run runs it with the arguments after its name.
	run func(ctx context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error
}

// subcommands returns every subcommand, in the order "unionhall help"
// lists them. Adding a subcommand is adding one line here.
func subcommands() []subcommand {
	return []subcommand{
		{"run", "", "run the bot: the console when no platform token is set", cmdRun},
		{"console", "[--json] [--user NAME]", "the terminal console (reads lines from stdin)", cmdConsole},
		{"doctor", "", "check the settings, database and platform tokens without starting the bot", cmdDoctor},
		{"init", "[--union NAME] [--units \"A,B\"] [--deadline 2027-03-31] [--deadline-title TITLE] [--timezone ZONE] [--platform console|slack|discord] [--yes] [--force] [DIR]", "write a starter .env, units.yaml and deadlines.yaml into DIR", cmdInit},
		{"ask", "[--json] [\"question\"]", "answer a question from the knowledge base", cmdAsk},
		{"faq", "eval FILE.tsv|--validation [--baseline] [--typos] | train [DIR]", "measure the FAQ answers, or train the FAQ classifier", cmdFAQ},
		{"backup", "FILE", "copy the SQLite database to a new FILE, also while the bot runs", cmdBackup},
		{"migrate", "--from unionhall.db --to postgres://...", "copy a SQLite installation into an empty PostgreSQL database and check the row counts", withoutEnv(cmdMigrate)},
		{"restore", "FILE", "put the backup FILE in place of the SQLite database (bot stopped)", cmdRestore},
		{"remind-accuracy", "[--n 20] [--ahead 2s] [--spread 3s] [--max 1s]", "measure how close to their time reminders are posted", withoutEnv(cmdRemindAccuracy)},
		{"roster", "import FILE.csv", "replace the union's roster (which unit each member is in) with a CSV file", cmdRoster},
		{"slack-manifest", "[--url https://host] [--name NAME]", "print the Slack app manifest", cmdSlackManifest},
		{"version", "", "print the version, commit and build date", cmdVersion},
		{"help", "[COMMAND]", "list the commands, or show one command's usage", cmdHelp},
	}
}

// withoutEnv adapts a subcommand that reads no configuration.
func withoutEnv(f func(context.Context, []string, stdio) error) func(context.Context, []string, stdio, func(string) (string, bool)) error {
	return func(ctx context.Context, args []string, std stdio, _ func(string) (string, bool)) error {
		return f(ctx, args, std)
	}
}

// findSubcommand returns the subcommand called name.
func findSubcommand(name string) (subcommand, bool) {
	for _, c := range subcommands() {
		if c.name == name {
			return c, true
		}
	}
	return subcommand{}, false
}

// configNote ends every usage text.
const configNote = "Configuration comes from environment variables and an optional .env file in\nthe working directory; see .env.example.\n"

// usage returns the program's whole usage: every subcommand with its one
// line.
func usage() string {
	var b strings.Builder
	b.WriteString("Union Hall: a chat bot for union members.\n\nUsage: unionhall [COMMAND] [ARGUMENTS]\n\nCommands (run is the default):\n")
	for _, c := range subcommands() {
		fmt.Fprintf(&b, "  %-16s %s\n", c.name, c.about)
	}
	b.WriteString("\nRun \"unionhall help COMMAND\" or \"unionhall COMMAND --help\" for a command's usage.\n\n" + configNote)
	return b.String()
}

// usageOf returns one subcommand's usage.
func usageOf(c subcommand) string {
	line := "unionhall " + c.name
	if c.name == "run" {
		line = "unionhall [run]"
	}
	if c.synopsis != "" {
		line += " " + c.synopsis
	}
	return "Usage:\n  " + line + "\n\n" + strings.ToUpper(c.about[:1]) + c.about[1:] + ".\n\n" + configNote
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

// stdio bundles a command's standard streams.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// run is the whole program, with its environment passed in so tests can
// run it end to end. It returns the exit code.
func run(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer, lookupEnv func(string) (string, bool)) int {
	std := stdio{in: in, out: out, err: errOut}
	name, named := "run", len(args) > 0 && !strings.HasPrefix(args[0], "-")
	if named {
		name, args = args[0], args[1:]
	}
	cmd, ok := findSubcommand(name)
	if !ok {
		fmt.Fprintf(errOut, "unionhall: unknown command %q\n\n%s", name, usage())
		return 2
	}
	if wantsHelp(args) {
		if named && name != "help" {
			fmt.Fprint(out, usageOf(cmd))
		} else {
			fmt.Fprint(out, usage())
		}
		return 0
	}
	err := cmd.run(ctx, args, std, lookupEnv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errReported) {
		return 1
	}
	if err != nil {
		fmt.Fprintln(errOut, "unionhall:", fullStop(err))
		return 1
	}
	return 0
}

// errReported is returned by a subcommand that has already told the user
// what went wrong and only needs the program to exit 1.
var errReported = errors.New("reported")

// wantsHelp reports whether the arguments ask for help: -h, -help or
// --help anywhere among them, as every subcommand accepts.
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

// cmdHelp prints the whole usage, or one subcommand's.
func cmdHelp(_ context.Context, args []string, std stdio, _ func(string) (string, bool)) error {
	if len(args) == 0 {
		fmt.Fprint(std.out, usage())
		return nil
	}
	c, ok := findSubcommand(args[0])
	if !ok {
		return fmt.Errorf("there is no command %q; \"unionhall help\" lists them", args[0])
	}
	fmt.Fprint(std.out, usageOf(c))
	return nil
}

// cmdVersion prints the version, the commit and the build date.
func cmdVersion(_ context.Context, _ []string, std stdio, _ func(string) (string, bool)) error {
	fmt.Fprint(std.out, currentBuild())
	return nil
}

// setup loads the configuration and builds the app.
func setup(ctx context.Context, std stdio, cfg config, quiet bool) (*app, error) {
	level := cfg.LogLevel
	if quiet && cfg.vars.get("UNIONHALL_LOG_LEVEL") == "" {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: level}))
	return newApp(ctx, cfg, log, bot.SystemClock{})
}

// noPlatformService is why a service without a platform token stops.
const noPlatformService = "Union Hall is running as a service, but no platform is configured: set SLACK_BOT_TOKEN (with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET) or DISCORD_TOKEN in its settings file (/etc/unionhall/unionhall.env for the Debian package), check them with \"unionhall doctor\", and start it again; \"unionhall console\" tries the bot in a terminal."

func cmdRun(ctx context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(std.err)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := configFrom(lookupEnv)
	if err != nil {
		return err
	}
	if len(cfg.platforms()) == 0 {
		if _, service := lookupEnv("INVOCATION_ID"); service {
			// systemd sets INVOCATION_ID: a service has no terminal, so
			// the console would read nothing and stop as if all were well.
			return errors.New(noPlatformService)
		}
		return serveConsole(ctx, std, cfg, false, "member")
	}
	if err := cfg.checkPlatforms(); err != nil {
		return err
	}
	cfg.live = true
	a, err := setup(ctx, std, cfg, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.exampleData() {
		a.log.Warn(exampleDataWarning + "; until then, polls count the example units and no deadline reminders are posted")
	}
	a.pruneCardLocations(ctx)
	adapters, err := a.platformAdapters()
	if err != nil {
		return err
	}
	a.log.Info("Union Hall started", "version", currentBuild().Version, "platforms", cfg.platforms(), "db", cfg.DBPath)
	return a.serve(ctx, adapters...)
}

// platformAdapters builds the adapters for the configured platform tokens.
// Each platform's wiring lives in its own platform_*.go file.
func (a *app) platformAdapters() ([]bot.Adapter, error) {
	var out []bot.Adapter
	for _, build := range []func() (bot.Adapter, error){a.slackAdapter, a.discordAdapter} {
		ad, err := build()
		if err != nil {
			return nil, err
		}
		if ad != nil {
			out = append(out, ad)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("platforms %v are configured, but none could be started", a.cfg.platforms())
	}
	return out, nil
}

func cmdConsole(ctx context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error {
	fs := flag.NewFlagSet("console", flag.ContinueOnError)
	fs.SetOutput(std.err)
	jsonOut := fs.Bool("json", false, "print every reply as one JSON object per line")
	user := fs.String("user", "member", "the member that lines without a \"name> \" prefix speak as")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := configFrom(lookupEnv)
	if err != nil {
		return err
	}
	return serveConsole(ctx, std, cfg, *jsonOut, *user)
}

// serveConsole runs the terminal console on cfg.
func serveConsole(ctx context.Context, std stdio, cfg config, jsonOut bool, user string) error {
	a, err := setup(ctx, std, cfg, true)
	if err != nil {
		return err
	}
	defer a.Close()
	opts := console.Options{JSON: jsonOut, DefaultUser: user, Notice: cfg.consoleNotice()}
	c := console.New(std.in, std.out, opts)
	if tty, ok := std.in.(*os.File); ok && !jsonOut && isTerminal(tty) {
		// A member at a terminal: line editing, history, and output
		// above the prompt.
		if c, err = console.NewTerminal(tty, std.out, opts); err != nil {
			return err
		}
	}
	return a.serve(ctx, c)
}

// consoleNotice is the line the console's banner adds about the data it
// runs on: a warning when it is the example data.
func (c config) consoleNotice() string {
	if !c.exampleData() {
		return ""
	}
	return "This is example data: units and a deadline from the 2011 SEBAC news reports. " +
		"Run \"unionhall init\" to write your own."
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

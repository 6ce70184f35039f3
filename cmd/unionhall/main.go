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

const usage = `Union Hall: a chat bot for union members.

Usage:
  unionhall [run]            run the bot: the console when no platform token is
                             set, otherwise the configured platforms
  unionhall console [--json] [--user NAME]
                             the terminal console (reads lines from stdin)
  unionhall remind-accuracy [--n 20] [--ahead 2s] [--spread 3s]
                             measure how close to their time reminders are
                             posted (a temporary database; the real clock)
  unionhall ask [--json] ["question"]
                             answer a question from the knowledge base; with
                             --json, answer each line of stdin as JSON
  unionhall faq eval FILE.tsv|--validation [--baseline]
                             measure the answers on labelled questions
                             (P@1, MRR, false answers), beside plain BM25
  unionhall faq train [DIR]  train the FAQ classifier on a knowledge base
                             directory and store it there
  unionhall slack-manifest [--url https://host] [--name NAME]
                             print the Slack app manifest (Socket Mode; with
                             --url, HTTP mode behind that public address)
  unionhall version          print the version, commit and build date
  unionhall help             this text

Configuration comes from environment variables and an optional .env file in
the working directory; see .env.example.
`

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
	cmd, named := "run", len(args) > 0 && !strings.HasPrefix(args[0], "-")
	if named {
		cmd, args = args[0], args[1:]
	}
	if wantsHelp(args) {
		fmt.Fprint(out, helpFor(cmd, !named))
		return 0
	}
	var err error
	switch cmd {
	case "run":
		err = cmdRun(ctx, args, std, lookupEnv)
	case "console":
		err = cmdConsole(ctx, args, std, lookupEnv)
	case "remind-accuracy":
		err = cmdRemindAccuracy(ctx, args, std)
	case "ask":
		err = cmdAsk(ctx, args, std, lookupEnv)
	case "faq":
		err = cmdFAQ(ctx, args, std, lookupEnv)
	case "slack-manifest":
		err = cmdSlackManifest(ctx, args, std, lookupEnv)
	case "version":
		fmt.Fprint(out, currentBuild())
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
	default:
		fmt.Fprintf(errOut, "unionhall: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(errOut, "unionhall:", err)
		return 1
	}
	return 0
}

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

// helpFor returns the usage of one subcommand, taken from the usage text
// so that each is written once, or the whole usage when whole is set or
// cmd is not a subcommand.
func helpFor(cmd string, whole bool) string {
	if whole {
		return usage
	}
	var b strings.Builder
	in := false
	for _, line := range strings.Split(usage, "\n") {
		switch {
		case strings.HasPrefix(line, "  unionhall "+cmd+" ") || line == "  unionhall "+cmd ||
			cmd == "run" && strings.HasPrefix(line, "  unionhall [run]"):
			in = true
		case !strings.HasPrefix(line, "    "):
			in = false
		}
		if in {
			b.WriteString(line + "\n")
		}
	}
	if b.Len() == 0 {
		return usage
	}
	return "Usage:\n" + b.String() + "\nConfiguration comes from environment variables and an optional .env file in\nthe working directory; see .env.example.\n"
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
		return serveConsole(ctx, std, cfg, false, "member")
	}
	if err := cfg.checkPlatforms(); err != nil {
		return err
	}
	a, err := setup(ctx, std, cfg, false)
	if err != nil {
		return err
	}
	defer a.Close()
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
	c := console.New(std.in, std.out, console.Options{
		JSON:        jsonOut,
		DefaultUser: user,
		Interactive: !jsonOut && isTerminal(std.in),
	})
	return a.serve(ctx, c)
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

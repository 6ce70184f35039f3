package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	slackadapter "github.com/unionhall/unionhall/adapters/slack"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// rosterUse is the roster subcommand's usage.
const rosterUse = "usage: unionhall roster import FILE.csv"

// maxRosterProblemsShown bounds the lines listed as unusable; the count is
// always given.
const maxRosterProblemsShown = 50

// cmdRoster runs "unionhall roster import FILE.csv": it reads the roster,
// replaces the stored one with the lines it can use in one transaction,
// and lists the lines it could not use. Emails are looked up on Slack
// when a bot token is configured.
func cmdRoster(ctx context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error {
	if len(args) != 2 || args[0] != "import" {
		return errors.New(rosterUse)
	}
	cfg, err := configFrom(lookupEnv)
	if err != nil {
		return err
	}
	units, err := cfg.loadUnits()
	if err != nil {
		return err
	}
	f, err := os.Open(args[1])
	if err != nil {
		return fmt.Errorf("roster import: %w", err)
	}
	defer f.Close()
	entries, problems, err := polls.ParseRoster(ctx, f, units, cfg.emailResolver())
	if err != nil {
		return fmt.Errorf("roster import %s: %w", args[1], err)
	}
	if len(entries) == 0 {
		printRosterProblems(std, problems)
		return fmt.Errorf("roster import %s: no line could be used, so the roster is unchanged", args[1])
	}
	clock := bot.SystemClock{}
	stores, closeDB, err := openStore(ctx, cfg.DBPath, clock)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := stores.Roster.ReplaceRoster(ctx, entries); err != nil {
		return err
	}
	sizes, err := stores.Roster.RosterSizes(ctx)
	if err != nil {
		return err
	}
	people := 0
	var parts []string
	for _, u := range slices.Sorted(maps.Keys(sizes)) {
		people += sizes[u]
		parts = append(parts, fmt.Sprintf("%s %d", u, sizes[u]))
	}
	summary := fmt.Sprintf("%d members in %d units (%s)", people, len(sizes), strings.Join(parts, ", "))
	if len(problems) > 0 {
		summary += fmt.Sprintf("; %s not used", bot.Plural(len(problems), "line"))
	}
	// Every poll's audit trail shows the roster imports that decided who
	// could vote in it.
	operator, _ := lookupEnv("USER")
	entry := polls.RosterImportEntry(clock.Now(), "cli:"+cmp.Or(operator, "unknown"), summary+", from "+filepath.Base(args[1]))
	if err := stores.Polls.AddAudit(ctx, entry); err != nil {
		return fmt.Errorf("the roster was replaced, but recording the import in the polls' audit trail failed: %w", err)
	}
	fmt.Fprintf(std.out, "The roster now has %s; it replaces the previous roster.\n", strings.Split(summary, ";")[0])
	printRosterProblems(std, problems)
	return nil
}

// printRosterProblems lists the lines of a roster that were not used.
func printRosterProblems(std stdio, problems []polls.RosterProblem) {
	if len(problems) == 0 {
		return
	}
	fmt.Fprintf(std.out, "%s could not be used:\n", bot.Plural(len(problems), "line"))
	for i, p := range problems {
		if i == maxRosterProblemsShown {
			fmt.Fprintf(std.out, "  ... and %d more\n", len(problems)-i)
			break
		}
		fmt.Fprintf(std.out, "  %s\n", p)
	}
}

// emailResolver returns how a roster's emails are looked up: on Slack
// (users.lookupByEmail) when a bot token is configured, otherwise nowhere.
func (c config) emailResolver() polls.EmailResolver {
	if c.SlackBotToken == "" {
		return nil
	}
	return slackadapter.NewEmailDirectory(c.SlackBotToken, c.SlackAPIURL)
}

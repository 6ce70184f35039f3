package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
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
	stores, closeDB, err := openStore(ctx, cfg.DBPath, bot.SystemClock{})
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
	fmt.Fprintf(std.out, "The roster now has %d members in %d units (%s); it replaces the previous roster.\n", people, len(sizes), strings.Join(parts, ", "))
	printRosterProblems(std, problems)
	return nil
}

// printRosterProblems lists the lines of a roster that were not used.
func printRosterProblems(std stdio, problems []polls.RosterProblem) {
	if len(problems) == 0 {
		return
	}
	fmt.Fprintf(std.out, "%d lines could not be used:\n", len(problems))
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

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/unionhall/unionhall/adapters/discord"
	slackadapter "github.com/unionhall/unionhall/adapters/slack"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/sqlite"
)

// doctorTimeout bounds the whole check, so an unreachable platform is
// reported rather than waited on.
const doctorTimeout = 30 * time.Second

// cmdDoctor checks the configuration without starting the bot: the
// settings and data files, the database, each configured platform's
// tokens and permissions, and the announcement channels. It prints one
// line per check, each problem with how to fix it, then a summary, and
// exits 1 when there is any problem. It writes nothing.
func cmdDoctor(ctx context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error {
	flags := flag.NewFlagSet("doctor", flag.ContinueOnError)
	flags.SetOutput(std.err)
	if err := flags.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	findings := diagnose(ctx, lookupEnv, bot.SystemClock{})
	problems := 0
	for _, f := range findings {
		mark := "ok     "
		if f.Problem {
			mark = "PROBLEM"
			problems++
		}
		fmt.Fprintf(std.out, "%s %s\n", mark, f.Text)
	}
	switch problems {
	case 0:
		fmt.Fprintf(std.out, "All %d checks passed: Union Hall is ready to run.\n", len(findings))
		return nil
	case 1:
		fmt.Fprintln(std.out, "1 problem found; fix it and run \"unionhall doctor\" again.")
	default:
		fmt.Fprintf(std.out, "%d problems found; fix them and run \"unionhall doctor\" again.\n", problems)
	}
	return errReported
}

// diagnose runs every check in the order a steward fixes things: the
// settings first, as nothing else can be checked without them.
func diagnose(ctx context.Context, lookupEnv func(string) (string, bool), clock bot.Clock) []bot.Finding {
	cfg, err := configFrom(lookupEnv)
	if err != nil {
		return []bot.Finding{bot.ToFix("%s", sentence(err))}
	}
	out := []bot.Finding{bot.Fine("Settings: read; time zone %s.", cfg.Location)}
	out = append(out, cfg.checkFiles(clock.Now())...)
	out = append(out, checkDatabase(ctx, cfg.DBPath))
	if len(cfg.platforms()) == 0 {
		return append(out, bot.Fine("No platform token is set: \"unionhall run\" starts the console."))
	}
	if err := cfg.checkPlatforms(); err != nil {
		return append(out, bot.ToFix("%s", sentence(err)))
	}
	if cfg.exampleData() {
		out = append(out, bot.ToFix("%s.", exampleDataWarning))
	}
	if cfg.SlackBotToken != "" {
		opts, _ := cfg.slackOptions() // checked by checkPlatforms
		out = append(out, slackadapter.Check(ctx, opts)...)
	}
	if cfg.DiscordToken != "" {
		opts, _ := cfg.discordOptions()
		out = append(out, discord.Check(ctx, opts)...)
	}
	return out
}

// checkFiles checks each feature's settings and data files.
func (c config) checkFiles(now time.Time) []bot.Finding {
	if _, err := c.loadFeatureFiles(now); err != nil {
		return []bot.Finding{bot.ToFix("%s", sentence(err))}
	}
	if c.exampleData() {
		return []bot.Finding{bot.Fine("Data files: none set, so the example units (and, in the console, the example deadline) are used.")}
	}
	return []bot.Finding{bot.Fine("Data files: the knowledge base, units and deadlines files read without errors.")}
}

// checkDatabase checks that the database can be opened and that this
// version of Union Hall can use its schema, without creating or changing
// it.
func checkDatabase(ctx context.Context, dsn string) bot.Finding {
	var applied int
	var known []store.Migration
	var err error
	if isPostgresURL(dsn) {
		applied, known, err = postgres.Inspect(ctx, dsn)
		dsn = "the PostgreSQL database"
	} else {
		if _, statErr := os.Stat(dsn); errors.Is(statErr, fs.ErrNotExist) {
			dir := filepath.Dir(dsn)
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return bot.ToFix("UNIONHALL_DB: the directory %s does not exist: create it, or set UNIONHALL_DB to a path in an existing directory.", dir)
			}
			return bot.Fine("Database %s does not exist yet: it will be created on the first run.", dsn)
		}
		applied, known, err = sqlite.Inspect(ctx, dsn)
	}
	if err != nil {
		return bot.ToFix("UNIONHALL_DB: %s", sentence(err))
	}
	if err := store.CheckNotNewer(dsn, applied, known); err != nil {
		return bot.ToFix("%s", sentence(err))
	}
	if latest := store.LatestVersion(known); applied < latest {
		return bot.Fine("Database %s: schema %d; the next start upgrades it to %d.", dsn, applied, latest)
	}
	return bot.Fine("Database %s: schema %d, current.", dsn, applied)
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	slackadapter "github.com/unionhall/unionhall/adapters/slack"
	"github.com/unionhall/unionhall/bot"
)

// cmdSlackManifest prints the Slack app manifest: for Socket Mode, or with
// --url for HTTP mode behind that public address. Its slash commands are
// those the features declare, so the manifest always matches the bot.
func cmdSlackManifest(ctx context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error {
	fs := flag.NewFlagSet("slack-manifest", flag.ContinueOnError)
	fs.SetOutput(std.err)
	base := fs.String("url", "", "public https address of the HTTP mode server (e.g. https://hall.example.org); empty for Socket Mode")
	name := fs.String("name", "", "the app's name in Slack (default \"Union Hall\", at most 35 characters)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("slack-manifest: unexpected argument %q (use --url and --name)", fs.Arg(0))
	}
	cmds, err := declaredCommands(ctx, lookupEnv)
	if err != nil {
		return fmt.Errorf("slack-manifest: %w", err)
	}
	out, err := slackadapter.Manifest(cmds, *name, *base)
	if err != nil {
		return fmt.Errorf("slack-manifest: %w", err)
	}
	_, err = std.out.Write(out)
	return err
}

// declaredCommands returns the commands the features declare under the
// current configuration, without touching the configured database: the
// features are wired on a scratch database that is removed afterwards.
func declaredCommands(ctx context.Context, lookupEnv func(string) (string, bool)) ([]bot.Command, error) {
	cfg, err := configFrom(lookupEnv)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "unionhall-commands-")
	if err != nil {
		return nil, fmt.Errorf("scratch database: %w", err)
	}
	defer os.RemoveAll(dir)
	cfg.DBPath = filepath.Join(dir, "scratch.db")
	a, err := newApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), bot.SystemClock{})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return a.router.Commands(), nil
}

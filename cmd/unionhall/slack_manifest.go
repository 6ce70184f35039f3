package main

import (
	"flag"
	"fmt"

	slackadapter "github.com/unionhall/unionhall/adapters/slack"
)

// cmdSlackManifest prints the Slack app manifest: for Socket Mode, or with
// --url for HTTP mode behind that public address.
func cmdSlackManifest(args []string, std stdio) error {
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
	out, err := slackadapter.Manifest(*name, *base)
	if err != nil {
		return fmt.Errorf("slack-manifest: %w", err)
	}
	_, err = std.out.Write(out)
	return err
}

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord"
	slackadapter "github.com/unionhall/unionhall/adapters/slack"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// TestNewPollOptionReachesEveryPlatform shows that adding an option to
// /poll is a change to its declaration in polls/ alone: an option added
// there is parsed and checked by the Router, listed by /help, registered
// on Discord and translated back from it, and listed in the Slack
// manifest, with no other code changed.
func TestNewPollOptionReachesEveryPlatform(t *testing.T) {
	var cmds []bot.Command
	var got int64 = -1
	for _, c := range declared(t) {
		if c.Name == "poll" {
			c.Forms = append([]bot.Form(nil), c.Forms...)
			open := &c.Forms[0]
			open.Args = append(append([]bot.Arg(nil), open.Args...),
				bot.Arg{Name: "quorum", Summary: "Ballots needed for the result to count", Kind: bot.KindInt, Flag: true, Min: 1, Max: 100000})
			open.Handler = bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, r *bot.Request) error {
				got = r.Int("quorum")
				return nil
			})
		}
		cmds = append(cmds, c)
	}
	router := bot.NewRouter(bot.StewardSet{"console:steward": true}, bottest.DiscardLogger())
	for _, c := range cmds {
		if c.Name != "help" {
			router.Register(c)
		}
	}

	// Typed, and checked.
	rec := &bottest.Recorder{}
	router.Dispatch(context.Background(), rec, bottest.Message("steward", `/poll "Q?" "A" "B" --quorum 250`))
	if got != 250 {
		t.Errorf("the handler read quorum %d, want 250 (replies %q)", got, rec.Text())
	}
	rec = &bottest.Recorder{}
	router.Dispatch(context.Background(), rec, bottest.Message("steward", `/poll "Q?" "A" "B" --quorum lots`))
	if !strings.Contains(rec.Text(), "--quorum takes a whole number") {
		t.Errorf("a bad quorum got %q", rec.Text())
	}
	rec = &bottest.Recorder{}
	router.Dispatch(context.Background(), rec, bottest.Message("member", "/help poll"))
	if !strings.Contains(rec.Text(), "[--quorum <quorum>]") {
		t.Errorf("/help poll lacks the option: %q", rec.Text())
	}

	// Discord: registered, and translated back.
	sc, err := discord.NewSlashCommands(router.Commands())
	if err != nil {
		t.Fatal(err)
	}
	line, err := sc.CommandLine(data("poll", s("open", o("question", "Q?"), o("options", "A|B"), o("quorum", 250))))
	if err != nil || line != `/poll open "Q?" "A" "B" --quorum 250` {
		t.Errorf("Discord line = %q, %v", line, err)
	}
	found := false
	for _, def := range sc.Definitions() {
		for _, sub := range def.Options {
			for _, op := range sub.Options {
				found = found || def.Name == "poll" && sub.Name == "open" && op.Name == "quorum" && op.Type == discordgo.ApplicationCommandOptionInteger
			}
		}
	}
	if !found {
		t.Error("Discord's /poll open has no quorum option")
	}

	// Slack: in the manifest's usage hint.
	out, err := slackadapter.Manifest(router.Commands(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "[--quorum <quorum>]") {
		t.Errorf("the Slack manifest lacks the option:\n%s", out)
	}
}

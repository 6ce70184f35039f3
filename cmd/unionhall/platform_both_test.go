package main

import (
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// TestRunServesSlackAndDiscordFromOneProcess runs "unionhall run" with
// both platforms configured, against both fakes enforcing their
// documented limits: one process, one store, and a member on each
// platform is answered where they asked.
func TestRunServesSlackAndDiscordFromOneProcess(t *testing.T) {
	const token = "both.DiscordBotToken.never-log-this"
	sl := slacktest.NewServer(t)
	sl.Throttle(slacktest.DocumentedLimits())
	dc := discordtest.NewServer(t, discordtest.WithToken(token))
	dc.Throttle(discordtest.DocumentedLimits())
	const channel = "810000000000000001"
	r := startSlackRun(t, sl, map[string]string{
		"DISCORD_TOKEN":    token,
		"DISCORD_GUILD_ID": discordtest.GuildID,
		"DISCORD_API_URL":  dc.URL(),
	})
	bottest.WaitFor(t, "Discord's slash commands registered", func() bool { return len(dc.Overwrites()) > 0 })

	sl.SendEvent("env-1", slacktest.Mention("U1", "C1", "<@"+slacktest.BotUserID+"> when is the ratification vote?", "1700000000.000100", ""))
	alice := discordtest.Member{ID: "720000000000000002", Name: "alice", Roles: []string{discordtest.MemberRoleID}}
	q := dc.ChannelMessage(alice, channel, "<@"+discordtest.BotID+"> when is the ratification vote?", discordtest.BotID)

	bottest.WaitFor(t, "the Slack answer in the question's thread", func() bool {
		for _, c := range sl.Posts() {
			if c.Err == "" && c.Form.Get("channel") == "C1" && c.Form.Get("thread_ts") == "1700000000.000100" {
				return true
			}
		}
		return false
	})
	bottest.WaitFor(t, "the Discord answer as a reply to the question", func() bool {
		for _, m := range dc.ChannelMessages(channel) {
			if m.ReplyTo == q && strings.TrimSpace(m.Text()) != "" {
				return true
			}
		}
		return false
	})
	r.stop()
	dc.Verify(t)
	if sl.RateLimited()+dc.RateLimited() != 0 {
		t.Errorf("429s: Slack %d, Discord %d; want none", sl.RateLimited(), dc.RateLimited())
	}
	if strings.Contains(r.log.String(), token) {
		t.Error("the Discord token appears in the log")
	}
}

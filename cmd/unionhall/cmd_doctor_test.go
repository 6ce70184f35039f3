package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	_ "github.com/mattn/go-sqlite3"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	slackadapter "github.com/unionhall/unionhall/adapters/slack"
	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/store/sqlite"
)

const (
	doctorSlackChannel   = "C0ANNOUNCE"
	doctorDiscordChannel = "700000000000000001"
)

// doctorData returns settings naming valid data files in dir, so that the
// example data is not what a check reports.
func doctorData(t *testing.T, dir string) map[string]string {
	return map[string]string{
		unitsFileVar:     writeFile(t, dir, "units.yaml", testUnitsFile),
		deadlinesFileVar: writeFile(t, dir, "deadlines.yaml", testDeadlinesFile),
	}
}

// goodSlack returns a local Slack where everything Union Hall needs is
// granted, and the settings for it.
func goodSlack(t *testing.T) (*slacktest.Server, map[string]string) {
	s := slacktest.NewServer(t)
	scopes, err := slackadapter.RequiredScopes()
	if err != nil {
		t.Fatal(err)
	}
	s.SetScopes(scopes...)
	s.AddChannel(slacktest.Channel{ID: doctorSlackChannel, Name: "announcements", Member: true})
	vars := doctorData(t, t.TempDir())
	vars["SLACK_BOT_TOKEN"], vars["SLACK_APP_TOKEN"], vars["SLACK_API_URL"] = slacktest.BotToken, slacktest.AppToken, s.APIURL()
	vars["SLACK_ANNOUNCE_CHANNEL"] = doctorSlackChannel
	vars["SLACK_STEWARD_GROUP"] = "@" + slacktest.UserGroupHandle
	s.SetUserGroup([]string{"USTEWARD"}, "")
	return s, vars
}

// goodDiscord returns a local Discord where everything Union Hall needs is
// in place, and the settings for it.
func goodDiscord(t *testing.T) (*discordtest.Server, map[string]string) {
	f := discordtest.NewServer(t)
	f.AddChannel(discordgo.Channel{ID: doctorDiscordChannel, Name: "announcements", Type: discordgo.ChannelTypeGuildText})
	vars := doctorData(t, t.TempDir())
	vars["DISCORD_TOKEN"], vars["DISCORD_API_URL"], vars["DISCORD_GUILD_ID"] = f.Token(), f.URL(), discordtest.GuildID
	vars["DISCORD_STEWARD_ROLE"], vars["DISCORD_ANNOUNCE_CHANNEL"] = discordtest.StewardRoleName, doctorDiscordChannel
	return f, vars
}

// doctor runs "unionhall doctor" and returns its exit code, its problem
// lines and its whole output.
func doctor(t *testing.T, dir string, vars map[string]string) (code int, problems []string, out string) {
	t.Helper()
	code, out, errOut := runMain(dir, vars, "", "doctor")
	if errOut != "" {
		t.Errorf("doctor wrote to stderr: %q", errOut)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "PROBLEM ") {
			problems = append(problems, line)
		}
	}
	return code, problems, out
}

func TestDoctorPassesAGoodConfiguration(t *testing.T) {
	_, slackVars := goodSlack(t)
	f, discordVars := goodDiscord(t)
	f.GrantMembersIntent()
	discordVars["DISCORD_MEMBERS_INTENT"] = "true"
	vars := map[string]string{}
	for _, m := range []map[string]string{slackVars, discordVars} {
		for k, v := range m {
			vars[k] = v
		}
	}
	dir := t.TempDir()
	code, problems, out := doctor(t, dir, vars)
	if code != 0 || len(problems) != 0 || !strings.Contains(out, "checks passed") {
		t.Fatalf("exit %d, problems %q:\n%s", code, problems, out)
	}
	for _, want := range []string{"will be created on the first run", "SLACK_BOT_TOKEN: valid", "Socket Mode is on",
		"#announcements exists and the bot may post there", "DISCORD_TOKEN: valid", "DISCORD_STEWARD_ROLE: the role \"Steward\" exists",
		"SLACK_STEWARD_GROUP: @stewards has 1 member, who has steward powers.",
		"DISCORD_MEMBERS_INTENT: the application has the Server Members intent."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.db*")); len(files) != 0 {
		t.Errorf("doctor created %v", files)
	}
}

// doctorCase is a configuration with one mistake, and what doctor must
// say about it.
type doctorCase struct {
	// platform is the fake the configuration starts from: "slack",
	// "discord", or "" for none.
	platform string
	// set and drop change the good configuration's settings.
	set  map[string]string
	drop []string
	// slack and discord change the fakes.
	slack   func(*slacktest.Server)
	discord func(*discordtest.Server)
	// want is in the one problem line.
	want string
}

// vars builds the case's settings, and its fakes.
func (c doctorCase) vars(t *testing.T) map[string]string {
	vars := map[string]string{}
	switch c.platform {
	case "slack":
		var s *slacktest.Server
		s, vars = goodSlack(t)
		if c.slack != nil {
			c.slack(s)
		}
	case "discord":
		var f *discordtest.Server
		f, vars = goodDiscord(t)
		if c.discord != nil {
			c.discord(f)
		}
	}
	for k, v := range c.set {
		vars[k] = v
	}
	for _, k := range c.drop {
		delete(vars, k)
	}
	return vars
}

// TestDoctorNamesEachProblem checks that each mistake is reported on a
// line of its own that says how to fix it, and that doctor exits 1.
func TestDoctorNamesEachProblem(t *testing.T) {
	badUnits := writeFile(t, t.TempDir(), "units.yaml", "units: [")
	overwrite := discordgo.PermissionOverwrite{ID: discordtest.BotRoleID, Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionSendMessages}
	for name, c := range map[string]doctorCase{
		"bad time zone": {set: map[string]string{"UNIONHALL_TIMEZONE": "Mars/Olympus"},
			want: `UNIONHALL_TIMEZONE: unknown time zone "Mars/Olympus" (use an IANA name`},
		"unparsable units file":      {set: map[string]string{unitsFileVar: badUnits}, want: "UNIONHALL_UNITS_FILE: "},
		"example data on a platform": {platform: "slack", drop: []string{unitsFileVar, deadlinesFileVar}, want: "example data"},
		"bad Slack token": {platform: "slack", set: map[string]string{"SLACK_BOT_TOKEN": "xoxb-not-the-token"},
			want: "SLACK_BOT_TOKEN: Slack refused it (invalid_auth): copy the Bot User OAuth Token"},
		"missing scope": {platform: "slack", slack: func(s *slacktest.Server) { s.SetScopes(mustScopes(t)[1:]...) },
			want: "the app lacks the scopes " + mustScopes(t)[0] + ": add them"},
		"no Socket Mode": {platform: "slack", want: "turn Socket Mode on",
			slack: func(s *slacktest.Server) {
				s.FailNext("apps.connections.open", 1, slacktest.Failure{Error: "invalid_request"})
			}},
		"missing Slack channel": {platform: "slack", set: map[string]string{"SLACK_ANNOUNCE_CHANNEL": "C0NOWHERE"},
			want: "SLACK_ANNOUNCE_CHANNEL: Slack knows no channel C0NOWHERE"},
		"bot not in private Slack channel": {platform: "slack", want: "the bot is not in #stewards: invite it",
			slack: func(s *slacktest.Server) {
				s.AddChannel(slacktest.Channel{ID: doctorSlackChannel, Name: "stewards", Private: true})
			}},
		"unknown steward group": {platform: "slack", set: map[string]string{"SLACK_STEWARD_GROUP": "@organizers"},
			want: "SLACK_STEWARD_GROUP: no user group with handle @organizers"},
		"bad Discord token": {platform: "discord", set: map[string]string{"DISCORD_TOKEN": "not.the.token"},
			want: "DISCORD_TOKEN: Discord refused it"},
		"missing steward role": {platform: "discord", set: map[string]string{"DISCORD_STEWARD_ROLE": "Organizer"},
			want: `DISCORD_STEWARD_ROLE: "Local 1" has no role "Organizer": create it`},
		"missing Discord channel": {platform: "discord", set: map[string]string{"DISCORD_ANNOUNCE_CHANNEL": "700000000000000099"},
			want: "DISCORD_ANNOUNCE_CHANNEL: the bot cannot see channel 700000000000000099"},
		"Discord permissions": {platform: "discord", drop: []string{"DISCORD_ANNOUNCE_CHANNEL"}, // which would lack them too
			discord: func(f *discordtest.Server) { f.SetBotPermissions(discordgo.PermissionViewChannel) },
			want:    "the bot lacks Send Messages, Send Messages in Threads, Embed Links, Attach Files, Read Message History in \"Local 1\""},
		"Discord channel denies posting": {platform: "discord", want: "DISCORD_ANNOUNCE_CHANNEL: the bot lacks Send Messages in #announcements",
			discord: func(f *discordtest.Server) {
				f.AddChannel(discordgo.Channel{ID: doctorDiscordChannel, Name: "announcements", PermissionOverwrites: []*discordgo.PermissionOverwrite{&overwrite}})
			}},
		"Server Members intent off in the portal": {platform: "discord", set: map[string]string{"DISCORD_MEMBERS_INTENT": "true"},
			want: "DISCORD_MEMBERS_INTENT is true, but the application does not have the Server Members intent: switch on Server Members Intent"},
		"Discord server": {platform: "discord", set: map[string]string{"DISCORD_GUILD_ID": "500000000000000099"},
			want: "DISCORD_GUILD_ID: the bot is not in server 500000000000000099"},
	} {
		t.Run(name, func(t *testing.T) {
			code, problems, out := doctor(t, t.TempDir(), c.vars(t))
			if code != 1 || len(problems) != 1 || !strings.Contains(problems[0], c.want) || !strings.Contains(out, "1 problem found") {
				t.Errorf("exit %d, problems %q, want one with %q:\n%s", code, problems, c.want, out)
			}
		})
	}
}

func mustScopes(t *testing.T) []string {
	scopes, err := slackadapter.RequiredScopes()
	if err != nil || len(scopes) == 0 {
		t.Fatalf("scopes %v: %v", scopes, err)
	}
	return scopes
}

// TestDoctorChecksTheSchema checks that doctor tells a database written
// by a newer Union Hall from a current one and from one the next start
// upgrades, without changing any.
func TestDoctorChecksTheSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "unionhall.db")
	vars := doctorData(t, dir)
	vars["UNIONHALL_DB"] = writeFile(t, dir, "unionhall.db", "")
	if code, problems, out := doctor(t, dir, vars); code != 0 || !strings.Contains(out, "schema 0; the next start upgrades it to ") {
		t.Errorf("an empty database file: exit %d, problems %q:\n%s", code, problems, out)
	}
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if code, problems, out := doctor(t, dir, vars); code != 0 || !strings.Contains(out, "current.") {
		t.Errorf("a current database: exit %d, problems %q:\n%s", code, problems, out)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', '2030-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	code, problems, _ := doctor(t, dir, vars)
	if code != 1 || len(problems) != 1 || !strings.Contains(problems[0], "written by a newer version of Union Hall (schema 9999") {
		t.Errorf("a newer database: exit %d, problems %q", code, problems)
	}
}

// TestRunOnExampleDataWarns checks that "unionhall run" on Slack with no
// data file says, in its log, that it runs on example data and how to
// change that.
func TestRunOnExampleDataWarns(t *testing.T) {
	s := slacktest.NewServer(t)
	r := startSlackRun(t, s, nil)
	bottest.WaitFor(t, "the example-data warning", func() bool {
		return strings.Contains(r.log.String(), "example data") && strings.Contains(r.log.String(), "unionhall init")
	})
}

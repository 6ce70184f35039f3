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
	_, discordVars := goodDiscord(t)
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
		"#announcements exists and the bot may post there", "DISCORD_TOKEN: valid", "DISCORD_STEWARD_ROLE: the role \"Steward\" exists"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.db*")); len(files) != 0 {
		t.Errorf("doctor created %v", files)
	}
}

// TestDoctorNamesEachProblem checks that each mistake is reported on a
// line of its own that says how to fix it, and that doctor exits 1.
func TestDoctorNamesEachProblem(t *testing.T) {
	for name, c := range map[string]struct {
		setup func(t *testing.T) map[string]string
		want  string
	}{
		"bad time zone": {func(t *testing.T) map[string]string {
			return map[string]string{"UNIONHALL_TIMEZONE": "Mars/Olympus"}
		}, `UNIONHALL_TIMEZONE: unknown time zone "Mars/Olympus" (use an IANA name`},
		"unparsable units file": {func(t *testing.T) map[string]string {
			return map[string]string{unitsFileVar: writeFile(t, t.TempDir(), "units.yaml", "units: [")}
		}, "UNIONHALL_UNITS_FILE: "},
		"example data on a platform": {func(t *testing.T) map[string]string {
			_, vars := goodSlack(t)
			delete(vars, unitsFileVar)
			delete(vars, deadlinesFileVar)
			return vars
		}, "example data"},
		"bad Slack token": {func(t *testing.T) map[string]string {
			_, vars := goodSlack(t)
			vars["SLACK_BOT_TOKEN"] = "xoxb-not-the-token"
			return vars
		}, "SLACK_BOT_TOKEN: Slack refused it (invalid_auth): copy the Bot User OAuth Token"},
		"missing scope": {func(t *testing.T) map[string]string {
			s, vars := goodSlack(t)
			scopes, _ := slackadapter.RequiredScopes()
			s.SetScopes(scopes[1:]...)
			return vars
		}, "the app lacks the scopes " + mustScopes(t)[0] + ": add them"},
		"no Socket Mode": {func(t *testing.T) map[string]string {
			s, vars := goodSlack(t)
			s.FailNext("apps.connections.open", 1, slacktest.Failure{Error: "invalid_request"})
			return vars
		}, "turn Socket Mode on"},
		"missing Slack channel": {func(t *testing.T) map[string]string {
			_, vars := goodSlack(t)
			vars["SLACK_ANNOUNCE_CHANNEL"] = "C0NOWHERE"
			return vars
		}, "SLACK_ANNOUNCE_CHANNEL: Slack knows no channel C0NOWHERE"},
		"bot not in private Slack channel": {func(t *testing.T) map[string]string {
			s, vars := goodSlack(t)
			s.AddChannel(slacktest.Channel{ID: doctorSlackChannel, Name: "stewards", Private: true})
			return vars
		}, "the bot is not in #stewards: invite it"},
		"bad Discord token": {func(t *testing.T) map[string]string {
			_, vars := goodDiscord(t)
			vars["DISCORD_TOKEN"] = "not.the.token"
			return vars
		}, "DISCORD_TOKEN: Discord refused it"},
		"missing steward role": {func(t *testing.T) map[string]string {
			_, vars := goodDiscord(t)
			vars["DISCORD_STEWARD_ROLE"] = "Organizer"
			return vars
		}, `DISCORD_STEWARD_ROLE: "Local 1" has no role "Organizer": create it`},
		"missing Discord channel": {func(t *testing.T) map[string]string {
			_, vars := goodDiscord(t)
			vars["DISCORD_ANNOUNCE_CHANNEL"] = "700000000000000099"
			return vars
		}, "DISCORD_ANNOUNCE_CHANNEL: the bot cannot see channel 700000000000000099"},
		"Discord permissions": {func(t *testing.T) map[string]string {
			f, vars := goodDiscord(t)
			f.SetBotPermissions(discordgo.PermissionViewChannel)
			delete(vars, "DISCORD_ANNOUNCE_CHANNEL") // which would lack them too
			return vars
		}, "the bot lacks Send Messages, Send Messages in Threads, Embed Links, Attach Files, Read Message History in \"Local 1\""},
		"Discord channel denies posting": {func(t *testing.T) map[string]string {
			f, vars := goodDiscord(t)
			f.AddChannel(discordgo.Channel{ID: doctorDiscordChannel, Name: "announcements", PermissionOverwrites: []*discordgo.PermissionOverwrite{
				{ID: discordtest.BotRoleID, Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionSendMessages}}})
			return vars
		}, "DISCORD_ANNOUNCE_CHANNEL: the bot lacks Send Messages in #announcements"},
		"Discord server": {func(t *testing.T) map[string]string {
			_, vars := goodDiscord(t)
			vars["DISCORD_GUILD_ID"] = "500000000000000099"
			return vars
		}, "DISCORD_GUILD_ID: the bot is not in server 500000000000000099"},
	} {
		t.Run(name, func(t *testing.T) {
			code, problems, out := doctor(t, t.TempDir(), c.setup(t))
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
// by a newer Union Hall from one the next start upgrades, without
// changing either.
func TestDoctorChecksTheSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "unionhall.db")
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	vars := doctorData(t, dir)
	vars["UNIONHALL_DB"] = path
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

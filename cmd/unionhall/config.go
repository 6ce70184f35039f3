package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/joho/godotenv"

	"github.com/unionhall/unionhall/bot"
)

// config is Union Hall's whole configuration, read from the environment and
// an optional .env file. Every field's variable is listed in .env.example.
type config struct {
	DBPath   string
	Stewards bot.StewardSet
	Location *time.Location
	KBDir    string
	LogLevel slog.Level

	SlackBotToken      string
	SlackAppToken      string
	SlackSigningSecret string
	SlackAPIURL        string

	DiscordToken   string
	DiscordGuildID string
	DiscordAPIURL  string

	// live is set when the bot serves Slack or Discord rather than the
	// console: the example deadline is then left out (see loadDeadlines).
	live bool

	// vars gives feature and platform wiring (feature_*.go, platform_*.go)
	// access to their own settings; each one read must be in .env.example.
	vars env
}

// env looks variables up in the process environment first and then in the
// .env file, without changing the process environment. A variable set in
// the environment wins over .env even when it is empty, so an empty
// variable can turn off a setting the .env file makes.
type env struct {
	lookup func(string) (string, bool) // os.LookupEnv outside tests
	file   map[string]string
}

// loadEnv reads the .env file at path when it exists. A missing file is not
// an error; a malformed one is. lookup reads the process environment.
func loadEnv(lookup func(string) (string, bool), path string) (env, error) {
	e := env{lookup: lookup, file: map[string]string{}}
	m, err := godotenv.Read(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return e, fmt.Errorf("read %s: %w", path, err)
	default:
		e.file = m
	}
	return e, nil
}

// get returns the variable's value, trimmed: from the environment when it
// is set there (even empty), else from .env, else "".
func (e env) get(name string) string {
	if v, ok := e.lookup(name); ok {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(e.file[name])
}

// or returns the variable's value or def when it is unset or empty.
func (e env) or(name, def string) string {
	if v := e.get(name); v != "" {
		return v
	}
	return def
}

// loadConfig builds the configuration, naming the variable at fault in any
// error.
func loadConfig(e env) (config, error) {
	c := config{
		vars:               e,
		DBPath:             e.or("UNIONHALL_DB", "unionhall.db"),
		KBDir:              e.get("UNIONHALL_KB_DIR"),
		SlackBotToken:      e.get("SLACK_BOT_TOKEN"),
		SlackAppToken:      e.get("SLACK_APP_TOKEN"),
		SlackSigningSecret: e.get("SLACK_SIGNING_SECRET"),
		SlackAPIURL:        e.get("SLACK_API_URL"),
		DiscordToken:       e.get("DISCORD_TOKEN"),
		DiscordGuildID:     e.get("DISCORD_GUILD_ID"),
		DiscordAPIURL:      e.get("DISCORD_API_URL"),
	}
	var err error
	if c.Stewards, err = bot.ParseStewards(e.get("UNIONHALL_STEWARDS")); err != nil {
		return c, fmt.Errorf("UNIONHALL_STEWARDS: %w", err)
	}
	tz := e.or("UNIONHALL_TIMEZONE", "America/New_York")
	if c.Location, err = time.LoadLocation(tz); err != nil {
		return c, fmt.Errorf("UNIONHALL_TIMEZONE: unknown time zone %q (use an IANA name such as America/New_York)", tz)
	}
	if lvl := e.get("UNIONHALL_LOG_LEVEL"); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			return c, fmt.Errorf("UNIONHALL_LOG_LEVEL: %q is not one of debug, info, warn, error", lvl)
		}
	}
	if c.KBDir != "" {
		if st, err := os.Stat(c.KBDir); err != nil || !st.IsDir() {
			return c, fmt.Errorf("UNIONHALL_KB_DIR: %s is not a readable directory", c.KBDir)
		}
	}
	return c, nil
}

// configFrom loads the configuration from the environment and the .env
// file in the working directory, as every subcommand does.
func configFrom(lookupEnv func(string) (string, bool)) (config, error) {
	e, err := loadEnv(lookupEnv, ".env")
	if err != nil {
		return config{}, err
	}
	return loadConfig(e)
}

// The settings that name the data files; see exampleData.
const (
	unitsFileVar     = "UNIONHALL_UNITS_FILE"
	deadlinesFileVar = "UNIONHALL_DEADLINES_FILE"
)

// exampleData reports whether no data file is configured, so that the
// embedded example units (and, in the console, the example deadline) are
// used. Once either file is configured, nothing of the example is: a
// steward who gave their units does not want example deadlines, nor the
// other way round.
func (c config) exampleData() bool {
	return c.vars.get(unitsFileVar) == "" && c.vars.get(deadlinesFileVar) == ""
}

// exampleDataWarning says that the bot runs on example data and how to
// change that; it is logged when a platform is served on it, printed by
// doctor, and shown in the console's banner.
const exampleDataWarning = "Union Hall is running on its example data (units from the 2011 SEBAC news reports): " +
	"set UNIONHALL_UNITS_FILE and UNIONHALL_DEADLINES_FILE to your own files, which \"unionhall init\" writes"

// platforms returns the platforms whose tokens are configured.
func (c config) platforms() []string {
	var out []string
	if c.SlackBotToken != "" {
		out = append(out, bot.PlatformSlack)
	}
	if c.DiscordToken != "" {
		out = append(out, bot.PlatformDiscord)
	}
	return out
}

// checkPlatforms checks the settings of every platform whose token is
// set, so that a mistake in them is reported before the store is opened.
func (c config) checkPlatforms() error {
	if c.SlackBotToken != "" {
		if _, err := c.slackOptions(); err != nil {
			return err
		}
	}
	if c.DiscordToken != "" {
		if _, err := c.discordOptions(); err != nil {
			return err
		}
	}
	return nil
}

// checkAPIURL checks the API address a platform variable sets, when it is
// set: an absolute http(s) URL such as example.
func checkAPIURL(variable, value, example string) error {
	if value == "" {
		return nil
	}
	if u, err := url.Parse(value); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%s: the API URL %q is not an http(s) URL such as %s", variable, value, example)
	}
	return nil
}

// loadFile reads and parses a feature's data file: the one variable names,
// or the feature's default when it is unset. Errors name the variable. It
// also returns the file's name, for later messages.
func loadFile[T any](c config, variable string, def bot.DataFile, parse func(bot.DataFile) (T, error)) (T, string, error) {
	file := def
	if path := c.vars.get(variable); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			var none T
			return none, path, fmt.Errorf("%s: %w", variable, err)
		}
		file = bot.DataFile{Name: path, Data: data}
	}
	v, err := parse(file)
	if err != nil {
		return v, file.Name, fmt.Errorf("%s: %w", variable, err)
	}
	return v, file.Name, nil
}

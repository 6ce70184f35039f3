package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/reminders"
)

// The files init writes, relative to its directory; the .env names the
// other two by these names, so Union Hall runs from that directory.
const (
	initEnvFile       = ".env"
	initUnitsFile     = "units.yaml"
	initDeadlinesFile = "deadlines.yaml"
)

// initAnswers are what init asks for, from flags or the terminal.
type initAnswers struct {
	union, units, deadline, deadlineTitle, timezone, platform string
}

// cmdInit writes a starter .env, units file and deadlines file into a
// directory, from flags or from questions on the terminal. It checks the
// answers and the files it would write with the real loaders before it
// writes anything, and refuses to overwrite a file without --force.
func cmdInit(_ context.Context, args []string, std stdio, _ func(string) (string, bool)) error {
	flags := flag.NewFlagSet("init", flag.ContinueOnError)
	flags.SetOutput(std.err)
	var a initAnswers
	flags.StringVar(&a.union, "union", "", "the union's or coalition's name")
	flags.StringVar(&a.units, "units", "", `the units, comma-separated, each with its membership if known: "Clerical:420,Nurses:610"`)
	flags.StringVar(&a.deadline, "deadline", "", "the union's own deadline, a date such as 2027-03-31 (time 17:00) or \"2027-03-31 12:00\"; empty for none")
	flags.StringVar(&a.deadlineTitle, "deadline-title", "", "what the deadline is called, e.g. \"Contract ratification vote\"")
	flags.StringVar(&a.timezone, "timezone", "", "IANA time zone, e.g. America/Chicago")
	flags.StringVar(&a.platform, "platform", "", "where members will use it: console, slack or discord")
	yes := flags.Bool("yes", false, "ask nothing: use the flags and defaults for the rest")
	force := flags.Bool("force", false, "overwrite files that already exist")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 1 {
		return fmt.Errorf("init takes one directory, not %d arguments", flags.NArg())
	}
	dir := "."
	if flags.NArg() == 1 {
		dir = flags.Arg(0)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("the directory %s does not exist: create it first", dir)
	}
	if !*force {
		if err := refuseOverwrite(dir); err != nil {
			return err
		}
	}
	a.defaults()
	if !*yes {
		if err := a.ask(std); err != nil {
			return err
		}
	}
	files, err := a.files(bot.SystemClock{}.Now())
	if err != nil {
		return err
	}
	for _, name := range []string{initUnitsFile, initDeadlinesFile, initEnvFile} {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o600); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	where, err := filepath.Abs(dir)
	if err != nil {
		where = dir
	}
	fmt.Fprintf(std.out, "Wrote %s, %s and %s in %s.\n", initEnvFile, initUnitsFile, initDeadlinesFile, where)
	next := "Next: run \"unionhall doctor\" there"
	if dir != "." {
		next = fmt.Sprintf("Next: cd %s and run \"unionhall doctor\"", dir)
	}
	switch a.platform {
	case bot.PlatformSlack:
		next += " after filling in the SLACK_ settings in .env (README, \"Put it on Slack\")"
	case bot.PlatformDiscord:
		next += " after filling in the DISCORD_ settings in .env (README, \"Put it on Discord\")"
	}
	fmt.Fprintln(std.out, next+"; then \"unionhall run\".")
	return nil
}

// refuseOverwrite returns an error naming the files init would write that
// already exist in dir.
func refuseOverwrite(dir string) error {
	var exist []string
	for _, name := range []string{initEnvFile, initUnitsFile, initDeadlinesFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
			exist = append(exist, name)
		}
	}
	if len(exist) > 0 {
		return fmt.Errorf("%s already exist in %s; nothing was written (use --force to overwrite them)", strings.Join(exist, ", "), dir)
	}
	return nil
}

// defaults fills in what was not given.
func (a *initAnswers) defaults() {
	def := func(s *string, v string) {
		if strings.TrimSpace(*s) == "" {
			*s = v
		}
	}
	def(&a.union, "Our union")
	def(&a.deadlineTitle, "Contract ratification vote")
	def(&a.timezone, "America/New_York")
	def(&a.platform, bot.PlatformConsole)
}

// ask asks each question on the terminal, offering the current answer as
// the default; an empty line keeps it.
func (a *initAnswers) ask(std stdio) error {
	in := bufio.NewReader(std.in)
	questions := []struct {
		prompt string
		answer *string
	}{
		{"Union or coalition name", &a.union},
		{"Units, comma-separated, each with its membership if known (Clerical:420, Nurses:610)", &a.units},
		{"Your own deadline, a date such as 2027-03-31 (empty for none)", &a.deadline},
		{"What the deadline is called", &a.deadlineTitle},
		{"Time zone", &a.timezone},
		{"Platform: console, slack or discord", &a.platform},
	}
	for _, q := range questions {
		if q.answer == &a.units && a.units == "" {
			a.units = a.union // one union, one unit, unless told otherwise
		}
		fmt.Fprintf(std.out, "%s [%s]: ", q.prompt, *q.answer)
		line, err := in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the answer: %w", err)
		}
		if line = strings.TrimSpace(line); line != "" {
			*q.answer = line
		}
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(std.out)
			break
		}
	}
	return nil
}

// unitEntry is one unit as the units file spells it.
type unitEntry struct {
	Name    string `yaml:"name"`
	Members int    `yaml:"members"`
}

// unitSize reads a unit given with its membership, "Clerical:420".
var unitSize = regexp.MustCompile(`^(.*?)\s*:\s*(\d+)$`)

// files checks the answers and returns the three files' contents, each
// read back with the loader Union Hall uses, so that what init writes
// always starts.
func (a initAnswers) files(now time.Time) (map[string][]byte, error) {
	loc, err := time.LoadLocation(strings.TrimSpace(a.timezone))
	if err != nil || strings.TrimSpace(a.timezone) == "" {
		return nil, fmt.Errorf("the time zone %q is not an IANA name such as America/Chicago", a.timezone)
	}
	platform := strings.ToLower(strings.TrimSpace(a.platform))
	if platforms := []string{bot.PlatformConsole, bot.PlatformSlack, bot.PlatformDiscord}; !slices.Contains(platforms, platform) {
		return nil, fmt.Errorf("the platform %q is not one of %s", a.platform, strings.Join(platforms, ", "))
	}
	a.platform = platform
	units, err := a.unitsFile()
	if err != nil {
		return nil, err
	}
	deadlines, err := a.deadlinesFile(now, loc)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{initUnitsFile: units, initDeadlinesFile: deadlines, initEnvFile: a.envFile(loc)}, nil
}

// unitsFile returns the units file: the units, and a coalition rule of a
// majority of the units representing half the membership.
func (a initAnswers) unitsFile() ([]byte, error) {
	if strings.TrimSpace(a.units) == "" {
		a.units = a.union
	}
	var units []unitEntry
	sized := true
	for part := range strings.SplitSeq(a.units, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		u := unitEntry{Name: part, Members: 1}
		if m := unitSize.FindStringSubmatch(part); m != nil {
			n, err := strconv.Atoi(m[2])
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("the unit %q: the membership must be a positive whole number", part)
			}
			u = unitEntry{Name: m[1], Members: n}
		} else {
			sized = false
		}
		units = append(units, u)
	}
	if len(units) == 0 {
		return nil, errors.New("name at least one unit (--units \"Clerical,Nurses\")")
	}
	var f struct {
		Coalition struct {
			Name              string `yaml:"name"`
			UnitsNeeded       int    `yaml:"units_needed"`
			MembershipPercent int    `yaml:"membership_percent"`
		} `yaml:"coalition"`
		Units []unitEntry `yaml:"units"`
	}
	f.Coalition.Name = strings.TrimSpace(a.union)
	f.Coalition.UnitsNeeded = len(units)/2 + 1
	f.Coalition.MembershipPercent = 50
	f.Units = units
	body, err := marshalYAML(f)
	if err != nil {
		return nil, fmt.Errorf("units file: %w", err)
	}
	head := "# The units of " + f.Coalition.Name + ", for straw-poll tallies; written by \"unionhall init\".\n" +
		"# A --rule coalition poll passes when units_needed units each vote yes by a\n" +
		"# majority and represent membership_percent of all members. The format is\n" +
		"# in docs/data-files.md.\n"
	if !sized {
		head += "# Units given without a membership count as 1 member each: put each unit's\n" +
			"# real membership in \"members\" so that tallies weigh the units fairly.\n"
	}
	data := []byte(head + string(body))
	if _, err := polls.ParseUnits(bot.DataFile{Name: initUnitsFile, Data: data}); err != nil {
		return nil, fmt.Errorf("the units do not make a valid list: %w", err)
	}
	return data, nil
}

// nonKey matches what a deadline key leaves out of its title: the key is
// the title in lower case, its words joined by "-".
var nonKey = regexp.MustCompile(`[^a-z0-9]+`)

// deadlinesFile returns the deadlines file: the union's own deadline with
// reminders 14 days, 7 days, 1 day and 2 hours before it, or none.
func (a initAnswers) deadlinesFile(now time.Time, loc *time.Location) ([]byte, error) {
	const head = "# Deadlines Union Hall posts reminders before, in each platform's\n" +
		"# announcement channel; written by \"unionhall init\". The format is in\n" +
		"# docs/data-files.md. Keep each key as it is for the life of its deadline.\n"
	type entry struct {
		Key   string   `yaml:"key"`
		Name  string   `yaml:"name"`
		When  string   `yaml:"when"`
		Leads []string `yaml:"leads,flow"`
	}
	var f struct {
		Deadlines []entry `yaml:"deadlines"`
	}
	f.Deadlines = []entry{}
	if when := strings.TrimSpace(a.deadline); when != "" {
		if _, err := time.Parse("2006-01-02", when); err == nil {
			when += " 17:00"
		}
		at, err := time.ParseInLocation("2006-01-02 15:04", when, loc)
		if err != nil {
			return nil, fmt.Errorf("the deadline %q is not a date such as 2027-03-31 or \"2027-03-31 12:00\"", a.deadline)
		}
		if !at.After(now) {
			return nil, fmt.Errorf("the deadline %s has passed; give one still ahead, or none", when)
		}
		title := strings.TrimSpace(a.deadlineTitle)
		key := strings.Trim(nonKey.ReplaceAllString(strings.ToLower(title), "-"), "-")
		if key == "" {
			key = "deadline"
		}
		f.Deadlines = append(f.Deadlines, entry{Key: key, Name: title, When: when, Leads: []string{"14d", "7d", "1d", "2h"}})
	}
	body, err := marshalYAML(f)
	if err != nil {
		return nil, fmt.Errorf("deadlines file: %w", err)
	}
	data := []byte(head + string(body))
	if _, err := reminders.ParseDeadlines(bot.DataFile{Name: initDeadlinesFile, Data: data}, now, loc); err != nil {
		return nil, fmt.Errorf("the deadline is not valid: %w", err)
	}
	return data, nil
}

// marshalYAML encodes v as YAML indented by two spaces, as the example
// files are.
func marshalYAML(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// envFile returns the .env: the core settings, the data files, and the
// chosen platform's settings left for the steward to fill in.
func (a initAnswers) envFile(loc *time.Location) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Union Hall settings for %s, written by \"unionhall init\".\n", strings.TrimSpace(a.union))
	b.WriteString("# Every setting is described in .env.example and docs/reference.md.\n\n")
	b.WriteString("UNIONHALL_DB=unionhall.db\n")
	fmt.Fprintf(&b, "UNIONHALL_TIMEZONE=%s\n", loc)
	b.WriteString("# Steward IDs, comma-separated, e.g. console:alice,slack:U0123ABCD,discord:812345678901234567\n")
	b.WriteString("UNIONHALL_STEWARDS=console:steward\n")
	b.WriteString("UNIONHALL_LOG_LEVEL=\n\n")
	b.WriteString("# The data files, relative to the directory Union Hall runs in.\n")
	fmt.Fprintf(&b, "%s=%s\n%s=%s\n", unitsFileVar, initUnitsFile, deadlinesFileVar, initDeadlinesFile)
	switch a.platform {
	case bot.PlatformSlack:
		b.WriteString("\n# Slack: create the app from \"unionhall slack-manifest\", then paste its tokens here.\n" +
			"SLACK_BOT_TOKEN=\nSLACK_APP_TOKEN=\n# The channel for reminders: its ID (C0123ABCD).\nSLACK_ANNOUNCE_CHANNEL=\nSLACK_STEWARD_GROUP=\n")
	case bot.PlatformDiscord:
		b.WriteString("\n# Discord: the bot's token, your server's ID, the channel for reminders and the steward role.\n" +
			"DISCORD_TOKEN=\nDISCORD_GUILD_ID=\nDISCORD_ANNOUNCE_CHANNEL=\nDISCORD_STEWARD_ROLE=Steward\n")
	}
	return []byte(b.String())
}

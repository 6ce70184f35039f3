package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const (
	testUnitsFile     = "coalition:\n  name: Local council\n  units_needed: 1\n  membership_percent: 50\nunits:\n  - name: Clerks\n    members: 10\n"
	testDeadlinesFile = "deadlines:\n  - key: contract-vote\n    name: Contract vote\n    when: 2099-06-30 17:00\n    leads: [3d]\n"
)

// loadInitFiles loads what init wrote in dir with the real loaders, from
// dir as Union Hall runs there, and fails the test unless they load.
func loadInitFiles(t *testing.T, dir string) (config, featureFiles) {
	t.Helper()
	t.Chdir(dir)
	e, err := loadEnv(func(string) (string, bool) { return "", false }, ".env")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		t.Fatalf("the written .env: %v", err)
	}
	files, err := cfg.loadFeatureFiles(time.Now())
	if err != nil {
		t.Fatalf("the written data files: %v", err)
	}
	return cfg, files
}

func TestInitWritesFilesThatLoad(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runMain(dir, nil, "", "init", "--union", "Riverside Council", "--units", "Clerical:420, Nurses:610, Maintenance",
		"--deadline", "2099-03-31", "--deadline-title", "Contract vote", "--timezone", "America/Chicago", "--platform", "discord", "--yes", dir)
	if code != 0 || !strings.Contains(out, "Wrote .env, units.yaml and deadlines.yaml") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	cfg, files := loadInitFiles(t, dir)
	if cfg.Location.String() != "America/Chicago" || cfg.exampleData() || cfg.vars.get("DISCORD_STEWARD_ROLE") != "Steward" {
		t.Errorf("config: zone %s, example data %v, steward role %q", cfg.Location, cfg.exampleData(), cfg.vars.get("DISCORD_STEWARD_ROLE"))
	}
	u := files.units
	if u.Name != "Riverside Council" || len(u.Units) != 3 || u.Units[0].Name != "Clerical" || u.Units[0].Members != 420 ||
		u.Units[2].Name != "Maintenance" || u.Units[2].Members != 1 || u.UnitsNeeded != 2 || u.Example {
		t.Errorf("units: %+v", u)
	}
	d := files.deadlines.defs
	if len(d) != 1 || d[0].Key != "contract-vote" || d[0].Name != "Contract vote" || d[0].Yearly || len(d[0].Leads) != 4 ||
		d[0].At.Format("2006-01-02 15:04 MST") != "2099-03-31 17:00 CDT" {
		t.Errorf("deadlines: %+v", d)
	}
}

// TestInitAsks checks that init asks its questions on the terminal, an
// empty answer keeping the default, and that no deadline means none.
func TestInitAsks(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runMain(dir, nil, "Local 7\n\n\n\nEurope/London\n\n", "init", dir)
	if code != 0 || !strings.Contains(out, "Time zone [America/New_York]: ") || !strings.Contains(out, "[Local 7]: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	cfg, files := loadInitFiles(t, dir)
	if cfg.Location.String() != "Europe/London" || len(files.units.Units) != 1 || files.units.Units[0].Name != "Local 7" ||
		len(files.deadlines.defs) != 0 || cfg.vars.get("SLACK_BOT_TOKEN") != "" {
		t.Errorf("zone %s, units %+v, deadlines %+v", cfg.Location, files.units.Units, files.deadlines.defs)
	}
}

// TestInitRefusesBeforeWriting checks that init writes nothing when a
// file exists (without --force) or an answer is wrong, and says why.
func TestInitRefusesBeforeWriting(t *testing.T) {
	for name, c := range map[string]struct {
		args  []string
		exist bool
		want  string
	}{
		"existing file":  {nil, true, "units.yaml already exist"},
		"bad time zone":  {[]string{"--timezone", "Mars/Olympus"}, false, `the time zone "Mars/Olympus" is not an IANA name`},
		"bad date":       {[]string{"--deadline", "next spring"}, false, `the deadline "next spring" is not a date`},
		"past date":      {[]string{"--deadline", "2001-01-01"}, false, "has passed"},
		"bad platform":   {[]string{"--platform", "irc"}, false, `the platform "irc" is not one of console, slack, discord`},
		"bad membership": {[]string{"--units", "A:0"}, false, "positive whole number"},
		"same unit":      {[]string{"--units", "A,a"}, false, "units do not make a valid list"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if c.exist {
				writeFile(t, dir, "units.yaml", "mine")
			}
			code, _, errOut := runMain(dir, nil, "", append(append([]string{"init", "--yes"}, c.args...), dir)...)
			if code != 1 || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, c.want)
			}
			entries, _ := os.ReadDir(dir)
			if want := map[bool]int{true: 1, false: 0}[c.exist]; len(entries) != want {
				t.Errorf("%d files in the directory, want %d", len(entries), want)
			}
			if c.exist {
				if b, _ := os.ReadFile(filepath.Join(dir, "units.yaml")); string(b) != "mine" {
					t.Errorf("units.yaml was overwritten: %q", b)
				}
			}
		})
	}
	dir := t.TempDir()
	writeFile(t, dir, ".env", "old")
	if code, _, errOut := runMain(dir, nil, "", "init", "--yes", "--force", dir); code != 0 {
		t.Errorf("--force: exit %d, %s", code, errOut)
	}
}

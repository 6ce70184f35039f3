package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// TestExampleDataOnlyWithoutDataFiles checks that the embedded example
// units and deadline are used only when neither data file is configured:
// a steward who configured one file gets none of the example.
func TestExampleDataOnlyWithoutDataFiles(t *testing.T) {
	dir := t.TempDir()
	units := writeFile(t, dir, "units.yaml", testUnitsFile)
	deadlines := writeFile(t, dir, "deadlines.yaml", testDeadlinesFile)
	for name, c := range map[string]struct {
		vars              map[string]string
		example, ratify   bool
		unitsWant, dlWant string
	}{
		"no files":       {nil, true, true, "Example unit 5", "Ratification deadline"},
		"units only":     {map[string]string{unitsFileVar: units}, false, false, "Clerks", "No upcoming deadlines"},
		"deadlines only": {map[string]string{deadlinesFileVar: deadlines}, false, false, "No list of units", "Contract vote"},
	} {
		t.Run(name, func(t *testing.T) {
			lines := runConsole(t, t.TempDir(), c.vars, "u> /unit", "d> /deadline list")
			gotUnits, gotDeadlines := replyTo(lines, "u"), replyTo(lines, "d")
			if !strings.Contains(gotUnits, c.unitsWant) || strings.Contains(gotUnits, "example data") != c.example {
				t.Errorf("/unit list = %q, want %q (example data: %v)", gotUnits, c.unitsWant, c.example)
			}
			if !strings.Contains(gotDeadlines, c.dlWant) || strings.Contains(gotDeadlines, "Ratification") != c.ratify {
				t.Errorf("/deadline list = %q, want %q", gotDeadlines, c.dlWant)
			}
		})
	}
}

// TestExampleDeadlineNeverGoesLive checks that serving Slack or Discord on
// the example data stores no example deadline, so no example reminder is
// ever posted to a real local, and removes one an earlier console session
// stored in the same database.
func TestExampleDeadlineNeverGoesLive(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := loadEnv(testEnv(dir, nil), filepath.Join(dir, "none.env"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		t.Fatal(err)
	}
	clock := bot.NewManualClock(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	keys := func(cfg config) []string {
		t.Helper()
		a, err := newApp(ctx, cfg, bottest.DiscardLogger(), clock)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		var live []string
		keys, err := a.stores.Reminders.DeadlineKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if d, err := a.stores.Reminders.DeadlineByKey(ctx, k); err == nil && d != nil && d.DeletedAt.IsZero() {
				live = append(live, k)
			}
		}
		return live
	}
	if got := keys(cfg); len(got) != 1 {
		t.Fatalf("the console stores deadlines %v, want the example one", got)
	}
	cfg.live = true
	if got := keys(cfg); len(got) != 0 {
		t.Errorf("serving a platform on example data keeps deadlines %v, want none", got)
	}
}

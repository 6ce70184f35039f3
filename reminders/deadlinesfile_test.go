package reminders

import (
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
)

func TestParseDeadlinesYearless(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	for now, want := range map[time.Time]string{
		time.Date(2026, 7, 1, 0, 0, 0, 0, ny):   "2026-08-31 17:00",
		time.Date(2026, 8, 31, 18, 0, 0, 0, ny): "2027-08-31 17:00",
	} {
		defs, err := ParseDeadlines(DefaultDeadlines(), now, ny)
		if err != nil {
			t.Fatal(err)
		}
		if len(defs) != 1 || !defs[0].Yearly || defs[0].At.In(ny).Format("2006-01-02 15:04") != want || len(defs[0].Leads) != 4 {
			t.Errorf("at %s: %+v, want the yearly deadline %s with 4 leads", now, defs, want)
		}
	}
}

func TestParseDeadlinesOwnZoneAndYear(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	defs, err := ParseDeadlines(bot.DataFile{Name: "deadlines.yaml", Data: []byte("deadlines:\n  - key: contract-vote\n    name: Contract vote\n    when: 2099-06-30 17:00\n    timezone: America/Chicago\n    leads: [3d]\n    note: Polls close at 5 PM Central.\n")},
		time.Date(2026, 7, 1, 0, 0, 0, 0, ny), ny)
	if err != nil {
		t.Fatal(err)
	}
	chicago := mustZone(t, "America/Chicago")
	if len(defs) != 1 || defs[0].Yearly || !defs[0].At.Equal(time.Date(2099, 6, 30, 17, 0, 0, 0, chicago)) || defs[0].Zone != "America/Chicago" ||
		len(defs[0].Leads) != 1 || defs[0].Leads[0] != 72*time.Hour || defs[0].Note != "Polls close at 5 PM Central." {
		t.Fatalf("%+v", defs)
	}
}

func TestParseDeadlinesNamesTheFault(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	for name, c := range map[string]struct{ file, want string }{
		"bad yaml":      {"deadlines: [", "not a valid deadlines file"},
		"unknown field": {"deadlines:\n  - key: a\n    name: A\n    when: Aug 31\n    lead: [1d]\n", "field lead not found"},
		"no key":        {"deadlines:\n  - name: A\n    when: Aug 31\n", "deadline number 1: key is missing"},
		"bad when":      {"deadlines:\n  - key: a\n    name: A\n    when: someday\n", "deadline a: when:"},
		"relative when": {"deadlines:\n  - key: a\n    name: A\n    when: in 3 days\n", "relative"},
		"bad zone":      {"deadlines:\n  - key: a\n    name: A\n    when: Aug 31\n    timezone: Mars/Olympus\n", "Unknown time zone"},
		"bad lead":      {"deadlines:\n  - key: a\n    name: A\n    when: Aug 31\n    leads: [soon]\n", "deadline a: leads:"},
		"long lead":     {"deadlines:\n  - key: a\n    name: A\n    when: Aug 31\n    leads: [400d]\n", "longer than a year"},
		"duplicate key": {"deadlines:\n  - key: a\n    name: A\n    when: Aug 31\n  - key: a\n    name: B\n    when: Sep 1\n", "used twice"},
	} {
		_, err := ParseDeadlines(bot.DataFile{Name: "bad.yaml", Data: []byte(c.file)}, time.Date(2026, 7, 1, 0, 0, 0, 0, ny), ny)
		if err == nil || !strings.HasPrefix(err.Error(), "bad.yaml: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to name bad.yaml and mention %q", name, err, c.want)
		}
	}
	if defs, err := ParseDeadlines(bot.DataFile{Name: "empty.yaml", Data: []byte("deadlines: []\n")}, time.Now(), ny); err != nil || len(defs) != 0 {
		t.Errorf("an empty list: %v, %v", defs, err)
	}
}

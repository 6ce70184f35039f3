package polls_test

import (
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

func TestExampleUnits(t *testing.T) {
	example, err := polls.ParseUnits(polls.ExampleUnits())
	if err != nil {
		t.Fatal(err)
	}
	p4, ok := example.Unit("P-4")
	if !example.Example || len(example.Units) != 15 || example.TotalMembers() != 45000 || !ok || p4.Members != 2600 ||
		example.UnitsNeeded != 14 || example.PercentNeeded != 80 {
		t.Fatalf("example units %+v", example)
	}
}

func TestParseUnitsNamesFileLineAndField(t *testing.T) {
	good := "coalition:\n  name: Local council\n  units_needed: 2\n  membership_percent: 60\nunits:\n  - name: Nurses\n    members: 300\n  - name: Clerks\n    members: 200\n    aliases: [Office]\n"
	c, err := polls.ParseUnits(bot.DataFile{Name: "units.yaml", Data: []byte(good)})
	if err != nil {
		t.Fatal(err)
	}
	if clerks, err := c.Find("office"); err != nil || clerks.Name != "Clerks" || c.Example || c.Name != "Local council" {
		t.Fatalf("parsed %+v; office is %+v, %v", c, clerks, err)
	}
	for content, want := range map[string]string{
		"coalition:\n  units_needed: 1\n  membership_percent: 50\nunits:\n  - name: A\n    members: 10\n  - name: B\n    members: 0\n": `line 7: units[1] ("B").members: must be a positive number`,
		"coalition:\n  units_needed: 3\n  membership_percent: 50\nunits:\n  - name: A\n    members: 10\n":                              "coalition.units_needed: must be between 1 and the number of units (1), got 3",
		"coalition:\n  units_needed: 1\n  membership_percent: 50\nunits:\n  - name: A\n    members: lots\n":                            "line 6: cannot unmarshal",
		"coalition:\n  units_needed: 1\nunits:\n  - name: A\n    members: 10\n    size: 3\n":                                           "field size not found",
		"": "the file is empty",
	} {
		_, err := polls.ParseUnits(bot.DataFile{Name: "bad.yaml", Data: []byte(content)})
		if err == nil || !strings.HasPrefix(err.Error(), "bad.yaml: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("units file %q: error %v, want it to name bad.yaml and say %q", content, err, want)
		}
	}
}

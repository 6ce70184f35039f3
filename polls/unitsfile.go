package polls

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/unionhall/unionhall/bot"
)

//go:embed units.example.yaml
var exampleUnits string

// ExampleUnits returns the unit list file used when none is configured:
// example data built from the seed news reports, marked as such. It
// documents the file format.
func ExampleUnits() bot.DataFile {
	return bot.DataFile{Name: "embedded example units", Data: []byte(exampleUnits)}
}

// unitsFile is the YAML form of a unit list.
type unitsFile struct {
	Example bool `yaml:"example"`
	// SelfDeclared lets members name their unit with /unit; true when
	// absent, as before the setting existed.
	SelfDeclared *bool `yaml:"self_declared"`
	Coalition    struct {
		Name              string  `yaml:"name"`
		UnitsNeeded       int     `yaml:"units_needed"`
		MembershipPercent float64 `yaml:"membership_percent"`
	} `yaml:"coalition"`
	Units []struct {
		Name        string   `yaml:"name"`
		Members     int      `yaml:"members"`
		Aliases     []string `yaml:"aliases"`
		DiscordRole string   `yaml:"discord_role"`
		SlackGroup  string   `yaml:"slack_group"`
	} `yaml:"units"`
}

// unitIndex finds "units[3]" in a validation error, to point at its line.
var unitIndex = regexp.MustCompile(`^units\[(\d+)\]`)

// ParseUnits reads and validates a unit list file (the format of
// ExampleUnits). Errors name the file by name, the line where known, and
// the field.
func ParseUnits(file bot.DataFile) (*Coalition, error) {
	name, data := file.Name, file.Data
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f unitsFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the file is empty; it needs a coalition and a list of units", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := &Coalition{
		Name:            f.Coalition.Name,
		Example:         f.Example,
		UnitsNeeded:     f.Coalition.UnitsNeeded,
		PercentNeeded:   f.Coalition.MembershipPercent,
		FixedMembership: f.SelfDeclared != nil && !*f.SelfDeclared,
	}
	for _, u := range f.Units {
		c.Units = append(c.Units, Unit{Name: u.Name, Members: u.Members, Aliases: u.Aliases, DiscordRole: strings.TrimSpace(u.DiscordRole), SlackGroup: strings.TrimSpace(u.SlackGroup)})
	}
	if err := c.Validate(); err != nil {
		if m := unitIndex.FindStringSubmatch(err.Error()); m != nil {
			i, _ := strconv.Atoi(m[1])
			if line := unitLine(data, i); line > 0 {
				return nil, fmt.Errorf("%s: line %d: %w", name, line, err)
			}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

// unitLine returns the line of the i-th entry of "units", or 0.
func unitLine(data []byte, i int) int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	root := doc.Content[0]
	for k := 0; k+1 < len(root.Content); k += 2 {
		if root.Content[k].Value == "units" {
			if list := root.Content[k+1]; i < len(list.Content) {
				return list.Content[i].Line
			}
		}
	}
	return 0
}

package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/sqlite"
)

// exampleUnits is the unit list used when UNIONHALL_UNITS_FILE is unset:
// example data built from the seed news reports, marked as such.
//
//go:embed units.example.yaml
var exampleUnits []byte

// registerPolls wires straw polls, /vote and /unit, and the job that
// closes polls at their deadlines.
func (a *app) registerPolls(ctx context.Context) error {
	name, data := "embedded example units", exampleUnits
	if path := a.cfg.vars.get("UNIONHALL_UNITS_FILE"); path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return fmt.Errorf("UNIONHALL_UNITS_FILE: %w", err)
		}
		name = path
	}
	units, err := parseUnits(name, data)
	if err != nil {
		if name != "embedded example units" {
			return fmt.Errorf("UNIONHALL_UNITS_FILE: %w", err)
		}
		return err
	}
	svc, err := polls.NewService(polls.Config{
		Store:    sqlite.NewPollStore(a.db),
		Clock:    a.clock,
		Location: a.cfg.Location,
		Units:    units,
		Log:      a.log.With("feature", "polls"),
	})
	if err != nil {
		return err
	}
	for _, c := range svc.Commands() {
		a.router.Register(c)
	}
	a.services = append(a.services, func(ctx context.Context, hub *bot.Hub) error {
		return svc.RunCloser(ctx, hub)
	})
	return nil
}

// unitsFile is the YAML form of a unit list.
type unitsFile struct {
	Example   bool `yaml:"example"`
	Coalition struct {
		Name              string  `yaml:"name"`
		UnitsNeeded       int     `yaml:"units_needed"`
		MembershipPercent float64 `yaml:"membership_percent"`
	} `yaml:"coalition"`
	Units []struct {
		Name    string   `yaml:"name"`
		Members int      `yaml:"members"`
		Aliases []string `yaml:"aliases"`
	} `yaml:"units"`
}

// unitIndex finds "units[3]" in a validation error, to point at its line.
var unitIndex = regexp.MustCompile(`^units\[(\d+)\]`)

// parseUnits reads and validates a unit list. Errors name the file, the
// line where known, and the field.
func parseUnits(name string, data []byte) (*polls.Coalition, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f unitsFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the file is empty; it needs a coalition and a list of units", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := &polls.Coalition{
		Name:          f.Coalition.Name,
		Example:       f.Example,
		UnitsNeeded:   f.Coalition.UnitsNeeded,
		PercentNeeded: f.Coalition.MembershipPercent,
	}
	for _, u := range f.Units {
		c.Units = append(c.Units, polls.Unit{Name: u.Name, Members: u.Members, Aliases: u.Aliases})
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

package main

import (
	"fmt"
	"os"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/store/sqlite"
)

// registerPolls wires straw polls, /vote and /unit, and the job that
// closes polls at their deadlines.
func (a *app) registerPolls(units *polls.Coalition) error {
	svc, err := polls.New(polls.Config{
		Store:    sqlite.NewPollStore(a.db),
		Poster:   a.hub,
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
	a.services = append(a.services, svc.Run)
	return nil
}

// loadUnits reads the unit list from UNIONHALL_UNITS_FILE, or the example
// list when it is unset.
func (c config) loadUnits() (*polls.Coalition, error) {
	path := c.vars.get("UNIONHALL_UNITS_FILE")
	if path == "" {
		return polls.ParseUnits(polls.ExampleUnitsName, polls.ExampleUnits())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("UNIONHALL_UNITS_FILE: %w", err)
	}
	units, err := polls.ParseUnits(path, data)
	if err != nil {
		return nil, fmt.Errorf("UNIONHALL_UNITS_FILE: %w", err)
	}
	return units, nil
}

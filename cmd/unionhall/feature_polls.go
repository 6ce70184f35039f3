package main

import (
	"github.com/unionhall/unionhall/polls"
)

// registerPolls wires straw polls, /vote and /unit, and the job that
// closes polls at their deadlines.
func (a *app) registerPolls(units *polls.Coalition) error {
	svc, err := polls.New(polls.Config{
		Store:    a.stores.Polls,
		Poster:   a.hub,
		Clock:    a.clock,
		Location: a.cfg.Location,
		Units:    units,
		Roster:   a.stores.Roster,
		Nudges:   a.stores.Nudges,
		Log:      a.log.With("feature", "polls"),
	})
	if err != nil {
		return err
	}
	a.register(svc.Commands(), svc.Run)
	return nil
}

// loadUnits reads the unit list from UNIONHALL_UNITS_FILE, or the example
// list when it is unset.
func (c config) loadUnits() (*polls.Coalition, error) {
	units, _, err := loadFile(c, "UNIONHALL_UNITS_FILE", polls.ExampleUnits(), polls.ParseUnits)
	return units, err
}

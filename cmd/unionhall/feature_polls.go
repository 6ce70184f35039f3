package main

import (
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/polls/chart"
	"github.com/unionhall/unionhall/store"
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
		Metrics:  a.metrics,
		Charter:  chart.Drawer{},
	})
	if err != nil {
		return err
	}
	a.register(svc.Commands(), svc.Run)
	a.cards = svc
	a.wakeOn(store.WakePolls, svc.Wake)
	return nil
}

// loadUnits reads the unit list from UNIONHALL_UNITS_FILE. When it is
// unset, polls have no unit list, unless no data file is configured at
// all: then the example list is used (see exampleData).
func (c config) loadUnits() (*polls.Coalition, error) {
	if c.vars.get(unitsFileVar) == "" && !c.exampleData() {
		return nil, nil
	}
	units, _, err := loadFile(c, unitsFileVar, polls.ExampleUnits(), polls.ParseUnits)
	return units, err
}

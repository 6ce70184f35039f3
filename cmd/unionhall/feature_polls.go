package main

import "context"

// registerPolls wires straw polls, /vote and /unit.
func (a *app) registerPolls(ctx context.Context) error {
	return nil
}

package main

import "context"

// registerReminders wires deadlines, reminders and their scheduler.
func (a *app) registerReminders(ctx context.Context) error {
	return nil
}

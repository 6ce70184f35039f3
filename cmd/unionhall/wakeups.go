package main

import (
	"context"
)

// wakeOn has wake called whenever any process on the database brings a
// schedule of topic forward (store.WakeReminders, store.WakePolls), so
// that this process's scheduler for it looks at once rather than at its
// next check. On an engine that serves one process (SQLite), whose
// features wake their own schedulers, it does nothing.
func (a *app) wakeOn(topic string, wake func()) {
	if a.stores.Wakeups == nil {
		return
	}
	if a.wakers == nil {
		a.wakers = map[string][]func(){}
		a.services = append(a.services, a.listenWakeups)
	}
	a.wakers[topic] = append(a.wakers[topic], wake)
}

// listenWakeups passes the database's wake-ups on to the schedulers until
// ctx ends. The wakers are all registered before it runs.
func (a *app) listenWakeups(ctx context.Context) error {
	return a.stores.Wakeups.ListenWakeups(ctx, a.log, func(topic string) {
		for _, wake := range a.wakers[topic] {
			wake()
		}
	})
}

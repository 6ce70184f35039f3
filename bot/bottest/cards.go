package bottest

import (
	"context"
	"slices"
	"sync"
)

// CardLocations is an in-memory bot.CardLocations for tests. One value
// shared by an adapter and its replacement stands for the database that a
// process and its restart share. It is safe for concurrent use.
type CardLocations struct {
	mu    sync.Mutex
	locs  map[string][]string // platform + " " + key → locations
	ops   []string
	reads int
	fail  error
}

// NewCardLocations returns an empty store.
func NewCardLocations() *CardLocations {
	return &CardLocations{locs: map[string][]string{}}
}

// Fail makes every later call return err (nil to succeed again).
func (m *CardLocations) Fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// SaveCardLocation records location for key, once.
func (m *CardLocations) SaveCardLocation(_ context.Context, platform, key, location string) error {
	return m.write("save", platform, key, location, func(locs []string) []string {
		if slices.Contains(locs, location) {
			return locs
		}
		return append(locs, location)
	})
}

// CardLocations returns the locations of key, and counts the read.
func (m *CardLocations) CardLocations(_ context.Context, platform, key string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	if m.fail != nil {
		return nil, m.fail
	}
	return slices.Clone(m.locs[platform+" "+key]), nil
}

// ForgetCardLocation drops location from key.
func (m *CardLocations) ForgetCardLocation(_ context.Context, platform, key, location string) error {
	return m.write("forget", platform, key, location, func(locs []string) []string {
		return slices.DeleteFunc(locs, func(l string) bool { return l == location })
	})
}

// write records the attempt to op location (see Ops) and, unless the
// store is failing, changes the locations of key with change.
func (m *CardLocations) write(op, platform, key, location string, change func([]string) []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ops = append(m.ops, op+" "+location)
	if m.fail != nil {
		return m.fail
	}
	k := platform + " " + key
	m.locs[k] = change(m.locs[k])
	return nil
}

// Locations returns what is stored for key, without counting a read.
func (m *CardLocations) Locations(platform, key string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.locs[platform+" "+key])
}

// Reads returns how many times CardLocations was called.
func (m *CardLocations) Reads() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads
}

// Ops returns the writes attempted, in order: "save <location>" or
// "forget <location>".
func (m *CardLocations) Ops() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.ops)
}

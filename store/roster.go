package store

import (
	"context"
	"fmt"

	"github.com/unionhall/unionhall/polls"
)

// UnitSize is how many distinct people one unit has on the roster.
type UnitSize struct {
	Unit   string
	People int
}

// RosterEngine is the roster's statements in one engine's SQL. Each
// method is one statement, or one transaction, and returns the
// database's error as it is; Roster says what failed.
type RosterEngine interface {
	// WriteRoster deletes the roster and inserts entries, in one
	// transaction.
	WriteRoster(ctx context.Context, entries []polls.RosterEntry) error
	// AnyRoster reports whether the roster has a row.
	AnyRoster(ctx context.Context) (bool, error)
	// UnitOnRoster returns member's unit, and false when member is not
	// on the roster.
	UnitOnRoster(ctx context.Context, member string) (string, bool, error)
	// UnitSizes returns the number of distinct people of each unit.
	UnitSizes(ctx context.Context) ([]UnitSize, error)
	// MembersOf returns the members of units (of every unit when units
	// is empty), sorted bytewise.
	MembersOf(ctx context.Context, units []string) ([]string, error)
}

// Roster implements polls.RosterStore on an engine: the statements are
// the engine's, what a failure says to the operator is written here once.
type Roster struct {
	Engine RosterEngine
}

var _ polls.RosterStore = Roster{}

// ReplaceRoster implements polls.RosterStore.
func (r Roster) ReplaceRoster(ctx context.Context, entries []polls.RosterEntry) error {
	if err := r.Engine.WriteRoster(ctx, entries); err != nil {
		return fmt.Errorf("replace roster: %w", err)
	}
	return nil
}

// HasRoster implements polls.RosterStore.
func (r Roster) HasRoster(ctx context.Context) (bool, error) {
	ok, err := r.Engine.AnyRoster(ctx)
	if err != nil {
		return false, fmt.Errorf("read roster: %w", err)
	}
	return ok, nil
}

// RosterUnit implements polls.RosterStore.
func (r Roster) RosterUnit(ctx context.Context, member string) (string, bool, error) {
	unit, ok, err := r.Engine.UnitOnRoster(ctx, member)
	if err != nil {
		return "", false, fmt.Errorf("read roster unit of %s: %w", member, err)
	}
	return unit, ok, nil
}

// RosterSizes implements polls.RosterStore.
func (r Roster) RosterSizes(ctx context.Context) (map[string]int, error) {
	sizes, err := r.Engine.UnitSizes(ctx)
	if err != nil {
		return nil, fmt.Errorf("read roster sizes: %w", err)
	}
	out := make(map[string]int, len(sizes))
	for _, s := range sizes {
		out[s.Unit] = s.People
	}
	return out, nil
}

// RosterMembers implements polls.RosterStore.
func (r Roster) RosterMembers(ctx context.Context, units []string) ([]string, error) {
	members, err := r.Engine.MembersOf(ctx, units)
	if err != nil {
		return nil, fmt.Errorf("read roster members: %w", err)
	}
	return members, nil
}

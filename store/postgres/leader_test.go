package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// TestOneProcessLeads: of two processes, the first to try holds the role
// and the other is refused; when the holder's connection is killed (as
// when its process dies), the holder learns it has lost the role and
// the other takes it. A released role is free at once.
func TestOneProcessLeads(t *testing.T) {
	ctx := context.Background()
	clock := bot.NewManualClock(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC))
	dbs := openProcesses(t, pgtest.Fresh(t), clock, 2)
	lost, release, ok, err := dbs[0].TryLead(ctx, "discord-gateway")
	if err != nil || !ok {
		t.Fatalf("first try: %v, %v", ok, err)
	}
	defer release()
	if _, _, ok, err := dbs[1].TryLead(ctx, "discord-gateway"); err != nil || ok {
		t.Fatalf("a second process took a held role: %v, %v", ok, err)
	}
	if _, rel, ok, err := dbs[1].TryLead(ctx, "another role"); err != nil || !ok {
		t.Fatalf("another role: %v, %v", ok, err)
	} else {
		rel()
	}

	// Kill the holder's connection.
	var killed bool
	err = dbs[1].Pool().QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND objid = hashtext('discord-gateway')::oid`).Scan(&killed)
	if err != nil || !killed {
		t.Fatalf("terminate the holder's connection: %v, %v", killed, err)
	}
	var release2 func()
	bottest.WaitFor(t, "the other process to take the role", func() bool {
		_, rel, ok, err := dbs[1].TryLead(ctx, "discord-gateway")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			release2 = rel
		}
		return ok
	})
	bottest.WaitFor(t, "the old holder to learn it lost the role", func() bool {
		clock.Advance(time.Second)
		select {
		case <-lost:
			return true
		default:
			return false
		}
	})
	release2()
	if _, rel, ok, err := dbs[0].TryLead(ctx, "discord-gateway"); err != nil || !ok {
		t.Fatalf("a released role was not free: %v, %v", ok, err)
	} else {
		rel()
	}
}

package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/bot/backoff"
)

// leaderLockClass is the first key of the session advisory locks that
// make one process the holder of a role ("UnHL" in ASCII); the second is
// a hash of the role's name.
const leaderLockClass int32 = 0x556e484c

// leaderCheck is how often a holder checks that its lock's connection is
// alive. A holder whose connection fails stops within this time; the
// server frees the lock as soon as it sees the connection close.
const leaderCheck = 2 * time.Second

// TryLead tries once, without waiting, to make this process the one
// holder of role (e.g. "discord-gateway") among all processes on the
// database. It takes a PostgreSQL session advisory lock on a connection
// of its own, outside the pool, which it keeps open while the role is
// held: when the process dies, its connection closes and the server frees
// the lock for another process to take. ok is false when another process
// holds the role. While the role is held, the connection is checked every
// leaderCheck (on the DB's clock); lost is closed when the check fails or
// release is called, after which the role may already be another's.
// release gives the role up; it may be called more than once.
func (db *DB) TryLead(ctx context.Context, role string) (lost <-chan struct{}, release func(), ok bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, db.connConfig.Copy())
	if err != nil {
		return nil, nil, false, db.describe(fmt.Errorf("connect to hold %s: %w", role, err))
	}
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, leaderLockClass, role).Scan(&ok); err != nil || !ok {
		conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return nil, nil, false, db.describe(fmt.Errorf("take %s: %w", role, err))
		}
		return nil, nil, false, nil
	}
	done := make(chan struct{})
	watch, stopWatch := context.WithCancel(context.Background())
	// The watcher alone uses the connection from here on, and closes it.
	go func() {
		defer func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			// Closing the session frees its advisory locks.
			conn.Close(closeCtx)
			close(done)
		}()
		for backoff.Sleep(watch, db.Clock, leaderCheck) == nil {
			pingCtx, cancel := context.WithTimeout(watch, leaderCheck)
			err := conn.Ping(pingCtx)
			cancel()
			if err != nil {
				return
			}
		}
	}()
	end := func() {
		stopWatch()
		<-done
	}
	return done, end, true, nil
}

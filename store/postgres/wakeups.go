package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/unionhall/unionhall/bot/backoff"
	"github.com/unionhall/unionhall/store"
)

// wakeChannel is the channel the triggers of migration 0030 notify on
// when a schedule is brought forward.
const wakeChannel = "unionhall_wake"

// wakeApplication is the application_name of the listening connection
// (unless the URL names one), so that an administrator can tell it apart
// in pg_stat_activity.
const wakeApplication = "unionhall wake-ups"

// wakeCheck is how long the listening connection may stay silent before
// it is pinged, so that a connection the network dropped without a word
// is noticed and replaced.
const wakeCheck = 30 * time.Second

// wakeReconnect is how long ListenWakeups waits before each attempt to
// connect again: half a second after the first failure, doubling up to
// half a minute, less up to a fifth so that processes cut off together do
// not all come back together.
func wakeReconnect() backoff.Policy {
	return backoff.Policy{Initial: 500 * time.Millisecond, Max: 30 * time.Second, Jitter: 0.2}
}

// ListenWakeups calls wake with the topic of every notification on the
// wake channel (see store.Wakeups), on a connection of its own outside
// the pool, with LISTEN and pgx's WaitForNotification. When the
// connection fails it connects again, waiting on db's clock as
// wakeReconnect says; every topic is woken once it listens again.
func (db *DB) ListenWakeups(ctx context.Context, log *slog.Logger, wake func(topic string)) error {
	policy := wakeReconnect()
	failed := 0
	for {
		listened, err := db.listenWakeups(ctx, wake)
		if ctx.Err() != nil {
			return nil
		}
		if listened {
			failed = 0
		}
		failed++
		wait := policy.Delay(failed)
		log.Warn("lost the database connection that hears of schedule changes made by other processes; connecting again",
			"err", err, "wait", wait.String())
		if backoff.Sleep(ctx, db.Clock, wait) != nil {
			return nil
		}
	}
}

// listenWakeups connects, listens, wakes every topic, and then passes each
// notification on until the connection fails or ctx ends. It reports
// whether it got as far as listening.
func (db *DB) listenWakeups(ctx context.Context, wake func(topic string)) (listened bool, err error) {
	cfg := db.connConfig.Copy()
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = wakeApplication
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, db.describe(fmt.Errorf("connect to listen for schedule changes: %w", err))
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+wakeChannel); err != nil {
		return false, db.describe(fmt.Errorf("listen for schedule changes: %w", err))
	}
	for _, topic := range store.WakeTopics() {
		wake(topic)
	}
	for {
		waitCtx, cancel := context.WithTimeout(ctx, wakeCheck)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case err == nil:
			wake(n.Payload)
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
			pingCtx, cancel := context.WithTimeout(ctx, wakeCheck)
			err := conn.Ping(pingCtx)
			cancel()
			if err != nil {
				return true, db.describe(fmt.Errorf("check the connection that listens for schedule changes: %w", err))
			}
		default:
			return true, db.describe(fmt.Errorf("wait for schedule changes: %w", err))
		}
	}
}

package postgres

import (
	"context"
	"time"
)

// FirstDelivery records that this process takes on the delivery id from
// platform at now, and reports whether it is the first to, within ttl:
// false when any process on the database recorded the same delivery
// less than ttl before now. The insert's primary key decides between
// processes racing on one delivery: the one whose row is inserted wins,
// and the others, which wait for its commit, find the row fresh and
// change nothing. A record older than ttl is taken over, as a new
// delivery.
func (db *DB) FirstDelivery(ctx context.Context, platform, id string, now time.Time, ttl time.Duration) (bool, error) {
	n, err := db.exec(ctx, "record delivery "+platform+" "+id,
		`INSERT INTO deliveries (platform, id, seen_at) VALUES ($1, $2, $3)
		ON CONFLICT (platform, id) DO UPDATE SET seen_at = excluded.seen_at WHERE deliveries.seen_at <= $4`,
		platform, id, stamp(now, toMilli), stamp(now.Add(-ttl), toMilli))
	return n == 1, err
}

// SweepDeliveries deletes the records of deliveries taken on before
// before, and reports how many it deleted.
func (db *DB) SweepDeliveries(ctx context.Context, before time.Time) (int64, error) {
	return db.exec(ctx, "sweep deliveries", `DELETE FROM deliveries WHERE seen_at < $1`, stamp(before, toMilli))
}

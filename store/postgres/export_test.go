package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store"
)

// OpenNewer opens the database at url as a later version of Union Hall
// would, one that knows the migrations of this one and then next.
func OpenNewer(ctx context.Context, url string, next ...store.Migration) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	migs, err := store.Migrations(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	return open(ctx, cfg, bot.SystemClock{}, append(migs, next...))
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/store/migrate"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/sqlite"
)

// cmdMigrate copies an installation's SQLite file into an empty
// PostgreSQL database (see store/migrate), then prints each table's row
// count on both sides. The SQLite file is first brought up to this
// version's schema, as running this version on it would.
func cmdMigrate(ctx context.Context, args []string, std stdio) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(std.err)
	from := fs.String("from", "", "the SQLite file to copy (the installation's UNIONHALL_DB)")
	to := fs.String("to", "", "the empty PostgreSQL database to copy into, as a postgres:// URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || !isPostgresURL(*to) || fs.NArg() > 0 {
		return errors.New("migrate: give --from with the SQLite file and --to with a postgres:// URL, e.g. unionhall migrate --from unionhall.db --to postgres://user:password@host/unionhall")
	}
	if _, err := os.Stat(*from); err != nil {
		return fmt.Errorf("migrate: the SQLite file %s cannot be read: %w", *from, err)
	}
	clock := bot.SystemClock{}
	src, err := sqlite.Open(ctx, *from, clock)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to, clock)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer dst.Close()
	conn, err := pgx.Connect(ctx, *to)
	if err != nil {
		return fmt.Errorf("migrate: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	counts, err := migrate.Copy(ctx, src.Reader(), conn)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintf(std.out, "%-22s %10s %10s\n", "table", "SQLite", "PostgreSQL")
	for _, c := range counts {
		fmt.Fprintf(std.out, "%-22s %10d %10d\n", c.Table, c.Source, c.Target)
	}
	fmt.Fprintln(std.out, "Copied; every table's rows are counted the same on both sides. Set UNIONHALL_DB to the PostgreSQL URL.")
	return nil
}

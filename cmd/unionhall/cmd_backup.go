package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/unionhall/unionhall/backup"
	"github.com/unionhall/unionhall/bot"
)

// errPostgresBackup explains that backups of PostgreSQL are PostgreSQL's
// own tools' job.
var errPostgresBackup = errors.New("UNIONHALL_DB is a PostgreSQL database: back it up with pg_dump and restore it with pg_restore or psql; unionhall backup and restore handle SQLite files")

// cmdBackup is "unionhall backup FILE": a consistent copy of the SQLite
// database, made while the bot may be running.
func cmdBackup(ctx context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error {
	file, cfg, err := backupArgs("backup", args, std, lookupEnv)
	if err != nil {
		return err
	}
	if err := backup.Copy(ctx, cfg.DBPath, file); err != nil {
		return err
	}
	fmt.Fprintf(std.out, "Backed up %s to %s.\n", cfg.DBPath, file)
	return nil
}

// cmdRestore is "unionhall restore FILE": the SQLite database replaced by
// a backup, while no bot runs on it.
func cmdRestore(ctx context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error {
	file, cfg, err := backupArgs("restore", args, std, lookupEnv)
	if err != nil {
		return err
	}
	kept, err := backup.Restore(ctx, file, cfg.DBPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(std.out, "Restored %s from %s.\n", cfg.DBPath, file)
	if kept != "" {
		fmt.Fprintf(std.out, "The database it replaced is kept as %s.\n", kept)
	}
	return nil
}

// backupArgs reads the one FILE argument of backup and restore and the
// configuration, refusing PostgreSQL.
func backupArgs(name string, args []string, std stdio, lookupEnv func(string) (string, bool)) (string, config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(std.err)
	if err := fs.Parse(args); err != nil {
		return "", config{}, err
	}
	if fs.NArg() != 1 {
		return "", config{}, fmt.Errorf("%s needs one FILE argument; see unionhall %s --help", name, name)
	}
	cfg, err := configFrom(lookupEnv)
	if err != nil {
		return "", cfg, err
	}
	if isPostgresURL(cfg.DBPath) {
		return "", cfg, errPostgresBackup
	}
	return fs.Arg(0), cfg, nil
}

// holdDatabase marks the SQLite database as in use by this bot until the
// returned function is called, so that a restore refuses to replace it;
// PostgreSQL needs no mark.
func holdDatabase(dsn string) (release func() error, err error) {
	if isPostgresURL(dsn) {
		return func() error { return nil }, nil
	}
	return backup.InUse(dsn)
}

// dailyBackups returns the daily backups into UNIONHALL_BACKUP_DIR,
// keeping UNIONHALL_BACKUP_KEEP of them, on clock and logging to log; nil
// when the directory is not set.
func (c config) dailyBackups(clock bot.Clock, log *slog.Logger) (*backup.Daily, error) {
	dir := c.vars.get("UNIONHALL_BACKUP_DIR")
	if dir == "" {
		return nil, nil
	}
	if isPostgresURL(c.DBPath) {
		return nil, fmt.Errorf("UNIONHALL_BACKUP_DIR: %w", errPostgresBackup)
	}
	keep := backup.DefaultKeep
	if s := c.vars.get("UNIONHALL_BACKUP_KEEP"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("UNIONHALL_BACKUP_KEEP: %q is not a whole number of backups, 1 or more", s)
		}
		keep = n
	}
	return &backup.Daily{DB: c.DBPath, Dir: dir, Keep: keep, Clock: clock, Location: c.Location, Log: log.With("component", "backup")}, nil
}

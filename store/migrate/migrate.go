// Package migrate copies a Union Hall installation from its SQLite file
// into an empty PostgreSQL database, so that an installation can move to
// several processes on one database without losing a poll, a ballot, a
// reminder's record of posts or the salt its member hashes are keyed
// with.
//
// Every table is named once, in Tables, in the order foreign keys need.
// How each value is converted follows from the PostgreSQL column it goes
// to (a SQLite text time becomes a timestamptz, a JSON list of options a
// text array, a zero-padded counter a number), so a column added to both
// engines' schemas is copied with no change here; a table added to
// SQLite's schema and not to Tables makes Copy refuse to run, and the
// package's tests fail, until it is named.
//
// The copy is one PostgreSQL transaction: every row it writes carries the
// same transaction ID, so the copy adds nothing that links a secret
// ballot's participant to a counter. Participants and counters are
// written in primary key order, never in an order SQLite could have kept
// from voting.
package migrate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Table is one table the copy moves, with the order its rows are written
// in.
type Table struct {
	// Name is the table's name in both schemas.
	Name string
	// OrderBy is the SQLite ORDER BY clause rows are read in: the primary
	// key, or where PostgreSQL numbers rows as they arrive (card
	// locations' id), the order SQLite saved them in.
	OrderBy string
}

// Tables returns the tables of a Union Hall database, parents before the
// tables that refer to them.
func Tables() []Table {
	return []Table{
		{Name: "settings", OrderBy: "key"},
		{Name: "faq_feedback", OrderBy: "entry_id, member"},
		{Name: "faq_unanswered", OrderBy: "question_key, member"},
		{Name: "faq_phrasings", OrderBy: "id"},
		{Name: "faq_passage_answers", OrderBy: "question_key, member"},
		{Name: "faq_promotions", OrderBy: "id"},
		{Name: "polls", OrderBy: "id"},
		{Name: "poll_ballots", OrderBy: "poll_id, voter"},
		{Name: "poll_participants", OrderBy: "poll_id, voter"},
		{Name: "poll_tally", OrderBy: "poll_id, option, unit"},
		{Name: "poll_rankings", OrderBy: "poll_id, ranking"},
		{Name: "poll_events", OrderBy: "poll_id, kind"},
		{Name: "poll_audit", OrderBy: "id"},
		{Name: "member_units", OrderBy: "member"},
		{Name: "roster", OrderBy: "member"},
		{Name: "poll_nudges", OrderBy: "poll_id"},
		{Name: "deadlines", OrderBy: "id"},
		{Name: "reminders", OrderBy: "id"},
		{Name: "reminder_deliveries", OrderBy: "reminder_id, occurrence, platform"},
		{Name: "card_locations", OrderBy: "saved_at, rowid"},
	}
}

// bookkeeping reports whether a SQLite table is not the installation's
// data: the schema's own record (PostgreSQL keeps its own) and SQLite's
// counters of AUTOINCREMENT keys (PostgreSQL's sequences are set from the
// copied keys).
func bookkeeping(table string) bool {
	return table == "schema_migrations" || table == "sqlite_sequence"
}

// Count is how many rows one table holds on each side after a copy.
type Count struct {
	// Table is the table's name.
	Table string
	// Source and Target are its row counts in SQLite and PostgreSQL.
	Source, Target int64
}

// Uncopied returns the tables of the SQLite database src that Tables does
// not name, so that a table added to the schema is not left behind.
func Uncopied(ctx context.Context, src *sql.DB) ([]string, error) {
	names, err := sqliteNames(ctx, src, "list the SQLite tables", `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range names {
		if !bookkeeping(name) && !slices.ContainsFunc(Tables(), func(t Table) bool { return t.Name == name }) {
			out = append(out, name)
		}
	}
	return out, nil
}

// sqliteNames runs query on src and returns the one text column of its
// rows; what says what was being read, for errors.
func sqliteNames(ctx context.Context, src *sql.DB, what, query string, args ...any) ([]string, error) {
	rows, err := src.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// ErrNotEmpty is returned by Copy when the target database already holds
// data: the copy never merges two installations.
var ErrNotEmpty = errors.New("the PostgreSQL database already holds Union Hall data; migrate copies only into an empty database (create a new one, or drop this one's tables)")

// Copy copies every table of the SQLite database src into dst, whose
// schema the PostgreSQL store's migrations have applied and whose tables
// are empty, in one transaction; then it counts each table's rows on both
// sides and returns the counts, or an error when any differ. It refuses
// to start when dst holds a row (ErrNotEmpty) or src has a table Tables
// does not name.
func Copy(ctx context.Context, src *sql.DB, dst *pgx.Conn) ([]Count, error) {
	if missing, err := Uncopied(ctx, src); err != nil {
		return nil, err
	} else if len(missing) > 0 {
		return nil, fmt.Errorf("the SQLite database has tables this version cannot copy: %s", strings.Join(missing, ", "))
	}
	for _, t := range Tables() {
		n, err := countTarget(ctx, dst, t.Name)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("table %s has %d rows: %w", t.Name, n, ErrNotEmpty)
		}
	}
	err := pgx.BeginFunc(ctx, dst, func(tx pgx.Tx) error {
		for _, t := range Tables() {
			if err := copyTable(ctx, src, tx, t); err != nil {
				return fmt.Errorf("copy table %s: %w", t.Name, err)
			}
		}
		return resetIdentities(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return Verify(ctx, src, dst)
}

// Verify counts every table's rows in src and dst and returns the counts,
// with an error naming the tables whose counts differ.
func Verify(ctx context.Context, src *sql.DB, dst *pgx.Conn) ([]Count, error) {
	var counts []Count
	var differ []string
	for _, t := range Tables() {
		c := Count{Table: t.Name}
		if err := src.QueryRowContext(ctx, `SELECT count(*) FROM `+t.Name).Scan(&c.Source); err != nil {
			return nil, fmt.Errorf("count %s in SQLite: %w", t.Name, err)
		}
		n, err := countTarget(ctx, dst, t.Name)
		if err != nil {
			return nil, err
		}
		c.Target = n
		counts = append(counts, c)
		if c.Source != c.Target {
			differ = append(differ, fmt.Sprintf("%s (%d in SQLite, %d in PostgreSQL)", t.Name, c.Source, c.Target))
		}
	}
	if len(differ) > 0 {
		return counts, fmt.Errorf("row counts differ after the copy: %s", strings.Join(differ, "; "))
	}
	return counts, nil
}

func countTarget(ctx context.Context, dst *pgx.Conn, table string) (int64, error) {
	var n int64
	if err := dst.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s in PostgreSQL: %w", table, err)
	}
	return n, nil
}

// column is a PostgreSQL column and how a SQLite value becomes its value.
type column struct {
	name    string
	convert func(any) (any, error)
}

// copyTable reads t from src in t.OrderBy and writes it to tx with COPY,
// which keeps the identity values it is given.
func copyTable(ctx context.Context, src *sql.DB, tx pgx.Tx, t Table) error {
	cols, err := targetColumns(ctx, tx, src, t.Name)
	if err != nil {
		return err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+t.Name+` ORDER BY `+t.OrderBy)
	if err != nil {
		return fmt.Errorf("read from SQLite: %w", err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		raw := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read from SQLite: %w", err)
		}
		for i, c := range cols {
			if raw[i], err = c.convert(raw[i]); err != nil {
				return fmt.Errorf("row %d, column %s: %w", len(out)+1, c.name, err)
			}
		}
		out = append(out, raw)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read from SQLite: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, names, pgx.CopyFromRows(out)); err != nil {
		return fmt.Errorf("write to PostgreSQL: %w", err)
	}
	return nil
}

// targetColumns returns the PostgreSQL columns of table that SQLite also
// has, each with its conversion. A SQLite column PostgreSQL lacks is an
// error; a PostgreSQL column SQLite lacks is left to its default.
func targetColumns(ctx context.Context, tx pgx.Tx, src *sql.DB, table string) ([]column, error) {
	have, err := sqliteColumns(ctx, src, table)
	if err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT column_name, udt_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	type pgColumn struct{ name, udt string }
	pg, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (c pgColumn, err error) {
		err = r.Scan(&c.name, &c.udt)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the PostgreSQL columns: %w", err)
	}
	var out []column
	for _, c := range pg {
		if !slices.Contains(have, c.name) {
			continue
		}
		conv := converter(c.udt)
		if conv == nil {
			return nil, fmt.Errorf("column %s: no conversion from SQLite to PostgreSQL type %s", c.name, c.udt)
		}
		out = append(out, column{name: c.name, convert: nullable(conv)})
	}
	for _, name := range have {
		if !slices.ContainsFunc(out, func(c column) bool { return c.name == name }) {
			return nil, fmt.Errorf("SQLite column %s has no PostgreSQL column to go to", name)
		}
	}
	return out, nil
}

func sqliteColumns(ctx context.Context, src *sql.DB, table string) ([]string, error) {
	out, err := sqliteNames(ctx, src, "read the SQLite columns", `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("SQLite has no table %s", table)
	}
	return out, err
}

// resetIdentities moves every identity column's sequence past the
// highest copied value, so that the next poll, reminder or deadline gets
// a new number.
func resetIdentities(ctx context.Context, tx pgx.Tx) error {
	rows, _ := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	idents, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var tc [2]string
		err := r.Scan(&tc[0], &tc[1])
		return tc, err
	})
	if err != nil {
		return fmt.Errorf("list identity columns: %w", err)
	}
	for _, tc := range idents {
		table, col := pgx.Identifier{tc[0]}.Sanitize(), pgx.Identifier{tc[1]}.Sanitize()
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(`+col+`) FROM `+table+`), 0) + 1, false)`,
			table, tc[1]); err != nil {
			return fmt.Errorf("set the sequence of %s.%s: %w", tc[0], tc[1], err)
		}
	}
	return nil
}

// nullable passes NULL through and converts anything else with conv.
func nullable(conv func(any) (any, error)) func(any) (any, error) {
	return func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		return conv(v)
	}
}

// converter returns what turns a SQLite value into a value of the
// PostgreSQL type udt (as information_schema.columns.udt_name names it),
// or nil for a type no Union Hall column has.
func converter(udt string) func(any) (any, error) {
	switch udt {
	case "text":
		return asText
	case "int4", "int8":
		return asInt
	case "bool":
		return asBool
	case "timestamptz":
		return asTime
	case "_text":
		return asTextArray
	case "_int4":
		return asIntArray
	case "jsonb":
		return asJSON
	}
	return nil
}

func asText(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not text", v, v)
	}
	return s, nil
}

// asInt reads an integer, or a counter SQLite keeps as zero-padded
// digits.
func asInt(v any) (any, error) {
	switch n := v.(type) {
	case int64:
		return n, nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number: %w", n, err)
		}
		return i, nil
	}
	return nil, fmt.Errorf("%v (%T) is not a number", v, v)
}

func asBool(v any) (any, error) {
	n, ok := v.(int64)
	if !ok || (n != 0 && n != 1) {
		return nil, fmt.Errorf("%v (%T) is not 0 or 1", v, v)
	}
	return n == 1, nil
}

// asTime reads a SQLite time, RFC 3339 text in UTC to the second or the
// millisecond.
func asTime(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not a time", v, v)
	}
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// asTextArray reads a JSON array of strings (a poll's options).
func asTextArray(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not a JSON list", v, v)
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("%q is not a JSON list of text: %w", s, err)
	}
	return out, nil
}

// asIntArray reads space-separated numbers (a ballot's choices).
func asIntArray(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not a list of numbers", v, v)
	}
	out := []int32{}
	for _, f := range strings.Fields(s) {
		n, err := strconv.ParseInt(f, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%q is not a list of numbers: %w", s, err)
		}
		out = append(out, int32(n))
	}
	return out, nil
}

// asJSON reads JSON text; SQLite's empty text for "none" is NULL.
func asJSON(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not JSON", v, v)
	}
	if s == "" {
		return nil, nil
	}
	if !json.Valid([]byte(s)) {
		return nil, fmt.Errorf("%q is not JSON", s)
	}
	return json.RawMessage(s), nil
}

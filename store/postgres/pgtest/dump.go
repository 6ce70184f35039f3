package pgtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Table is one table's rows as a dump reads them, each with the
// transaction that wrote it (xmin).
type Table struct {
	// Name is the table's name.
	Name string
	// Cols are its column names.
	Cols []string
	// Rows are its rows, in primary key order or storage order.
	Rows [][]any
	// Xids are the xmin of each row.
	Xids []uint32
}

// Dump reads every table of the database with each row's xmin, in
// primary key order, or in storage order when byStorage is set: what a
// database administrator could read of it.
func Dump(t testing.TB, pool *pgxpool.Pool, byStorage bool) []Table {
	t.Helper()
	ctx := context.Background()
	rows, _ := pool.Query(ctx, `SELECT c.relname,
			coalesce((SELECT string_agg(a.attname, ', ' ORDER BY k.n)
				FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, n), pg_attribute a
				WHERE i.indrelid = c.oid AND i.indisprimary AND a.attrelid = c.oid AND a.attnum = k.attnum), 'ctid')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`)
	type table struct{ name, key string }
	tables, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (tb table, err error) {
		err = row.Scan(&tb.name, &tb.key)
		return tb, err
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []Table
	for _, tb := range tables {
		order := tb.key
		if byStorage {
			order = "ctid"
		}
		rows, _ := pool.Query(ctx, `SELECT xmin::text::bigint, * FROM `+pgx.Identifier{tb.name}.Sanitize()+` ORDER BY `+order)
		tr := Table{Name: tb.name}
		for _, f := range rows.FieldDescriptions()[1:] {
			tr.Cols = append(tr.Cols, f.Name)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			tr.Xids = append(tr.Xids, uint32(vals[0].(int64)))
			tr.Rows = append(tr.Rows, vals[1:])
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		out = append(out, tr)
	}
	return out
}

// Format writes the tables with each xmin replaced by its rank among the
// dump's xmins, so that dumps of two databases on one server compare.
func Format(tables []Table) string {
	var xids []uint32
	for _, tb := range tables {
		xids = append(xids, tb.Xids...)
	}
	slices.Sort(xids)
	xids = slices.Compact(xids)
	var b strings.Builder
	for _, tb := range tables {
		fmt.Fprintf(&b, "== %s %v\n", tb.Name, tb.Cols)
		for i, row := range tb.Rows {
			rank, _ := slices.BinarySearch(xids, tb.Xids[i])
			fmt.Fprintf(&b, "tx%d %v\n", rank, row)
		}
	}
	return b.String()
}

// Find returns the dump of one table.
func Find(t testing.TB, tables []Table, name string) Table {
	t.Helper()
	for _, tb := range tables {
		if tb.Name == name {
			return tb
		}
	}
	t.Fatalf("no table %s", name)
	return Table{}
}

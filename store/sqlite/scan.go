package sqlite

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

//go:build !cgo

package sqlite

// Without cgo the build stops in needcgo, before this package's uses of
// the SQLite driver, with a message naming gcc and CGO_ENABLED=1.
import _ "github.com/unionhall/unionhall/store/sqlite/needcgo"

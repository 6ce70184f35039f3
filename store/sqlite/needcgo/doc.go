// Package needcgo stops a build without cgo with one clear message.
//
// The SQLite driver (github.com/mattn/go-sqlite3) is C code compiled with
// cgo. Built with CGO_ENABLED=0 it turns into a stub that lacks the error
// codes the store reads, and the compiler would print a list of undefined
// sqlite3 names that says nothing of the cause. The store imports this
// package only when cgo is off, and its file for that case names the cure
// in the one error the build then prints.
package needcgo

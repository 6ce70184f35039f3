//go:build !cgo

package needcgo

// The identifier is the message: the compiler prints "undefined:" and it.
var _ = unionhall_needs_cgo__install_gcc_and_build_with_CGO_ENABLED_1

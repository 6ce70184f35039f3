package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is the release this source tree is on its way to, reported by a
// build that was not stamped (go build, go run, the tests).
// scripts/release reads it for the packages of untagged commits.
const version = "0.1.0"

// Stamped at link time by scripts/release (-ldflags -X) and never assigned
// by the program: the release version, the commit and the build date.
// Read only by currentBuild.
var (
	linkedVersion string
	linkedCommit  string
	linkedDate    string
)

// build says which Union Hall is running, so that a steward reporting a
// problem and an operator upgrading can tell releases apart.
type build struct {
	Version string // release version: a tag, or version plus the commit
	Commit  string // the source's git commit, "unknown" when not recorded
	Date    string // when the binary was built (or, failing that, committed)
}

// currentBuild reads the link-time stamps, falling back on what the Go
// toolchain records from git (a plain go build in a checkout), then on
// the source's version.
func currentBuild() build {
	b := build{Version: linkedVersion, Commit: linkedCommit, Date: linkedDate}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
	}
	if b.Version == "" {
		b.Version = version
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

// String is what "unionhall version" prints.
func (b build) String() string {
	return fmt.Sprintf("unionhall %s\ncommit %s\nbuilt %s with %s for %s/%s\n",
		b.Version, b.Commit, b.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

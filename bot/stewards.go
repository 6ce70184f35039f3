package bot

import (
	"fmt"
	"strings"
)

// StewardSet is the set of platform-qualified user IDs with steward powers.
type StewardSet map[string]bool

// ParseStewards parses a comma-separated list of platform-qualified IDs
// such as "console:alice,slack:U0123,discord:81234". Blank entries are
// ignored; an entry without a known platform prefix is an error.
func ParseStewards(s string) (StewardSet, error) {
	set := StewardSet{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		platform, _, ok := SplitID(part)
		switch {
		case !ok:
			return nil, fmt.Errorf("steward %q: want a platform-qualified ID such as slack:U0123", part)
		case platform != PlatformConsole && platform != PlatformSlack && platform != PlatformDiscord:
			return nil, fmt.Errorf("steward %q: unknown platform %q (want console, slack or discord)", part, platform)
		}
		set[part] = true
	}
	return set, nil
}

// Has reports whether id is in the set.
func (s StewardSet) Has(id string) bool { return s[id] }

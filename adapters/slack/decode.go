package slack

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	slackToken  = regexp.MustCompile(`<([^<>]*)>`)
	unescaper   = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	specialName = map[string]string{"here": "@here", "channel": "@channel", "everyone": "@everyone"}
)

// decodeText turns Slack's wire format for message text back into what the
// member typed: <@U123|ann> becomes @ann (or @U123), <#C123|general>
// becomes #general, <!here> becomes @here, <https://x|label> becomes the
// label, and the entities &amp; &lt; &gt; become & < >.
func decodeText(s string) string {
	s = slackToken.ReplaceAllStringFunc(s, func(tok string) string {
		inner := tok[1 : len(tok)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			if hasLabel && label != "" {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return target
		case strings.HasPrefix(target, "#"):
			if hasLabel && label != "" {
				return "#" + strings.TrimPrefix(label, "#")
			}
			return target
		case strings.HasPrefix(target, "!"):
			if hasLabel && label != "" {
				return label
			}
			name, _, _ := strings.Cut(target[1:], "^")
			if s, ok := specialName[name]; ok {
				return s
			}
			return "@" + name
		case hasLabel && label != "":
			return label
		default:
			return target
		}
	})
	return unescaper.Replace(s)
}

// parseTS converts a Slack timestamp ("1700000000.000100") to a time; the
// zero time when it cannot.
func parseTS(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	var usec int64
	if frac != "" {
		if len(frac) > 6 {
			frac = frac[:6]
		}
		frac += strings.Repeat("0", 6-len(frac))
		usec, _ = strconv.ParseInt(frac, 10, 64)
	}
	return time.Unix(s, usec*1000)
}

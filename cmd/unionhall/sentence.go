package main

import "strings"

// sentence returns err's text as a line of its own: a capital first
// letter and a full stop.
func sentence(err error) string {
	s := fullStop(err)
	if c := s[0]; c >= 'a' && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	return s
}

// fullStop returns err's text ending in a full stop, so that an error the
// program stops with reads as a sentence.
func fullStop(err error) string {
	s := strings.TrimSpace(err.Error())
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

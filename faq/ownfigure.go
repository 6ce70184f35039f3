package faq

import "regexp"

// ownFigure matches a question, as the matcher reads it (lower case,
// shorthand spelt out: "whats my pension gonna be" is "what is my pension
// going to be"), that asks for a figure of the member's own: "calculate
// my retirement benefit", "my exact pension", "my pension estimate", "how
// much will my pension be", "how much will i get" (alone, or when I
// retire, a month, from my pension), "what is my pension going to be".
// The knowledge base says what the agreement changes for everyone ("how
// much will i get in raises" asks that, and does not match); a member's
// own figure is a steward's to work out, so such a
// question is offered entries (with the steward's contact) rather than
// answered with one. Questions about a change ("how much will my pension
// go down", "will my benefit be calculated differently") do not match.
var ownFigure = regexp.MustCompile(`\b(` +
	`calculate my|` +
	`my (own )?exact|` +
	`my ([a-z]+ )?estimate|` +
	`how much (will|would|is|does) my ([a-z]+ ){1,3}be|` +
	`how much (will|would|do) i (get|collect|receive)( (when i retire|in retirement|a month|per month|from (the|my) pension))?$|` +
	`what is my ([a-z]+ ){1,3}going to be` +
	`)\b`)

// asksOwnFigure reports whether question asks for a figure of the
// member's own (see ownFigure).
func asksOwnFigure(question string) bool { return ownFigure.MatchString(question) }

package faq

import "testing"

// TestOwnFiguresAreOffered checks that a question for a member's own
// figure is offered entries (with the steward's contact) rather than
// answered, while a question about what the agreement changes, in the
// same words, is still answered.
func TestOwnFiguresAreOffered(t *testing.T) {
	m := NewMatcher(loadDefault(t), nil, Options{})
	for _, q := range []string{
		"can you calculate my pension for me",
		"what's my exact retirement benefit under the deal",
		"how much will my pension be after 25 years",
		"whats my pension gonna be if i go at 60",
	} {
		if r := m.Match(q); r.Outcome == Answer {
			t.Errorf("%q: answered with %s (confidence %.2f), want it offered or left to a steward", q, r.Entry.ID, r.Confidence)
		}
	}
	for q, want := range map[string]string{
		"will my pension be reduced":             "pension",
		"how much will my pension go down":       "pension",
		"is my pay going to be frozen":           "wage-freeze",
		"what is the retirement age going to be": "retirement-age",
	} {
		if r := m.Match(q); r.Outcome != Answer || r.Entry.ID != want {
			t.Errorf("%q: %v %v, want %s answered", q, r.Outcome, r.Entry, want)
		}
	}
}

// TestOwnFigureReading checks which readings ask for a member's own
// figure.
func TestOwnFigureReading(t *testing.T) {
	for q, want := range map[string]bool{
		"calculate my retirement benefit":                      true,
		"what is my own exact pension":                         true,
		"where do i get my pension estimate":                   true,
		"how much will my monthly pension be":                  true,
		"how much will i get when i retire":                    true,
		"how much will i get":                                  true,
		"how much would i get a month":                         true,
		"how much will i get in raises after the freeze":       false,
		"what is my pension going to be":                       true,
		"how much will my pension go down":                     false,
		"will my retirement benefit be calculated differently": false,
		"what exactly does the four year thing cover":          false,
		"is our pay going to be stuck":                         false,
	} {
		if got := asksOwnFigure(q); got != want {
			t.Errorf("asksOwnFigure(%q) = %v, want %v", q, got, want)
		}
	}
}

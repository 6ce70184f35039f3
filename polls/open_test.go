package polls_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/polls"
)

func TestUnquotedOptionsAreNeverSplitSilently(t *testing.T) {
	e := newEnv(t)
	// Three unquoted words could hide an option of two: refused, with the
	// command written out in quotes and with separators.
	rec := e.mustSay("steward", `/poll Do you support a strike vote? Yes No Not sure`,
		`is "Not sure" one option or two? Put each option in quotes, e.g. /poll "Do you support a strike vote?" "Yes" "No" "Not sure", or separate them with |: /poll Do you support a strike vote? Yes | No | Not sure.`)
	if rs := rec.Replies(); len(rs) != 1 || !rs[0].Private || rs[0].Card != nil {
		t.Fatalf("refusal: %+v", rs)
	}
	if _, err := e.store.Poll(context.Background(), 1); !errors.Is(err, polls.ErrNotFound) {
		t.Fatalf("an ambiguous /poll stored a poll: %v", err)
	}
	e.mustSay("steward", `/poll "Pick?" "Not sure" Yes No`, `is "Yes No" one option or two?`)

	for cmd, want := range map[string][]string{
		`/poll Do you support a strike vote? Yes | No | Not sure`: {"Yes", "No", "Not sure"},
		`/poll Strike? Yes|No|Not sure`:                           {"Yes", "No", "Not sure"},
		`/poll Strike? "Yes, now" | No | Not sure`:                {"Yes, now", "No", "Not sure"},
		`/poll Strike? Yes No`:                                    {"Yes", "No"},
		`/poll "Strike?" Yes No`:                                  {"Yes", "No"},
		`/poll "Strike?" "Yes" "No" "Not sure"`:                   {"Yes", "No", "Not sure"},
	} {
		c := e.open(cmd + " --again")
		var got []string
		for _, b := range c.Buttons {
			got = append(got, b.Label)
		}
		if strings.Join(got, "/") != strings.Join(want, "/") {
			t.Errorf("%s: options %q, want %q", cmd, got, want)
		}
	}
}

func TestSamePollTwiceNeedsAgain(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No"`)
	e.mustSay("steward", `/poll "ratify?"  "yes" "NO"`, `Poll 1, opened Mon Jul 18, 2011 9:00 AM UTC, already asks "Ratify?" with the same options and settings in this channel, and it is still open.`)
	e.mustSay("steward", `/poll "ratify?" "yes" "no"`, "--again")
	if ps, _ := e.store.OpenPolls(context.Background(), "console", "console"); len(ps) != 1 {
		t.Fatalf("%d open polls after a refused repeat", len(ps))
	}
	if c := e.open(`/poll "Ratify?" "Yes" "No" --again`); !strings.Contains(c.Footer, "Poll 2") {
		t.Fatalf("--again: %+v", c)
	}
	// Other options or settings make another poll, and a closed one is no
	// reason to refuse.
	e.open(`/poll "Ratify?" "Yes" "No" "Undecided"`)
	e.open(`/poll "Ratify?" "Yes" "No" --anonymous`)
	e.mustSay("steward", "/poll close 1", "")
	e.mustSay("steward", "/poll close 2", "")
	e.open(`/poll "Ratify?" "Yes" "No"`)
}

func TestRuleWordsAreExact(t *testing.T) {
	e := newEnv(t)
	e.mustSay("steward", `/poll "Ratify?" "Yes" "No" --rule supermajority`,
		`Unknown rule "supermajority". Use --rule majority, --rule two-thirds or --rule coalition.`)
	if c := e.open(`/poll "Ratify?" "Yes" "No" --rule 2/3`); !strings.Contains(c.Body, "Rule: two-thirds.") {
		t.Fatalf("--rule 2/3: %s", c.Body)
	}
	if c := e.open(`/poll "Ratify now?" "Yes" "No" --rule simple`); !strings.Contains(c.Body, "Rule: majority.") {
		t.Fatalf("--rule simple: %s", c.Body)
	}
	if r, ok := polls.ParseRule("supermajority"); ok {
		t.Fatalf("supermajority read as %q", r)
	}
}

func TestHiddenOpenBallotCardSaysWhoSeesWhat(t *testing.T) {
	e := newEnv(t)
	c := e.open(`/poll "Ratify?" "Yes" "No" --hidden`)
	if strings.Contains(c.Body, "stewards can see who chose what") ||
		!strings.Contains(c.Body, "no one, stewards included, sees the tally or who chose what; after the close, stewards can export who chose what") {
		t.Fatalf("hidden open ballot card:\n%s", c.Body)
	}
	e.mustSay("steward", "/poll export 1", "until it closes")
	c = e.open(`/poll "Shown?" "Yes" "No"`)
	if !strings.Contains(c.Body, "Open ballot: stewards can see who chose what.") {
		t.Fatalf("open ballot card:\n%s", c.Body)
	}
}

func TestOverduePollShowsItsDeadlineAfterRestart(t *testing.T) {
	e := newEnv(t)
	e.open(`/poll "Ratify?" "Yes" "No" --closes in 1h`)
	e.restart()
	e.clock.Advance(5 * time.Hour) // down past the deadline
	e.closeDue()
	posts := e.hub.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	r := posts[0].Reply
	if !strings.Contains(r.Text, "Poll 1 closed at its deadline, Mon Jul 18, 2011 10:00 AM UTC. Its result is announced late, now (Mon Jul 18, 2011 2:00 PM UTC)") {
		t.Fatalf("announcement: %s", r.Text)
	}
	if !strings.Contains(r.Card.Body, "Final result (closed Mon Jul 18, 2011 10:00 AM UTC)") {
		t.Fatalf("result card:\n%s", r.Card.Body)
	}
	e.mustSay("alice", "/vote 1 1", "Poll 1 closed Mon Jul 18, 2011 10:00 AM UTC")
}

func TestUnitThatIsNoName(t *testing.T) {
	e := newEnv(t)
	e.mustSay("alice", "/unit 🦄", `"🦄" is not one of the units. Units: P-2, P-4`)
}

package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// find returns the replies to user whose text contains s.
func find(lines []consoleLine, user, s string) []consoleLine {
	var out []consoleLine
	for _, l := range lines {
		if (user == "*" || l.User == user) && strings.Contains(l.Text, s) {
			out = append(out, l)
		}
	}
	return out
}

func one(t *testing.T, lines []consoleLine, user, s string) consoleLine {
	t.Helper()
	got := find(lines, user, s)
	if len(got) != 1 {
		var all []string
		for _, l := range lines {
			all = append(all, l.User+": "+l.Text)
		}
		t.Fatalf("want one reply to %s containing %q, got %d; all replies:\n%s", user, s, len(got), strings.Join(all, "\n---\n"))
	}
	return got[0]
}

var stewardAlice = map[string]string{"UNIONHALL_STEWARDS": "console:alice"}

func TestConsolePolls(t *testing.T) {
	dir := t.TempDir()
	lines := runConsole(t, dir, stewardAlice,
		`alice> /poll "Would you vote yes on the clarified agreement?" "Yes" "No" --rule coalition`,
		`bob> /unit P-4`,
		`bob> /vote 1 1`,
		`bob> /vote 1 1`,
		`bob> /vote 1 No`,
		`carol> /poll "Mine?" "Yes" "No"`,
		`carol> /poll close 1`,
		`carol> /poll export 1`,
		`alice> /poll "Secret?" "Yes" "No" --anonymous`,
		`bob> /vote 2 1`,
		`bob> /vote 2 2`,
		`alice> /poll "Hidden?" "Yes" "No" --hidden`,
		`bob> /vote 3 1`,
		`alice> /poll results 3`,
		`alice> /poll export 2`,
		`alice> /poll export 1`,
		`alice> /poll close 3`,
		`dave> /vote 3 2`,
		`dave> /vote 9 1`,
	)
	// The poll card, with the console protocol's poll object and one button per option.
	card := one(t, lines, "alice", "Would you vote yes on the clarified agreement?")
	if card.Private || card.Poll == nil || card.Poll.ID != "1" || card.Poll.Total == nil || *card.Poll.Total != 0 ||
		card.Card == nil || card.Card.Key != "poll:1" || len(card.Card.Buttons) != 2 || card.Card.Buttons[1].Command != "/vote 1 2" {
		t.Fatalf("poll card %+v", card)
	}
	if !strings.Contains(card.Text, "informal straw poll, not a ratification vote") || !strings.Contains(card.Text, "The unit list is example data") {
		t.Fatalf("card text %q", card.Text)
	}
	if l := one(t, lines, "bob", "Your vote in poll 1 is recorded: 1. Yes. It counts for P-4."); !l.Private {
		t.Fatal("confirmation not private")
	}
	one(t, lines, "bob", "Your vote is already counted: 1. Yes. Nothing changed.")
	one(t, lines, "bob", "changed from 1. Yes to 2. No")
	// Card updates follow each recorded or changed vote, not the repeat.
	var updates []consoleLine
	for _, l := range lines {
		if l.Update && l.Poll != nil && l.Poll.ID == "1" {
			updates = append(updates, l)
		}
	}
	if len(updates) != 2 || *updates[1].Poll.Options[1].Votes != 1 || *updates[1].Poll.Options[0].Votes != 0 {
		t.Fatalf("card updates of poll 1: %+v", updates)
	}
	one(t, lines, "carol", "Only stewards can open a poll")
	one(t, lines, "carol", "Only stewards can close a poll")
	one(t, lines, "carol", "Only stewards can export a poll")

	one(t, lines, "bob", "Your secret ballot in poll 2 is recorded: 1. Yes.")
	one(t, lines, "bob", "You have already voted in poll 2; your vote is already counted.")

	hidden := one(t, lines, "alice", "Hidden?\n")
	if hidden.Poll == nil || !hidden.Poll.Hidden || hidden.Poll.Total != nil || hidden.Poll.Options[0].Votes != nil {
		t.Fatalf("hidden card shows counts: %+v", hidden.Poll)
	}
	one(t, lines, "alice", "The results of poll 3 are hidden from everyone, stewards included")

	exp2 := one(t, lines, "alice", "Poll 2 (open, secret ballot)")
	if !exp2.Private || exp2.File == nil || exp2.File.Name != "poll-2-tally.csv" || strings.Contains(exp2.File.Content, "bob") {
		t.Fatalf("secret export %+v", exp2)
	}
	exp1 := one(t, lines, "alice", "Poll 1 (open, open ballot)")
	if exp1.File == nil || !strings.Contains(exp1.File.Content, "1,Would you vote yes on the clarified agreement?,console:bob,bob,P-4,2,No") {
		t.Fatalf("open export %+v", exp1.File)
	}

	closed := one(t, lines, "alice", "Poll 3 has closed. Final result:")
	if closed.Private || closed.Poll == nil || !closed.Poll.Closed || closed.Poll.Total == nil || *closed.Poll.Total != 1 || *closed.Poll.Options[0].Votes != 1 {
		t.Fatalf("close announcement %+v", closed)
	}
	one(t, lines, "dave", "Poll 3 closed")
	one(t, lines, "dave", "There is no poll 9")
}

func TestConsolePollsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	runConsole(t, dir, stewardAlice,
		`alice> /poll "Ratify?" "Yes" "No"`,
		`alice> /poll "Deadline?" "Yes" "No" --closes in 2h`,
		`bob> /vote 1 1`,
		`bob> /vote 2 1`,
	)
	// The process is down past poll 2's deadline.
	db, err := sql.Open("sqlite3", filepath.Join(dir, "unionhall.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE polls SET closes_at = '2001-01-01T00:00:00Z' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	lines := runConsole(t, dir, stewardAlice,
		`bob> /vote 1 1`,
		`carol> /vote 1 2`,
		`dave> /vote 2 2`,
		`alice> /poll results 1`,
	)
	one(t, lines, "bob", "Your vote is already counted: 1. Yes.")
	one(t, lines, "carol", "recorded: 2. No")
	one(t, lines, "dave", "Poll 2 closed")
	// Closed at start-up or by the first touch, the result is posted once.
	closed := one(t, lines, "*", "Poll 2 closed at its deadline, Sun Dec 31, 2000 7:00 PM EST. Its result is announced late")
	if closed.Poll == nil || !closed.Poll.Closed || *closed.Poll.Options[0].Votes != 1 || *closed.Poll.Total != 1 {
		t.Fatalf("result %+v", closed)
	}
	res := one(t, lines, "alice", "Results so far")
	if *res.Poll.Total != 2 {
		t.Fatalf("results %+v", res.Poll)
	}
	lines = runConsole(t, dir, stewardAlice, `alice> /poll results 2`, `alice> /poll list`)
	if len(find(lines, "*", "has closed")) != 0 {
		t.Fatal("result posted again after another restart")
	}
	one(t, lines, "alice", "Final result")
	one(t, lines, "alice", "1. Ratify? (2 votes)")
}

// TestUnitsFile checks that UNIONHALL_UNITS_FILE replaces the example
// units, and that errors in it name the variable and the file (the
// parsing itself is tested in polls).
func TestUnitsFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "units.yaml")
	os.WriteFile(good, []byte("coalition:\n  name: Local council\n  units_needed: 2\n  membership_percent: 60\nunits:\n  - name: Nurses\n    members: 300\n  - name: Clerks\n    members: 200\n    aliases: [Office]\n"), 0o600)
	lines := runConsole(t, dir, map[string]string{"UNIONHALL_UNITS_FILE": good}, `bob> /unit office`, `bob> /unit`)
	one(t, lines, "bob", "You are in Clerks (200 members)")
	list := one(t, lines, "bob", "You are in Clerks. Type /unit <name> to change it.")
	if !strings.Contains(list.Text, "Local council units (2, 500 members)") || strings.Contains(list.Text, "example data") {
		t.Fatalf("unit list %q", list.Text)
	}

	for content, want := range map[string]string{
		"coalition:\n  units_needed: 1\n  membership_percent: 50\nunits:\n  - name: A\n    members: 10\n  - name: B\n    members: 0\n": `line 7: units[1] ("B").members: must be a positive number`,
		"": "the file is empty",
	} {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		os.WriteFile(bad, []byte(content), 0o600)
		code, _, errOut := runMain(dir, map[string]string{"UNIONHALL_UNITS_FILE": bad}, "", "console")
		if code != 1 || !strings.Contains(errOut, "UNIONHALL_UNITS_FILE: "+bad) || !strings.Contains(errOut, want) {
			t.Errorf("units file %q: code %d, stderr %q, want %q", content, code, errOut, want)
		}
	}
	code, _, errOut := runMain(dir, map[string]string{"UNIONHALL_UNITS_FILE": filepath.Join(dir, "missing.yaml")}, "", "console")
	if code != 1 || !strings.Contains(errOut, "UNIONHALL_UNITS_FILE") {
		t.Fatalf("missing units file: code %d, stderr %q", code, errOut)
	}
}

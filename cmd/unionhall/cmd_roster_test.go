package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
)

func TestRosterImportDecidesUnitsAndEligibility(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "roster.csv")
	csv := "unit,member\nP-4,console:alice\nP-2,console:bob\nP-99,console:carol\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"UNIONHALL_STEWARDS": "console:steward", "USER": "ops"}
	code, out, errOut := runMain(dir, vars, "", "roster", "import", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"The roster now has 2 members in 2 units (P-2 1, P-4 1)", "1 line could not be used", `line 4: unit "P-99" is not in the units file`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	lines := runConsole(t, dir, vars,
		`steward> /poll "Ratify?" "Yes" "No" --units P-4`,
		`alice> /vote 1 yes`,
		`bob> /vote 1 yes`,
		`steward> /poll audit 1`,
	)
	var texts []string
	for _, l := range lines {
		texts = append(texts, l.Text)
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "It counts for P-4.") || !strings.Contains(all, "the roster has you in P-2") {
		t.Errorf("votes after the import:\n%s", all)
	}
	// The poll's audit trail names the roster it started with.
	if !strings.Contains(all, "roster import by cli:ops: 2 members in 2 units (P-2 1, P-4 1); 1 line not used, from roster.csv") {
		t.Errorf("the poll's audit trail lacks the roster import:\n%s", all)
	}

	code, _, errOut = runMain(dir, vars, "", "roster", "import", filepath.Join(dir, "missing.csv"))
	if code == 0 || !strings.Contains(errOut, "missing.csv") {
		t.Errorf("a missing file: exit %d, %s", code, errOut)
	}
	if code, _, errOut = runMain(dir, vars, "", "roster"); code == 0 || !strings.Contains(errOut, "usage: unionhall roster import FILE.csv") {
		t.Errorf("no arguments: exit %d, %s", code, errOut)
	}
}

func TestRosterImportLooksUpEmailsOnSlack(t *testing.T) {
	srv := slacktest.NewServer(t)
	srv.SetUserEmail("Ann@Example.org", "UANN")
	dir := t.TempDir()
	file := filepath.Join(dir, "roster.csv")
	csv := "unit,email,discord_user_id\nP-4,ann@example.org,\nP-2,nobody@example.org,\nP-2,,812345678901234567\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"SLACK_BOT_TOKEN": slacktest.BotToken, "SLACK_API_URL": srv.APIURL()}
	code, out, errOut := runMain(dir, vars, "", "roster", "import", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"The roster now has 2 members in 2 units (P-2 1, P-4 1)", "line 3: no member has the email nobody@example.org"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if calls := srv.Calls("users.lookupByEmail"); len(calls) != 2 {
		t.Errorf("%d look-ups, want 2", len(calls))
	}
}

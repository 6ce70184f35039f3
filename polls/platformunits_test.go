package polls_test

import (
	"context"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/polls"
)

// sayOn sends text as a member of platform with the given groups (as
// the adapter reports them).
func (e *env) sayOn(platform, id string, groups []string, text string) *bottest.Recorder {
	e.t.Helper()
	m := bottest.Message(id, text)
	m.Platform, m.Channel = platform, bot.Channel{ID: "general"}
	m.User = bot.User{ID: bot.QualifiedID(platform, id), Name: id, Groups: groups, PlatformSteward: id == "sam"}
	rec := &bottest.Recorder{}
	e.router.Dispatch(context.Background(), rec, m)
	return rec
}

// sayOnDiscord sends text as a Discord member with the given server roles
// (IDs and names, as the adapter reports them).
func (e *env) sayOnDiscord(id string, roles []string, text string) *bottest.Recorder {
	e.t.Helper()
	return e.sayOn(bot.PlatformDiscord, id, roles, text)
}

func TestDiscordRolesDecideUnitsAndAMemberOfTwoCountsForNone(t *testing.T) {
	e := newEnv(t)
	if rec := e.sayOnDiscord("sam", nil, `/poll "Ratify?" "Yes" "No" --rule coalition`); !strings.Contains(rec.Text(), "Ratify?") {
		t.Fatalf("open: %s", rec.Text())
	}
	// By role name, in any letter case, and by role ID.
	if rec := e.sayOnDiscord("81", []string{"600", "p-4 engineers"}, "/vote 1 yes"); !strings.Contains(rec.Text(), "It counts for P-4.") {
		t.Errorf("member with the P-4 role: %s", rec.Text())
	}
	if rec := e.sayOnDiscord("82", []string{"700000000000000001"}, "/vote 1 no"); !strings.Contains(rec.Text(), "It counts for CSEA/SEIU Local 2001.") {
		t.Errorf("member with the CSEA role's ID: %s", rec.Text())
	}
	both := []string{"P-4 Engineers", "700000000000000001"}
	if rec := e.sayOnDiscord("83", both, "/vote 1 yes"); !strings.Contains(rec.Text(), "Your roles put you in P-4 and CSEA/SEIU Local 2001 at once, so it counts in the overall split but for no unit") {
		t.Errorf("member with two units' roles: %s", rec.Text())
	}
	if rec := e.sayOnDiscord("83", both, "/unit P-2"); !strings.Contains(rec.Text(), "put you in P-4 and CSEA/SEIU Local 2001 at once") {
		t.Errorf("/unit of a member with two units' roles: %s", rec.Text())
	}
	if rec := e.sayOnDiscord("81", []string{"P-4 Engineers"}, "/unit P-2"); !strings.Contains(rec.Text(), "Your role on this server puts you in P-4") {
		t.Errorf("/unit of a member with a role: %s", rec.Text())
	}
	if !strings.Contains(e.logs.String(), "several units") {
		t.Error("the conflict is not logged for the operators")
	}
	res, err := e.svc.Results(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	votes := map[string]int{}
	for _, u := range res.Units {
		votes[u.Unit.Name] = u.Votes()
	}
	if votes["P-4"] != 1 || votes["CSEA/SEIU Local 2001"] != 1 || res.Voters != 3 {
		t.Errorf("votes by unit %v of %d voters", votes, res.Voters)
	}
}

func TestUnitsFileDiscordRoles(t *testing.T) {
	file := polls.ExampleUnits()
	file.Data = []byte(strings.Replace(string(file.Data), "  - name: P-4\n", "  - name: P-4\n    discord_role: P-4 Engineers\n", 1))
	c, err := polls.ParseUnits(file)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := c.Unit("P-4"); u.DiscordRole != "P-4 Engineers" || !c.NamesDiscordRoles() {
		t.Errorf("P-4 parsed as %+v", u)
	}
	other := 0
	if c.Units[other].Name == "P-4" {
		other = 1
	}
	c.Units[other].DiscordRole = "p-4 engineers"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "is also the group of unit") {
		t.Errorf("two units with one role: %v", err)
	}
}

func TestSlackUserGroupsDecideUnits(t *testing.T) {
	e := newEnv(t)
	e.sayOn(bot.PlatformSlack, "sam", nil, `/poll "Ratify?" "Yes" "No" --units P-2`)
	if rec := e.sayOn(bot.PlatformSlack, "U1", []string{"p2-members", "S0P2"}, "/vote 1 yes"); !strings.Contains(rec.Text(), "It counts for P-2.") {
		t.Errorf("member of the P-2 group: %s", rec.Text())
	}
	// A Discord role's name means nothing on Slack.
	if rec := e.sayOn(bot.PlatformSlack, "U2", []string{"P-4 Engineers"}, "/vote 1 yes"); !strings.Contains(rec.Text(), "limited to members of P-2") {
		t.Errorf("member of no unit's group: %s", rec.Text())
	}
}

// groupHub is a bottest.Hub whose platforms keep a group directory.
type groupHub struct {
	*bottest.Hub
	dir bot.GroupDirectory
}

func (h groupHub) Groups(string) (bot.GroupDirectory, bool) { return h.dir, true }

// fakeGroups is a group directory with fixed member lists.
type fakeGroups struct {
	members   map[string][]string
	refreshed int
}

func (f *fakeGroups) RefreshGroups(context.Context) error { f.refreshed++; return nil }

func (f *fakeGroups) GroupMembers(group string) ([]string, bool) {
	m, ok := f.members[group]
	return m, ok
}

func TestUnitsCheckReadsGroupsAndNamesMembersInTwo(t *testing.T) {
	groups := &fakeGroups{members: map[string][]string{"@p2-members": {"slack:U1", "slack:U2", "slack:U3"}, "@csea": {"slack:U3", "slack:U4"}}}
	e := &env{t: t, clock: bot.NewManualClock(start), path: t.TempDir() + "/polls.db", logs: &bottest.LogBuffer{}, groups: groups}
	e.start()
	rec := e.sayOn(bot.PlatformSlack, "sam", nil, "/poll units")
	for _, want := range []string{"I read the groups' members again just now.", "P-2: group @p2-members, 3 members.", "may name their unit with /unit",
		"1 member in the groups of two units or more, so their votes count for no unit until their groups are fixed: slack:U3 (P-2 and CSEA/SEIU Local 2001)."} {
		if !strings.Contains(rec.Text(), want) {
			t.Errorf("check lacks %q:\n%s", want, rec.Text())
		}
	}
	if groups.refreshed != 1 {
		t.Errorf("groups read %d times", groups.refreshed)
	}
	// Turnout counts the group's members.
	e.sayOn(bot.PlatformSlack, "sam", nil, `/poll "Ratify?" "Yes" "No" --units P-2`)
	e.sayOn(bot.PlatformSlack, "U1", []string{"@p2-members"}, "/vote 1 yes")
	rec = e.sayOn(bot.PlatformSlack, "sam", nil, "/poll results 1")
	if !strings.Contains(rec.Text(), "P-2: 1 of 3 voted, 33%") {
		t.Errorf("turnout from the group:\n%s", rec.Text())
	}
	if rec := e.sayOn(bot.PlatformSlack, "U1", nil, "/poll units"); !strings.Contains(rec.Text(), "Only stewards") {
		t.Errorf("a member's /poll units: %s", rec.Text())
	}
}

func TestResultsCountMembersInTwoUnitsGroupsWithoutNamingThem(t *testing.T) {
	groups := &fakeGroups{members: map[string][]string{
		"@p2-members": {"slack:U1", "slack:U2", "slack:U3", "slack:U4"},
		"@csea":       {"slack:U2", "slack:U3", "slack:U4", "slack:U5"},
	}}
	e := &env{t: t, clock: bot.NewManualClock(start), path: t.TempDir() + "/polls.db", logs: &bottest.LogBuffer{}, groups: groups}
	e.start()
	open := e.sayOn(bot.PlatformSlack, "sam", nil, `/poll "Ratify?" "Yes" "No" --units P-2`)
	vote := e.sayOn(bot.PlatformSlack, "U1", []string{"@p2-members"}, "/vote 1 yes")
	const want = "3 members are in two units' groups and count for neither; a steward can see who with /poll units."
	results := e.sayOn(bot.PlatformSlack, "U1", nil, "/poll results 1")
	cards := vote.Updates()
	if len(cards) == 0 {
		t.Fatal("no card update after the vote")
	}
	for what, text := range map[string]string{"opening card": open.Text(), "card after the vote": cards[len(cards)-1].Body, "results": results.Text()} {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks the count of members in two groups:\n%s", what, text)
		}
		for _, id := range []string{"U2", "U3", "U4"} {
			if strings.Contains(text, id) {
				t.Errorf("%s names member %s:\n%s", what, id, text)
			}
		}
	}
	// Once a roster is imported, groups are not used, and nothing is said.
	if err := e.store.ReplaceRoster(context.Background(), []polls.RosterEntry{{Member: "slack:U1", Unit: "P-2", Person: 1}}); err != nil {
		t.Fatal(err)
	}
	if rec := e.sayOn(bot.PlatformSlack, "U1", nil, "/poll results 1"); strings.Contains(rec.Text(), "two units' groups") {
		t.Errorf("results with a roster speak of groups:\n%s", rec.Text())
	}
}

package main

import (
	"database/sql"
	"fmt"
	"log"
	"maps"
	"regexp"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the bot's own database, read once the day is over

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/adapters/slack/slacktest"
)

// Stewards open the polls and add the reminders.
const slackSteward = "USTEWARD"

var discordSteward = discordtest.Member{ID: "730000000000000001", Name: "steward", Roles: []string{discordtest.StewardRoleID, discordtest.MemberRoleID}}

// options are every poll's choices.
var options = []string{"Yes", "No"}

// poll is one poll card and what its voters chose last.
type poll struct {
	id       int
	platform string
	channel  string
	card     string // Slack: the card's ts; Discord: its message ID
	blocks   []map[string]any
	buttons  []slacktest.Button
	custom   []string // Discord: the buttons' custom IDs

	final      map[int]int // member → option index, as last clicked
	lastChange time.Time   // when the last click that changed the tally was sent
}

// click is one member's click on a poll's button.
type click struct {
	poll   *poll
	member int
	option int
	retry  bool   // Slack redelivers the envelope id already sent
	id     string // Slack: the envelope ID; Discord: the interaction ID
}

// pollPlan lays out, for polls, the day's clicks in two rounds: every
// voter's first click, then the same click again, a change of option
// and (on Slack) redeliveries of first clicks. votes is the number of
// clicks for each poll, about.
func pollPlan(polls []*poll, votes int) (first, second []click) {
	voters := votes * 10 / 13
	for _, p := range polls {
		var dup, change, retry []click
		for m := range voters {
			c := click{poll: p, member: m, option: min(m%3, 1)}
			first = append(first, c)
			switch {
			case m%10 == 1:
				dup = append(dup, c)
			case m%10 == 5:
				c.option = 1 - c.option
				change = append(change, c)
			case m%10 == 3 && p.platform == "slack":
				c.retry = true
				retry = append(retry, c)
			}
		}
		second = append(second, dup...)
		second = append(second, change...)
		second = append(second, retry...)
	}
	return interleave(first), interleave(second)
}

// interleave orders clicks so that the polls take turns.
func interleave(cs []click) []click {
	by := map[*poll][]click{}
	var order []*poll
	for _, c := range cs {
		if by[c.poll] == nil {
			order = append(order, c.poll)
		}
		by[c.poll] = append(by[c.poll], c)
	}
	var out []click
	for i := 0; len(out) < len(cs); i++ {
		for _, p := range order {
			if i < len(by[p]) {
				out = append(out, by[p][i])
			}
		}
	}
	return out
}

// slackVoter and discordVoter name member m as a poll voter on each
// platform.
func slackVoter(m int) string { return fmt.Sprintf("UV%05d", m) }

func discordVoter(m int) discordtest.Member {
	return discordtest.Member{ID: fmt.Sprintf("75000000000%07d", m), Name: fmt.Sprintf("voter%d", m), Roles: []string{discordtest.MemberRoleID}}
}

// openPolls has the stewards open two polls on each platform and waits
// for their cards.
func (g *game) openPolls() error {
	var polls []*poll
	for i, ch := range []string{"CPOLL1", "CPOLL2"} {
		q := fmt.Sprintf("Ratify, Slack %d?", i+1)
		g.sl.SendSlashCommand(fmt.Sprintf("open-%d", i), "/poll", fmt.Sprintf("%q %q %q", q, options[0], options[1]), slackSteward, ch)
		var card slacktest.Call
		if err := g.waitFor("the Slack poll card "+q, time.Minute, func() bool {
			for _, c := range g.sl.Posts() {
				if c.Form.Get("channel") == ch && strings.Contains(c.Text(), q) && len(slacktest.Buttons(c.Blocks())) == len(options) {
					card = c
					return true
				}
			}
			return false
		}); err != nil {
			return err
		}
		polls = append(polls, &poll{id: len(polls) + 1, platform: "slack", channel: ch, card: card.TS, blocks: card.Blocks(), buttons: slacktest.Buttons(card.Blocks()), final: map[int]int{}})
	}
	for i, ch := range []string{"830000000000000101", "830000000000000102"} {
		q := fmt.Sprintf("Ratify, Discord %d?", i+1)
		id := g.dc.Slash(discordSteward, ch, "poll", discordtest.Sub("open", discordtest.Opt("question", q), discordtest.Opt("options", strings.Join(options, " | "))))
		var card discordtest.Message
		if err := g.waitFor("the Discord poll card "+q, time.Minute, func() bool {
			for _, m := range g.dc.InteractionMessages(id) {
				if !m.Ephemeral() && len(m.Components) > 0 {
					card = m
					return true
				}
			}
			return false
		}); err != nil {
			return err
		}
		polls = append(polls, &poll{id: len(polls) + 1, platform: "discord", channel: ch, card: card.ID, custom: card.CustomIDs(), final: map[int]int{}})
	}
	g.polls = polls
	return nil
}

// vote sends c, and returns it with its ID.
func (g *game) vote(c click, n int) click {
	p := c.poll
	switch p.platform {
	case "slack":
		if !c.retry {
			c.id = fmt.Sprintf("vote-%d-%d-%d", p.id, c.member, n)
		}
		g.sl.SendClick(c.id, slackVoter(c.member), p.channel, p.card, p.blocks, p.buttons[c.option])
	case "discord":
		c.id = g.dc.Click(discordVoter(c.member), p.card, p.custom[c.option])
	}
	if was, ok := p.final[c.member]; !ok || was != c.option {
		p.final[c.member] = c.option
		p.lastChange = time.Now()
	}
	return c
}

// acked reports whether the platform saw c acknowledged.
func (g *game) acked(c click) bool {
	if c.poll.platform == "slack" {
		return g.sl.Acked(c.id)
	}
	return g.dc.Interaction(c.id).Acks > 0
}

// card is what a poll's card shows last, and since when: on Slack the
// first update that showed it, on Discord the last edit.
func (g *game) card(p *poll) (string, time.Time) {
	if p.platform == "slack" {
		var text string
		var at time.Time
		for _, u := range g.sl.Updates() {
			if u.Err == "" && u.Form.Get("channel") == p.channel && u.Form.Get("ts") == p.card && u.Text() != text {
				text, at = u.Text(), u.At
			}
		}
		return text, at
	}
	m, _ := g.dc.Message(p.card)
	var at time.Time
	for _, c := range g.dc.Calls() {
		if c.MessageID == p.card && c.Status < 300 && c.At.After(at) {
			at = c.At
		}
	}
	return m.Text(), at
}

// tally is the count of each option in p's final choices.
func (p *poll) tally() []int {
	n := make([]int, len(options))
	for _, o := range p.final {
		n[o]++
	}
	return n
}

// exact reports whether text shows p's final tally.
func (p *poll) exact(text string) bool {
	if !strings.Contains(text, fmt.Sprintf("%d members voted", len(p.final))) {
		return false
	}
	for i, n := range p.tally() {
		if !regexp.MustCompile(regexp.QuoteMeta(options[i]) + `\D*` + fmt.Sprint(n) + ` \(`).MatchString(text) {
			return false
		}
	}
	return true
}

// ballots checks the database once the process has stopped: one ballot
// per voter, with the option the voter chose last.
func ballots(db string, polls []*poll) error {
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		return fmt.Errorf("open the database: %w", err)
	}
	defer conn.Close()
	var problems []string
	for _, p := range polls {
		rows, err := conn.Query(`SELECT choices, count(*) FROM poll_ballots WHERE poll_id = ? GROUP BY choices ORDER BY choices`, p.id)
		if err != nil {
			return fmt.Errorf("read the ballots of poll %d: %w", p.id, err)
		}
		got := map[string]int{}
		for rows.Next() {
			var choices string
			var n int
			if err := rows.Scan(&choices, &n); err != nil {
				rows.Close()
				return fmt.Errorf("read the ballots of poll %d: %w", p.id, err)
			}
			got[choices] = n
		}
		rows.Close()
		want := map[string]int{}
		for i, n := range p.tally() {
			if n > 0 {
				want[fmt.Sprint(i+1)] = n
			}
		}
		if !maps.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("poll %d: ballots by choice %v, want %v", p.id, got, want))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// reportPolls prints, per poll, its clicks, whether its card is exact and
// the time from the last click that changed the tally to the card showing
// the final tally.
func (g *game) reportPolls(clicks map[*poll]int) bool {
	ok := true
	for _, p := range g.polls {
		text, at := g.card(p)
		exact := p.exact(text)
		ok = ok && exact
		took := "never"
		if exact {
			took = at.Sub(p.lastChange).Round(time.Millisecond).String()
		}
		fmt.Printf("%s poll %d: %d clicks by %d members, tally %v; card exact: %v; vote to card: %s\n",
			p.platform, p.id, clicks[p], len(p.final), p.tally(), exact, took)
		if !exact {
			log.Printf("poll %d's card shows %q", p.id, text)
		}
	}
	return ok
}

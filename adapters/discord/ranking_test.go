package discord

import (
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/bot"
)

// TestRankingMessagePages checks that a ranking of more options than
// Discord's rows can hold menus for is shown four ranks at a time, with
// the picks carried in every custom ID of the message and the page
// buttons that reach the other ranks.
func TestRankingMessagePages(t *testing.T) {
	rk := bot.Ranking{Title: "Priority?", Action: "vote", Value: "4", Options: []string{"A", "B", "C", "D", "E", "F"}}
	s := rankState{key: "poll:4", picks: []int{3, 1, 0, 0, 0, 0}}
	first := rankMessage(rk, s, "")
	if len(first.Components) != maxRows {
		t.Fatalf("first page has %d rows, want %d", len(first.Components), maxRows)
	}
	menu := first.Components[0].(discordgo.ActionsRow).Components[0].(discordgo.SelectMenu)
	back, ok := parseRankID(menu.CustomID)
	if !ok || back.key != "poll:4" || back.part != "1" || !slices.Equal(back.picks, []int{3, 1}) {
		t.Errorf("menu custom ID %q reads as %+v", menu.CustomID, back)
	}
	if !menu.Options[2].Default || menu.Options[0].Default || menu.Placeholder != "1st choice" {
		t.Errorf("1st choice menu %+v, want option 3 shown as picked", menu)
	}
	var labels []string
	for _, c := range first.Components[maxRows-1].(discordgo.ActionsRow).Components {
		labels = append(labels, c.(discordgo.Button).Label)
	}
	if !slices.Equal(labels, []string{"Submit", "Later ranks"}) {
		t.Errorf("first page buttons %v", labels)
	}
	if !strings.Contains(first.Content, "1st choice: 3. C, 2nd choice: 1. A") {
		t.Errorf("first page text %q", first.Content)
	}
	s.page = 1
	second := rankMessage(rk, s, "")
	if len(second.Components) != 3 {
		t.Fatalf("second page has %d rows, want 2 menus and the buttons", len(second.Components))
	}
	if p := second.Components[0].(discordgo.ActionsRow).Components[0].(discordgo.SelectMenu).Placeholder; p != "5th choice" {
		t.Errorf("second page starts at %q", p)
	}
	for _, bad := range []string{"#rk|poll:4|x||1", "#rk||0||1", "#rk|poll:4|0|!|1", "/vote 4 1"} {
		if _, ok := parseRankID(bad); ok {
			t.Errorf("parseRankID(%q) accepted it", bad)
		}
	}
}

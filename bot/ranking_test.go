package bot

import (
	"slices"
	"strings"
	"testing"
)

func TestRankingProblem(t *testing.T) {
	r := Ranking{Action: "vote", Value: "7", Options: []string{"Pay", "Pension", "Health"}}
	cases := []struct {
		picks    []int
		order    []int
		rank     int
		msg      string
		required int
	}{
		{picks: []int{3, 1, 0}, order: []int{3, 1}},
		{picks: []int{2, 0, 0}, order: []int{2}},
		{picks: []int{2, 2, 0}, rank: 2, msg: `You picked "Pension" for both your 1st choice and your 2nd choice. Pick each option once.`},
		{picks: []int{1, 0, 3}, rank: 3, msg: "Choose your 2nd choice before your 3rd choice"},
		{picks: []int{0, 0, 0}, rank: 1, msg: "Choose your 1st choice."},
		{picks: []int{4}, rank: 1, msg: "There is no option 4."},
		{picks: []int{1, 0, 0}, rank: 2, msg: "Rank at least 2 options.", required: 2},
	}
	for _, c := range cases {
		r.Required = c.required
		order, rank, msg := r.Problem(c.picks)
		if !slices.Equal(order, c.order) || rank != c.rank || !strings.HasPrefix(msg, c.msg) || (c.msg == "") != (msg == "") {
			t.Errorf("Problem(%v) = %v, %d, %q; want %v, %d, %q", c.picks, order, rank, msg, c.order, c.rank, c.msg)
		}
	}
	if got := r.Command([]int{3, 1}); got != "/vote 7 3 1" {
		t.Errorf("Command = %q", got)
	}
	if got := []string{Ordinal(1), Ordinal(2), Ordinal(3), Ordinal(11), Ordinal(22)}; !slices.Equal(got, []string{"1st", "2nd", "3rd", "11th", "22nd"}) {
		t.Errorf("ordinals %v", got)
	}
}

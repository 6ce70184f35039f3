package main

import "testing"

func TestPollPlanEndsWithEachVotersLastChoice(t *testing.T) {
	sl := &poll{id: 1, platform: "slack", final: map[int]int{}}
	dc := &poll{id: 2, platform: "discord", final: map[int]int{}}
	first, second := pollPlan([]*poll{sl, dc}, 130)
	if len(first) != 200 {
		t.Fatalf("%d first clicks, want 100 voters on each of 2 polls", len(first))
	}
	if first[0].poll == first[1].poll {
		t.Error("the first two clicks are on the same poll; the polls should take turns")
	}
	last := map[*poll]map[int]int{sl: {}, dc: {}}
	retries := map[*poll]int{}
	for _, c := range append(first, second...) {
		last[c.poll][c.member] = c.option
		if c.retry {
			retries[c.poll]++
		}
	}
	if retries[sl] != 10 || retries[dc] != 0 {
		t.Errorf("redeliveries: %d on Slack, %d on Discord; want 10 and 0 (Discord does not redeliver)", retries[sl], retries[dc])
	}
	changed := 0
	for _, c := range second {
		if first[0].poll == c.poll && !c.retry {
			for _, f := range first {
				if f.poll == c.poll && f.member == c.member && f.option != c.option {
					changed++
				}
			}
		}
	}
	if changed != 10 {
		t.Errorf("%d voters changed option on one poll, want 10", changed)
	}
}

func TestExactNeedsEveryCountAndTheVoters(t *testing.T) {
	p := &poll{final: map[int]int{1: 0, 2: 0, 3: 1}}
	for text, want := range map[string]bool{
		"Yes ▇▇▇ 2 (67%)\nNo ▇ 1 (33%)\n3 members voted":  true,
		"Yes ▇▇▇ 2 (67%)\nNo ▇ 1 (33%)\n4 members voted":  false,
		"Yes ▇▇▇ 1 (50%)\nNo ▇ 1 (50%)\n3 members voted":  false,
		"Yes ▇▇▇ 2 (67%)\nNo ▇ 12 (33%)\n3 members voted": false,
	} {
		if got := p.exact(text); got != want {
			t.Errorf("exact(%q) = %v, want %v", text, got, want)
		}
	}
}

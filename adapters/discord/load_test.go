package discord

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// burstResult is what a burst of button clicks measured.
type burstResult struct {
	p50, p95, max time.Duration
	edits         int
	took          time.Duration
}

// clickBurst opens a poll and has n members click its buttons at once
// (the fake gateway dispatches the n INTERACTION_CREATE events back to
// back). It waits until every click is acknowledged and confirmed and the
// card shows the final tally, and checks that tally is exact.
func clickBurst(tb testing.TB, h *harness, n int) burstResult {
	tb.Helper()
	question := fmt.Sprintf("Burst %d?", time.Now().UnixNano())
	card := h.openPoll(question, "Yes | No | Not sure")
	h.polls.mu.Lock()
	pollID := h.polls.next
	h.polls.mu.Unlock()

	var acks0, follows0 int
	h.f.with(func() { acks0, follows0 = h.f.ackCount, h.f.followCount })
	want := make([]int, 3)
	who := make([]member, n)
	ids := make([]string, n)
	for i := range n {
		who[i] = member{id: strconv.Itoa(910000000000000000 + i), name: "member" + strconv.Itoa(i)}
		choice := i%3 + 1
		want[choice-1]++
		ids[i] = fmt.Sprintf("/vote %d %d", pollID, choice)
	}
	began := time.Now()
	clicks := h.f.clickMany(card, who, ids)
	wantBody := escapeMarkdown(fmt.Sprintf("1. Yes: %d\n2. No: %d\n3. Not sure: %d", want[0], want[1], want[2]))
	h.f.waitFor("every click acknowledged and confirmed, and the final tally on the card", func() bool {
		if h.f.ackCount < acks0+n || h.f.followCount < follows0+n {
			return false
		}
		for _, in := range clicks {
			if in.Acks == 0 || len(in.Followups) == 0 {
				return false
			}
		}
		return strings.TrimSpace(card.Embeds[0].Description) == wantBody
	})
	took := time.Since(began)

	var lat []time.Duration
	h.f.with(func() {
		for _, in := range clicks {
			lat = append(lat, in.Latency)
			if in.AckType != 6 {
				tb.Errorf("click acknowledged with type %d", in.AckType)
			}
			if in.Late || in.Latency >= 3*time.Second {
				tb.Errorf("click acknowledged after %v (Discord allows 3s)", in.Latency)
			}
			if m := h.f.messages[in.Followups[0]]; !m.ephemeral() || !strings.Contains(m.Content, "is recorded") {
				tb.Errorf("confirmation = %+v", m)
			}
		}
	})
	p := h.polls.poll(pollID)
	if !slices.Equal(p.votes, want) || len(p.voters) != n {
		tb.Errorf("tally %v from %d voters, want %v from %d", p.votes, len(p.voters), want, n)
	}
	slices.Sort(lat)
	var edits int
	h.f.with(func() { edits = card.Edits })
	return burstResult{p50: lat[len(lat)/2], p95: lat[len(lat)*95/100], max: lat[len(lat)-1], edits: edits, took: took}
}

// TestLoadThousandClicks: 1,000 button clicks in a burst are each
// acknowledged within Discord's three seconds, every vote is counted
// exactly once, and the card edits are coalesced.
func TestLoadThousandClicks(t *testing.T) {
	h := start(t)
	r := clickBurst(t, h, 1000)
	t.Logf("1000 clicks in %v: acknowledgement latency p50 %v, p95 %v, max %v; %d card edits",
		r.took.Round(time.Millisecond), r.p50.Round(time.Millisecond), r.p95.Round(time.Millisecond), r.max.Round(time.Millisecond), r.edits)
	// Edits are at most one per EditInterval (1s) plus the first.
	if limit := int(r.took/time.Second) + 2; r.edits < 1 || r.edits > limit {
		t.Errorf("%d card edits for a %v burst, want between 1 and %d", r.edits, r.took, limit)
	}
}

// BenchmarkClickBurst measures a burst of 1,000 button clicks per
// iteration; it reports acknowledgement latencies and card edits.
func BenchmarkClickBurst(b *testing.B) {
	h := start(b)
	var p50, p95, maxLat time.Duration
	var edits int
	b.ResetTimer()
	for range b.N {
		r := clickBurst(b, h, 1000)
		p50 += r.p50
		p95 += r.p95
		maxLat = max(maxLat, r.max)
		edits += r.edits
	}
	b.ReportMetric(float64(p50.Milliseconds())/float64(b.N), "ack-p50-ms")
	b.ReportMetric(float64(p95.Milliseconds())/float64(b.N), "ack-p95-ms")
	b.ReportMetric(float64(maxLat.Milliseconds()), "ack-max-ms")
	b.ReportMetric(float64(edits)/float64(b.N), "edits/1000-clicks")
}

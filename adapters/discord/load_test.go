package discord

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// discordAckDeadline is how long Discord waits for an interaction's
// acknowledgement before it drops the interaction.
const discordAckDeadline = 3 * time.Second

// burstResult is what a burst of button clicks measured.
type burstResult struct {
	latencies []time.Duration // of the acknowledgements
	edits     []time.Time     // when the fake received each card edit
}

// clickBurst opens a poll and has n members click its buttons at once
// (the fake gateway dispatches the n INTERACTION_CREATE events back to
// back). It waits until every click is acknowledged and confirmed and the
// card shows the final tally, and checks that every click was
// acknowledged with a deferred update and confirmed privately, and that
// the tally is exact.
func clickBurst(tb testing.TB, h *harness, n int) burstResult {
	tb.Helper()
	question := fmt.Sprintf("Burst %d?", time.Now().UnixNano())
	card := h.openPoll(question, "Yes | No | Not sure")
	h.polls.mu.Lock()
	pollID := h.polls.next
	h.polls.mu.Unlock()

	acks0, follows0 := h.f.Count(discordtest.RouteCallback), h.f.Count(discordtest.RouteFollowUp)
	want := make([]int, 3)
	clicks := make([]discordtest.Click, n)
	for i := range clicks {
		choice := i%3 + 1
		want[choice-1]++
		clicks[i] = discordtest.Click{
			Who:      discordtest.Member{ID: strconv.Itoa(910000000000000000 + i), Name: "member" + strconv.Itoa(i)},
			CustomID: fmt.Sprintf("/vote %d %d", pollID, choice),
		}
	}
	ids := h.f.ClickAll(card.ID, clicks...)
	wantBody := escapeMarkdown(fmt.Sprintf("1. Yes: %d\n2. No: %d\n3. Not sure: %d", want[0], want[1], want[2]))
	bottest.WaitFor(tb, "every click acknowledged and confirmed, and the final tally on the card", func() bool {
		if h.f.Count(discordtest.RouteCallback) < acks0+n || h.f.Count(discordtest.RouteFollowUp) < follows0+n {
			return false
		}
		m, _ := h.f.Message(card.ID)
		return strings.TrimSpace(m.Embed().Description) == wantBody
	})

	var r burstResult
	for _, id := range ids {
		in := h.f.Interaction(id)
		r.latencies = append(r.latencies, in.AckLatency)
		if in.AckType != discordgo.InteractionResponseDeferredMessageUpdate {
			tb.Errorf("click acknowledged with type %d", in.AckType)
		}
		if len(in.Followups) != 1 {
			tb.Errorf("click confirmed with %d follow-ups, want 1", len(in.Followups))
			continue
		}
		if m, _ := h.f.Message(in.Followups[0]); !m.Ephemeral() || !strings.Contains(m.Content, "is recorded") {
			tb.Errorf("confirmation = %+v", m)
		}
	}
	p := h.polls.poll(pollID)
	if !slices.Equal(p.votes, want) || len(p.voters) != n {
		tb.Errorf("tally %v from %d voters, want %v from %d", p.votes, len(p.voters), want, n)
	}
	for _, c := range h.f.Calls() {
		if c.Route == discordtest.RouteEditMessage && c.MessageID == card.ID && c.Status/100 == 2 {
			r.edits = append(r.edits, c.At)
		}
	}
	return r
}

// TestLoadThousandClicks: 1,000 button clicks in a burst are each
// acknowledged once with a deferred update and confirmed privately, every
// vote is counted exactly once, and the card edits are coalesced: paced
// at most one per EditInterval, measured by when the fake received them.
// How fast the acknowledgements are is BenchmarkClickBurst's to report.
func TestLoadThousandClicks(t *testing.T) {
	h := start(t)
	r := clickBurst(t, h, 1000)
	if len(r.edits) == 0 {
		t.Fatal("the card was never edited")
	}
	// k edits at least EditInterval apart span (k-1) intervals; one more
	// absorbs the jitter of their trip to the fake.
	span := r.edits[len(r.edits)-1].Sub(r.edits[0])
	if limit := int(span/DefaultEditInterval) + 2; len(r.edits) > limit {
		t.Errorf("%d card edits within %v, want at most %d (one per %v)", len(r.edits), span, limit, DefaultEditInterval)
	}
}

// BenchmarkClickBurst measures bursts of 1,000 button clicks: the
// acknowledgement latency (p50, p99, max, and how many missed Discord's
// three seconds) and the card edits per burst.
func BenchmarkClickBurst(b *testing.B) {
	h := start(b)
	var (
		lat    []time.Duration
		edits  int
		bursts int
	)
	for b.Loop() {
		r := clickBurst(b, h, 1000)
		lat = append(lat, r.latencies...)
		edits += len(r.edits)
		bursts++
	}
	slices.Sort(lat)
	late := 0
	for _, l := range lat {
		if l > discordAckDeadline {
			late++
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "ack-p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "ack-p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "ack-max-ms")
	b.ReportMetric(float64(late), "acks-over-3s")
	b.ReportMetric(float64(edits)/float64(bursts), "edits/burst")
}

package slack

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// burstResult is what a burst of button clicks measured.
type burstResult struct {
	acks       []time.Duration // per click, sorted
	updates    []apiCall       // chat.update calls, in order
	confirmed  int             // private confirmations received
	elapsed    time.Duration   // first click sent to last update received
	finalCard  string
	wantCounts []int
}

func (r burstResult) pct(p float64) time.Duration {
	return r.acks[min(len(r.acks)-1, int(float64(len(r.acks))*p))]
}

// runClickBurst posts the poll card, then sends n clicks by n different
// members as fast as the fake server can write them, and waits until every
// click is acknowledged and confirmed and the card shows every vote.
func runClickBurst(t testing.TB, n int) burstResult {
	f := newFakeSlack(t)
	startAdapter(t, f, newTestBot(), nil, nil)
	card := postPollCard(t, f)
	cardTS := "1700000000.000001"
	blocks := card.blocks()

	// Compose every envelope first, so that the burst itself is only
	// writes.
	want := make([]int, len(pollOptions))
	envs := make([][]byte, n)
	ids := make([]string, n)
	for i := range n {
		opt := i%len(pollOptions) + 1
		want[opt-1]++
		blockID, actionID, value := voteButton(t, card, opt)
		user := fmt.Sprintf("U%05d", i)
		ids[i] = fmt.Sprintf("burst-%d", i)
		envs[i] = []byte(mustJSON(t, interactiveEnvelope(ids[i],
			clickPayload(user, "C1", cardTS, blockID, actionID, value, "T-burst-"+user, f.hook("burst-"+user), blocks))))
	}
	start := time.Now()
	for i := range n {
		f.sendRaw(ids[i], envs[i])
	}
	finalFooter := fmt.Sprintf("%d votes", n)
	waitFor(t, 60*time.Second, "every click acknowledged, confirmed and counted on the card", func() bool {
		if len(f.responsePosts()) < n {
			return false
		}
		ups := f.callsTo("chat.update")
		return len(ups) > 0 && strings.Contains(ups[len(ups)-1].text(), finalFooter)
	})
	res := burstResult{updates: f.callsTo("chat.update"), confirmed: len(f.responsePosts()), wantCounts: want}
	res.elapsed = res.updates[len(res.updates)-1].At.Sub(start)
	res.finalCard = res.updates[len(res.updates)-1].text()
	for i := range n {
		d, ok := f.ackLatency(fmt.Sprintf("burst-%d", i))
		if !ok {
			t.Fatalf("click %d was never acknowledged", i)
		}
		res.acks = append(res.acks, d)
	}
	slices.Sort(res.acks)
	// Wait out one more interval: no update may follow the final state.
	time.Sleep(defaultUpdateInterval + 200*time.Millisecond)
	if after := f.callsTo("chat.update"); len(after) != len(res.updates) && !strings.Contains(after[len(after)-1].text(), finalFooter) {
		t.Fatalf("an update after the final state overwrote it: %q", after[len(after)-1].text())
	}
	return res
}

// TestLoadThousandClicks is the load test: 1,000 button clicks in a burst.
// Every click must be acknowledged within Slack's 3 s, every vote counted
// exactly, each member confirmed privately once, and the card updates
// coalesced to about one per second.
func TestLoadThousandClicks(t *testing.T) {
	const n = 1000
	res := runClickBurst(t, n)

	if worst := res.acks[len(res.acks)-1]; worst >= 3*time.Second {
		t.Errorf("slowest ack took %s; Slack needs every ack within 3s", worst)
	}
	for i, label := range pollOptions {
		if want := fmt.Sprintf("%s: %d", label, res.wantCounts[i]); !strings.Contains(res.finalCard, want) {
			t.Errorf("final card %q lacks %q", res.finalCard, want)
		}
	}
	if res.confirmed != n {
		t.Errorf("%d private confirmations, want %d", res.confirmed, n)
	}
	// Coalescing: consecutive updates of the message at least ~1s apart
	// (some slack for scheduling under -race), so their number is bounded
	// by the burst's duration.
	for i := 1; i < len(res.updates); i++ {
		if gap := res.updates[i].At.Sub(res.updates[i-1].At); gap < 800*time.Millisecond {
			t.Errorf("chat.update %d came %s after the previous one, want about 1s", i, gap)
		}
	}
	maxUpdates := int(res.elapsed/defaultUpdateInterval) + 2
	if len(res.updates) < 1 || len(res.updates) > maxUpdates {
		t.Errorf("%d chat.update calls over %s, want 1..%d", len(res.updates), res.elapsed.Round(time.Millisecond), maxUpdates)
	}
	t.Logf("%d clicks: ack p50 %s, p99 %s, max %s; %d chat.update calls for %d votes; final card after %s",
		n, res.pct(0.5).Round(time.Microsecond), res.pct(0.99).Round(time.Microsecond), res.acks[len(res.acks)-1].Round(time.Microsecond),
		len(res.updates), n, res.elapsed.Round(time.Millisecond))
}

// BenchmarkClickBurst measures a burst of 1,000 clicks end to end against
// the fake server: acknowledgement latencies and the chat.update calls
// the burst costs. Run with -benchtime=1x (each iteration is a full burst).
func BenchmarkClickBurst(b *testing.B) {
	const n = 1000
	var p50, p99, worst, updates, elapsed float64
	for range b.N {
		res := runClickBurst(b, n)
		p50 += float64(res.pct(0.5).Microseconds()) / 1000
		p99 += float64(res.pct(0.99).Microseconds()) / 1000
		worst += float64(res.acks[len(res.acks)-1].Microseconds()) / 1000
		updates += float64(len(res.updates))
		elapsed += res.elapsed.Seconds()
	}
	N := float64(b.N)
	b.ReportMetric(p50/N, "ack-p50-ms")
	b.ReportMetric(p99/N, "ack-p99-ms")
	b.ReportMetric(worst/N, "ack-max-ms")
	b.ReportMetric(updates/N, "chat.update/1000-clicks")
	b.ReportMetric(elapsed/N, "s-to-final-card")
}

package slack

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot/bottest"
)

// sendClickBurst sends n clicks on the poll card by n different members,
// as fast as the server can write them, and returns their envelope IDs
// and the tally they should add up to. Every envelope is composed first,
// so that the burst itself is only writes.
func sendClickBurst(t testing.TB, srv *slacktest.Server, card slacktest.Call, n int) (ids []string, tally []int) {
	t.Helper()
	tally = make([]int, len(pollOptions))
	envs := make([][]byte, n)
	ids = make([]string, n)
	for i := range n {
		opt := i%len(pollOptions) + 1
		tally[opt-1]++
		user := fmt.Sprintf("U%05d", i)
		ids[i] = fmt.Sprintf("burst-%d", i)
		envs[i] = []byte(mustJSON(t, slacktest.InteractiveEnvelope(ids[i], slacktest.BlockActions(user, "C1", card.TS, card.Blocks(),
			voteButton(t, card.Blocks(), opt), "T-"+ids[i], srv.ResponseURL(ids[i])))))
	}
	for i := range n {
		srv.SendRaw(ids[i], envs[i])
	}
	return ids, tally
}

// TestLoadThousandClicks is the load test: 1,000 button clicks in a
// burst. Every click is acknowledged, every vote counted exactly, each
// member confirmed privately once, and the card updates coalesced: the
// adapter's clock stands still during the burst, so every vote must wait
// for one chat.update carrying them all. BenchmarkClickBurst measures the
// same burst against the real clock.
func TestLoadThousandClicks(t *testing.T) {
	const n = 1000
	srv := slacktest.NewServer(t)
	clock := newTestClock()
	a := startAdapter(t, srv, newTestBot(), func(o *Options) { o.Clock = clock }, nil)
	ctx := context.Background()
	settled := func() {
		t.Helper()
		if err := a.in.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.out.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}

	card := postPollCard(t, srv)
	ids, tally := sendClickBurst(t, srv, card, n)
	srv.WaitAcked(ids...)
	bottest.WaitFor(t, "every click confirmed", func() bool { return len(srv.ResponsePosts()) >= n })
	settled()

	confirmed := map[string]int{}
	for _, p := range srv.ResponsePosts() {
		if p.ResponseType() != "ephemeral" || !strings.Contains(p.Text(), "Your vote for") {
			t.Errorf("confirmation %s = %q (%s)", p.Name, p.Text(), p.ResponseType())
		}
		confirmed[p.Name]++
	}
	for _, id := range ids {
		if confirmed[id] != 1 {
			t.Errorf("click %s confirmed %d times, want once", id, confirmed[id])
		}
	}
	if ups := srv.Updates(); len(ups) != 0 {
		t.Fatalf("%d chat.update calls before the update interval passed, want 0", len(ups))
	}
	clock.Advance(defaultUpdateInterval)
	settled()
	ups := srv.Updates()
	if len(ups) != 1 {
		t.Fatalf("%d votes reached the card in %d chat.update calls, want 1", n, len(ups))
	}
	final := ups[0].Text()
	for i, label := range pollOptions {
		if want := fmt.Sprintf("%s: %d", label, tally[i]); !strings.Contains(final, want) {
			t.Errorf("final card %q lacks %q", final, want)
		}
	}
	if want := fmt.Sprintf("%d votes", n); !strings.Contains(final, want) {
		t.Errorf("final card %q lacks %q", final, want)
	}
	// Nothing changed since: nothing more is sent.
	clock.Advance(5 * defaultUpdateInterval)
	settled()
	if n := len(srv.Updates()); n != 1 {
		t.Errorf("%d chat.update calls after the final state, want 1", n)
	}
}

// BenchmarkClickBurst measures a burst of 1,000 clicks end to end against
// the real clock: acknowledgement latencies (Slack wants each within
// 3 s), the chat.update calls the burst costs (about one per second), and
// the time until the card shows every vote. Run with -benchtime=1x (each
// iteration is a full burst).
func BenchmarkClickBurst(b *testing.B) {
	const n = 1000
	var acks []time.Duration
	var updates, elapsed float64
	for b.Loop() {
		srv := slacktest.NewServer(b)
		startAdapter(b, srv, newTestBot(), nil, nil)
		card := postPollCard(b, srv)
		start := time.Now()
		ids, _ := sendClickBurst(b, srv, card, n)
		final := fmt.Sprintf("%d votes", n)
		bottest.WaitFor(b, "every vote on the card", func() bool {
			ups := srv.Updates()
			return len(ups) > 0 && strings.Contains(ups[len(ups)-1].Text(), final)
		})
		ups := srv.Updates()
		updates += float64(len(ups))
		elapsed += ups[len(ups)-1].At.Sub(start).Seconds()
		srv.WaitAcked(ids...)
		for _, id := range ids {
			d, _ := srv.AckLatency(id)
			acks = append(acks, d)
		}
	}
	reportLatencies(b, "ack", acks)
	b.ReportMetric(updates/float64(b.N), "chat.update/burst")
	b.ReportMetric(elapsed/float64(b.N), "s-to-final-card")
}

// BenchmarkHTTPModeAck measures how long the adapter takes to answer a
// signed slash command request: Slack gives up on an app after 3 s.
func BenchmarkHTTPModeAck(b *testing.B) {
	srv := slacktest.NewServer(b)
	_, base := startHTTP(b, srv, newTestBot())
	lat := make([]time.Duration, 0, b.N)
	for i := 0; b.Loop(); i++ {
		form := url.Values{"command": {"/poll"}, "text": {"list"}, "user_id": {"U1"}, "channel_id": {"C1"},
			"response_url": {srv.ResponseURL("bench")}, "trigger_id": {fmt.Sprint("T-bench-", i)}}
		start := time.Now()
		resp := signedRequest(b, base+PathCommands, "application/x-www-form-urlencoded", form.Encode(), slacktest.SigningSecret, time.Now(), nil)
		body(resp)
		lat = append(lat, time.Since(start))
	}
	reportLatencies(b, "ack", lat)
}

// reportLatencies reports the median, 99th percentile and slowest of
// latencies as name-p50-ms, name-p99-ms and name-max-ms.
func reportLatencies(b *testing.B, name string, latencies []time.Duration) {
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	ms := func(p float64) float64 {
		d := latencies[min(len(latencies)-1, int(float64(len(latencies))*p))]
		return float64(d.Microseconds()) / 1000
	}
	b.ReportMetric(ms(0.5), name+"-p50-ms")
	b.ReportMetric(ms(0.99), name+"-p99-ms")
	b.ReportMetric(float64(latencies[len(latencies)-1].Microseconds())/1000, name+"-max-ms")
}

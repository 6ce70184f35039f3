package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
)

func TestSocketModeHandshake(t *testing.T) {
	f := newFakeSlack(t)
	a := startAdapter(t, f, newTestBot(), nil, nil)

	opens := f.callsTo("apps.connections.open")
	if len(opens) != 1 || opens[0].Auth != "Bearer "+testAppToken {
		t.Fatalf("apps.connections.open calls = %+v, want one with the app-level token", opens)
	}
	auth := f.callsTo("auth.test")
	if len(auth) != 1 || auth[0].Auth != "Bearer "+testBotToken {
		t.Fatalf("auth.test calls = %+v, want one with the bot token", auth)
	}
	waitFor(t, 5*time.Second, "hello", func() bool { return a.hellos.Load() == 1 })
	if u := a.self(); u != testBotUser {
		t.Fatalf("bot user = %q, want %q", u, testBotUser)
	}
}

func TestMentionAnsweredInChannelAndThread(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	startAdapter(t, f, tb, nil, nil)

	// A question at the top of a channel: answered in a thread under it.
	f.send(eventEnvelope("env-1", "Ev1", 0, mentionEvent("U1", "C1", "<@UBOT> what about the wage freeze &amp; raises?", "1700000100.000100", "")))
	// A question inside a thread: answered in that thread.
	f.send(eventEnvelope("env-2", "Ev2", 0, mentionEvent("U2", "C2", "<@UBOT|unionhall> and the pension?", "1700000200.000200", "1700000150.000150")))

	waitFor(t, 5*time.Second, "two answers", func() bool { return len(f.callsTo("chat.postMessage")) == 2 })
	posts := map[string]apiCall{}
	for _, c := range f.callsTo("chat.postMessage") {
		posts[c.Form.Get("channel")] = c
	}
	if c := posts["C1"]; c.Form.Get("thread_ts") != "1700000100.000100" || !strings.Contains(c.text(), "You asked: what about the wage freeze &amp; raises?") {
		t.Errorf("answer in C1: thread %q text %q", c.Form.Get("thread_ts"), c.text())
	}
	if c := posts["C2"]; c.Form.Get("thread_ts") != "1700000150.000150" || !strings.Contains(c.text(), "You asked: and the pension?") {
		t.Errorf("answer in C2: thread %q text %q", c.Form.Get("thread_ts"), c.text())
	}
	for _, r := range tb.requests() {
		if !r.Mention || r.DM || r.User.ID == "" || !strings.HasPrefix(r.User.ID, "slack:U") || r.Platform != bot.PlatformSlack {
			t.Errorf("request %+v: want a mention from a slack: user", r.Message)
		}
		if strings.Contains(r.Text, "UBOT") {
			t.Errorf("bot mention not stripped: %q", r.Text)
		}
	}
	for _, env := range []string{"env-1", "env-2"} {
		if _, ok := f.ackLatency(env); !ok {
			t.Errorf("envelope %s not acknowledged", env)
		}
	}
}

func TestDirectMessages(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	startAdapter(t, f, tb, nil, nil)

	f.send(eventEnvelope("e1", "Ev1", 0, imEvent("UBOT", "D1", "my own message", "1.1")))
	bot := imEvent("U9", "D1", "from another bot", "1.2")
	bot["bot_id"] = "B999"
	f.send(eventEnvelope("e2", "Ev2", 0, bot))
	edit := imEvent("U1", "D1", "", "1.3")
	edit["subtype"] = "message_changed"
	f.send(eventEnvelope("e3", "Ev3", 0, edit))
	f.send(eventEnvelope("e4", "Ev4", 0, imEvent("U1", "D1", "When is the deadline?", "1.4")))
	f.send(eventEnvelope("e5", "Ev5", 0, imEvent("U1", "D1", "/remind list", "1.5")))
	withFile := imEvent("U1", "D1", "what does this clause mean?", "1.6")
	withFile["subtype"] = "file_share"
	f.send(eventEnvelope("e6", "Ev6", 0, withFile))

	waitFor(t, 5*time.Second, "the DM answers and the command", func() bool {
		return len(f.callsTo("chat.postMessage")) == 3
	})
	reqs := tb.requests()
	if len(reqs) != 3 {
		t.Fatalf("handled %d messages, want 3 (own, bot and edited messages ignored): %+v", len(reqs), reqs)
	}
	if !reqs[0].DM || reqs[0].Text != "When is the deadline?" || reqs[0].User.ID != "slack:U1" {
		t.Errorf("DM request = %+v", reqs[0].Message)
	}
	if reqs[1].Command != "remind" || reqs[1].Raw != "list" {
		t.Errorf("command in DM = %q %q, want remind list", reqs[1].Command, reqs[1].Raw)
	}
	// A private reply in a DM is simply posted there: nobody else can see it.
	posts := f.callsTo("chat.postMessage")
	if posts[1].Form.Get("channel") != "D1" || !strings.Contains(posts[1].text(), "remind list") {
		t.Errorf("private reply in DM = %v", posts[1].Form)
	}
	if n := len(f.callsTo("chat.postEphemeral")); n != 0 {
		t.Errorf("%d ephemeral posts in a DM, want 0", n)
	}
}

func TestSlashCommand(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	startAdapter(t, f, tb, nil, nil)

	f.send(slashEnvelope("s1", slashPayload("/poll", "list", "U1", "C1", f.hook("s1"), "T-1")))
	f.send(slashEnvelope("s2", slashPayload("/reminders", "list", "U1", "C1", f.hook("s2"), "T-2")))
	f.send(slashEnvelope("s3", slashPayload("/poll", "show", "U1", "C1", f.hook("s3"), "T-3")))

	waitFor(t, 5*time.Second, "replies", func() bool {
		return len(f.responsePosts()) == 2 && len(f.callsTo("chat.postMessage")) == 1
	})
	reqs := tb.requests()
	if len(reqs) != 3 || reqs[0].Text != "/poll list" || reqs[1].Command != "remind" || reqs[1].Raw != "list" || reqs[0].Channel.ID != "C1" || reqs[0].Channel.Name != "general" {
		t.Fatalf("requests = %+v", reqs)
	}
	// Private replies go through the command's response_url, as ephemeral.
	hooks := map[string]responsePost{}
	for _, p := range f.responsePosts() {
		hooks[p.Hook] = p
	}
	if p := hooks["s1"]; p.Msg["response_type"] != "ephemeral" || !strings.Contains(p.text(), "No open polls") {
		t.Errorf("response to /poll list = %+v", p.Msg)
	}
	if p := hooks["s2"]; p.Msg["response_type"] != "ephemeral" || !strings.Contains(p.text(), "remind list") {
		t.Errorf("response to /reminders list = %+v", p.Msg)
	}
	// A public reply (the poll card) is posted in the channel.
	post := f.callsTo("chat.postMessage")[0]
	if post.Form.Get("channel") != "C1" || !strings.Contains(post.text(), "Ratify the agreement?") {
		t.Errorf("card post = %v", post.Form)
	}
}

// postPollCard opens the test poll in C1 with a slash command and returns
// the posted card message.
func postPollCard(t testing.TB, f *fakeSlack) apiCall {
	t.Helper()
	f.send(slashEnvelope("show", slashPayload("/poll", "show", "USTEWARD", "C1", f.hook("show"), "T-show")))
	waitFor(t, 5*time.Second, "the poll card", func() bool { return len(f.callsTo("chat.postMessage")) == 1 })
	return f.callsTo("chat.postMessage")[0]
}

// voteButton returns the block_id, action_id and value of the card's
// button for option n (1-based).
func voteButton(t testing.TB, card apiCall, n int) (blockID, actionID, value string) {
	t.Helper()
	for _, b := range card.blocks() {
		if b["type"] != "actions" {
			continue
		}
		els, _ := b["elements"].([]any)
		if n-1 < len(els) {
			el := els[n-1].(map[string]any)
			return b["block_id"].(string), el["action_id"].(string), el["value"].(string)
		}
	}
	t.Fatalf("no button %d in %v", n, card.blocks())
	return
}

func TestButtonClickRecordsVoteAndUpdatesCard(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	startAdapter(t, f, tb, nil, nil)

	card := postPollCard(t, f)
	blockID, actionID, value := voteButton(t, card, 2)
	if value != "/vote 1 2" || !strings.HasPrefix(blockID, "uh.card.0.r") || !strings.HasSuffix(blockID, ":poll:1") {
		t.Fatalf("button value %q block %q", value, blockID)
	}
	cardTS := "1700000000.000001"
	f.send(interactiveEnvelope("click-1", clickPayload("U7", "C1", cardTS, blockID, actionID, value, "T-click-1", f.hook("click-1"), card.blocks())))

	waitFor(t, 5*time.Second, "the card update", func() bool { return len(f.callsTo("chat.update")) == 1 })
	up := f.callsTo("chat.update")[0]
	if up.Form.Get("channel") != "C1" || up.Form.Get("ts") != cardTS {
		t.Fatalf("chat.update on %s/%s, want C1/%s", up.Form.Get("channel"), up.Form.Get("ts"), cardTS)
	}
	if !strings.Contains(up.text(), "No: 1") || !strings.Contains(up.text(), "1 votes") {
		t.Errorf("updated card = %q", up.text())
	}
	if !strings.Contains(up.text(), "Poll 1 is open.") {
		t.Errorf("updated card lost the text above it: %q", up.text())
	}
	reqs := tb.requests()
	last := reqs[len(reqs)-1]
	if !last.Button || last.Text != "/vote 1 2" || last.User.ID != "slack:U7" {
		t.Errorf("click request = %+v", last.Message)
	}
	waitFor(t, 5*time.Second, "the private confirmation", func() bool { return len(f.responsePosts()) == 1 })
	if p := f.responsePosts()[0]; p.Hook != "click-1" || p.Msg["response_type"] != "ephemeral" || !strings.Contains(p.text(), "Your vote for No") {
		t.Errorf("confirmation = %+v", p)
	}
}

func TestClickRegistersCardAfterRestart(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	startAdapter(t, f, tb, nil, nil)
	// A card this process never posted (it was posted before a restart).
	blocks := renderReply(bot.Reply{Text: "Poll 1 is open.", Card: func() *bot.Card { c := tb.cardLocked(); return &c }()})[0].blocks
	posted := apiCall{Form: map[string][]string{"blocks": {mustJSON(t, blocks)}}}
	blockID, actionID, value := voteButton(t, posted, 1)
	f.send(interactiveEnvelope("c1", clickPayload("U1", "C5", "1690000000.000009", blockID, actionID, value, "T-c1", f.hook("c1"), posted.blocks())))

	waitFor(t, 5*time.Second, "the update", func() bool { return len(f.callsTo("chat.update")) == 1 })
	up := f.callsTo("chat.update")[0]
	if up.Form.Get("channel") != "C5" || up.Form.Get("ts") != "1690000000.000009" || !strings.Contains(up.text(), "Yes: 1") || !strings.Contains(up.text(), "Poll 1 is open.") {
		t.Errorf("update = %v / %q", up.Form, up.text())
	}
}

func TestRetriedEventProcessedOnce(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	startAdapter(t, f, tb, nil, nil)

	ev := mentionEvent("U1", "C1", "<@UBOT> is the freeze two years?", "1700000300.000300", "")
	f.send(eventEnvelope("first", "EvSame", 0, ev))
	f.send(eventEnvelope("retry-1", "EvSame", 1, ev))
	f.send(eventEnvelope("retry-2", "EvSame", 2, ev))
	// A first delivery that arrives flagged as a retry (its first attempt
	// never reached us) is still processed.
	f.send(eventEnvelope("late", "EvOther", 1, mentionEvent("U2", "C1", "<@UBOT> what about health care?", "1700000400.000400", "")))

	waitFor(t, 5*time.Second, "acks", func() bool {
		for _, e := range []string{"first", "retry-1", "retry-2", "late"} {
			if _, ok := f.ackLatency(e); !ok {
				return false
			}
		}
		return true
	})
	waitFor(t, 5*time.Second, "answers", func() bool { return len(f.callsTo("chat.postMessage")) >= 2 })
	// Give a wrongly processed retry every chance to show up.
	f.send(eventEnvelope("marker", "EvMarker", 0, mentionEvent("U3", "C1", "<@UBOT> marker", "1700000500.000500", "")))
	waitFor(t, 5*time.Second, "the marker", func() bool { return len(tb.requests()) >= 3 })
	counts := map[string]int{}
	for _, r := range tb.requests() {
		counts[r.Raw]++
	}
	if counts["is the freeze two years?"] != 1 || counts["what about health care?"] != 1 || len(tb.requests()) != 3 {
		t.Fatalf("handled %v, want each question once", counts)
	}
}

func TestRateLimitedPostIsRetriedAfterRetryAfter(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	startAdapter(t, f, tb, nil, nil)
	f.failNext("chat.postMessage", 1, failure{status: 429, retryAfter: "1"})

	f.send(eventEnvelope("a", "EvA", 0, mentionEvent("U1", "C1", "<@UBOT> /poll show", "1700000600.000600", "")))
	f.send(eventEnvelope("b", "EvB", 0, mentionEvent("U1", "C1", "<@UBOT> second question", "1700000700.000700", "")))
	waitFor(t, 10*time.Second, "delivery after the rate limit", func() bool { return len(f.callsTo("chat.postMessage")) == 3 })

	posts := f.callsTo("chat.postMessage")
	if gap := posts[1].At.Sub(posts[0].At); gap < time.Second {
		t.Errorf("retried %s after the 429, want at least the 1s Retry-After", gap)
	}
	// The retried card came first, the reply queued behind it second.
	if !strings.Contains(posts[1].text(), "Ratify") || !strings.Contains(posts[2].text(), "second question") {
		t.Errorf("order after the 429: %q then %q", posts[1].text(), posts[2].text())
	}
	for _, e := range []string{"a", "b"} {
		if d, ok := f.ackLatency(e); !ok || d > time.Second {
			t.Errorf("envelope %s ack latency %s (acked %v): the rate limit must not delay acks", e, d, ok)
		}
	}
}

func TestServerErrorsAndBareRateLimitsAreRetriedInOrder(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	startAdapter(t, f, tb, nil, func(a *Adapter) { a.rateLimitWait = 50 * time.Millisecond })
	f.failNext("chat.postMessage", 2, failure{status: 503})
	f.failNext("chat.postMessage", 1, failure{status: 429}) // no Retry-After
	f.failNext("chat.postMessage", 1, failure{slackErr: "ratelimited"})

	for i := range 5 {
		f.send(eventEnvelope(fmt.Sprintf("e%d", i), fmt.Sprintf("Ev%d", i), 0,
			mentionEvent("U1", "C1", fmt.Sprintf("<@UBOT> /vote 1 %d", i%3+1), fmt.Sprintf("17000008%02d.000000", i), "")))
	}
	for i := range 5 {
		f.send(eventEnvelope(fmt.Sprintf("q%d", i), fmt.Sprintf("EvQ%d", i), 0,
			mentionEvent("U1", "C1", fmt.Sprintf("<@UBOT> question %d", i), fmt.Sprintf("17000009%02d.000000", i), "")))
	}
	// Failed attempts are recorded too; count the distinct answers.
	waitFor(t, 10*time.Second, "all answers", func() bool {
		seen := map[string]bool{}
		for _, c := range f.callsTo("chat.postMessage") {
			if strings.Contains(c.text(), "You asked") {
				seen[c.text()] = true
			}
		}
		return len(seen) == 5
	})
	waitFor(t, 5*time.Second, "the private vote confirmations", func() bool { return len(f.callsTo("chat.postEphemeral")) == 5 })
	var got []string
	for _, c := range f.callsTo("chat.postMessage") {
		if strings.Contains(c.text(), "You asked") && !contains(got, c.text()) {
			got = append(got, c.text())
		}
	}
	for i, txt := range got {
		if !strings.Contains(txt, fmt.Sprintf("question %d", i)) {
			t.Fatalf("answers out of order: %q", got)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestReconnectAfterDisconnect(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	a := startAdapter(t, f, tb, nil, nil)

	f.send(eventEnvelope("e1", "Ev1", 0, mentionEvent("U1", "C1", "<@UBOT> before", "1700001000.000000", "")))
	waitFor(t, 5*time.Second, "the first answer", func() bool { return len(f.callsTo("chat.postMessage")) == 1 })

	// The network drops the connection.
	f.dropConnections()
	waitFor(t, 10*time.Second, "a new connection", func() bool { return f.connectionsOpened() == 2 && a.hellos.Load() == 2 && f.current() != nil })
	f.send(eventEnvelope("e2", "Ev2", 0, mentionEvent("U1", "C1", "<@UBOT> after the drop", "1700001100.000000", "")))
	waitFor(t, 5*time.Second, "the answer after reconnecting", func() bool { return len(f.callsTo("chat.postMessage")) == 2 })

	// Slack asks the client to reconnect.
	f.send(map[string]any{"type": "disconnect", "reason": "refresh_requested"})
	waitFor(t, 10*time.Second, "a third connection", func() bool { return f.connectionsOpened() == 3 && a.hellos.Load() == 3 })
	f.send(eventEnvelope("e3", "Ev3", 0, mentionEvent("U1", "C1", "<@UBOT> after the refresh", "1700001200.000000", "")))
	waitFor(t, 5*time.Second, "the answer after the refresh", func() bool { return len(f.callsTo("chat.postMessage")) == 3 })

	if got := f.callsTo("chat.postMessage")[2].text(); !strings.Contains(got, "after the refresh") {
		t.Errorf("third answer = %q", got)
	}
}

func TestAckDoesNotWaitForHandler(t *testing.T) {
	f := newFakeSlack(t)
	tb := newTestBot()
	release := make(chan struct{})
	tb.release = release
	startAdapter(t, f, tb, nil, nil)

	f.send(slashEnvelope("slow", slashPayload("/poll", "list", "U1", "C1", f.hook("slow"), "T-slow")))
	waitFor(t, 3*time.Second, "the ack while the handler is still working", func() bool {
		_, ok := f.ackLatency("slow")
		return ok
	})
	if len(f.responsePosts()) != 0 {
		t.Fatal("replied before the handler finished")
	}
	close(release)
	waitFor(t, 5*time.Second, "the reply once the handler finished", func() bool { return len(f.responsePosts()) == 1 })
}

func TestStewardGroupGrantsPowers(t *testing.T) {
	f := newFakeSlack(t)
	f.setGroup([]string{"U5"}, "")
	tb := newTestBot()
	startAdapter(t, f, tb, func(o *Options) { o.StewardGroup = "@stewards" }, nil)

	f.send(slashEnvelope("w1", slashPayload("/poll", "whoami", "U5", "C1", f.hook("w1"), "T-w1")))
	f.send(slashEnvelope("w2", slashPayload("/poll", "whoami", "U6", "C1", f.hook("w2"), "T-w2")))
	waitFor(t, 5*time.Second, "replies", func() bool { return len(f.responsePosts()) == 2 })
	got := map[string]string{}
	for _, p := range f.responsePosts() {
		got[p.Hook] = p.text()
	}
	if !strings.Contains(got["w1"], "steward=true") || !strings.Contains(got["w2"], "steward=false") {
		t.Errorf("steward answers = %v", got)
	}
	if c := f.callsTo("usergroups.users.list"); len(c) == 0 || c[0].Form.Get("usergroup") != "S0STEWARD" {
		t.Errorf("usergroups.users.list calls = %+v (the handle should resolve to S0STEWARD)", c)
	}
}

func TestSilentConnectionIsReplaced(t *testing.T) {
	f := newFakeSlack(t)
	f.mu.Lock()
	f.pingEvery = 40 * time.Millisecond
	f.mu.Unlock()
	tb := newTestBot()
	a := startAdapter(t, f, tb, nil, func(a *Adapter) { a.readTimeout = 300 * time.Millisecond })

	// Slack's pings keep a quiet connection alive, and are answered.
	waitFor(t, 5*time.Second, "pongs over more than the read timeout", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.pongs >= 15
	})
	if n := f.connectionsOpened(); n != 1 {
		t.Fatalf("%d connections opened while pings kept arriving, want 1", n)
	}
	// Silence: the connection is taken for dead and replaced.
	f.mu.Lock()
	f.pingEvery = 0
	f.mu.Unlock()
	waitFor(t, 5*time.Second, "a new connection", func() bool { return f.connectionsOpened() >= 2 && a.hellos.Load() >= 2 })
	f.mu.Lock()
	f.pingEvery = 40 * time.Millisecond
	f.mu.Unlock()
	f.send(eventEnvelope("e1", "Ev1", 0, mentionEvent("U1", "C1", "<@UBOT> still there?", "1700004000.000000", "")))
	waitFor(t, 5*time.Second, "the answer on the new connection", func() bool { return len(f.callsTo("chat.postMessage")) == 1 })
}

func TestRefusedAppTokenStopsRun(t *testing.T) {
	f := newFakeSlack(t)
	log, _ := testLogger(t)
	a, err := newAdapter(Options{BotToken: testBotToken, AppToken: "xapp-wrong", APIURL: f.apiURL(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = a.Run(ctx, newTestBot())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "xapp-wrong") {
		t.Fatalf("Run = %v, want an invalid_auth error that does not echo the token", err)
	}
	b, err := newAdapter(Options{BotToken: "xoxb-wrong", AppToken: testAppToken, APIURL: f.apiURL(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(ctx, newTestBot()); err == nil || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "xoxb-wrong") {
		t.Fatalf("Run with a refused bot token = %v", err)
	}
}

func TestReconnectWaitBacksOffWhenSlackSaysSo(t *testing.T) {
	asked := fmt.Errorf("%w (refresh_requested)", errDisconnectRequested)
	if w := reconnectWait(8*time.Second, true, asked); w != 0 {
		t.Errorf("after a greeted connection Slack refreshed: wait %v, want 0", w)
	}
	for _, reason := range []string{"too_many_websockets", "link_disabled"} {
		err := fmt.Errorf("%w: %w (%s)", errDisconnectRequested, errBackOff, reason)
		if w := reconnectWait(0, true, err); w < backOffWait {
			t.Errorf("%s: wait %v, want at least %v", reason, w, backOffWait)
		}
	}
	if w := reconnectWait(time.Second, false, errors.New("dial failed")); w != 2*time.Second {
		t.Errorf("failed dial: wait %v, want 2s", w)
	}
}

package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

func TestSocketModeHandshake(t *testing.T) {
	srv := slacktest.NewServer(t)
	a := startAdapter(t, srv, newTestBot(), nil, nil)

	opens := srv.Calls("apps.connections.open")
	if len(opens) != 1 || opens[0].Token != slacktest.AppToken {
		t.Fatalf("apps.connections.open calls = %+v, want one with the app-level token", opens)
	}
	auth := srv.Calls("auth.test")
	if len(auth) != 1 || auth[0].Token != slacktest.BotToken {
		t.Fatalf("auth.test calls = %+v, want one with the bot token", auth)
	}
	bottest.WaitFor(t, "hello", func() bool { return a.hellos.Load() == 1 })
	if u := a.self(); u != slacktest.BotUserID {
		t.Fatalf("bot user = %q, want %q", u, slacktest.BotUserID)
	}
}

func TestMentionAnsweredInChannelAndThread(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	startAdapter(t, srv, tb, nil, nil)

	// A question at the top of a channel: answered in a thread under it.
	srv.SendEvent("env-1", slacktest.Mention("U1", "C1", "<@UBOT> what about the wage freeze &amp; raises?", "1700000100.000100", ""))
	// A question inside a thread: answered in that thread.
	srv.SendEvent("env-2", slacktest.Mention("U2", "C2", "<@UBOT|unionhall> and the pension?", "1700000200.000200", "1700000150.000150"))

	bottest.WaitFor(t, "two answers", func() bool { return len(srv.Posts()) == 2 })
	posts := map[string]slacktest.Call{}
	for _, c := range srv.Posts() {
		posts[c.Form.Get("channel")] = c
	}
	if c := posts["C1"]; c.Form.Get("thread_ts") != "1700000100.000100" || !strings.Contains(c.Text(), "You asked: what about the wage freeze &amp; raises?") {
		t.Errorf("answer in C1: thread %q text %q", c.Form.Get("thread_ts"), c.Text())
	}
	if c := posts["C2"]; c.Form.Get("thread_ts") != "1700000150.000150" || !strings.Contains(c.Text(), "You asked: and the pension?") {
		t.Errorf("answer in C2: thread %q text %q", c.Form.Get("thread_ts"), c.Text())
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
		if !srv.Acked(env) {
			t.Errorf("envelope %s not acknowledged", env)
		}
	}
}

func TestDirectMessages(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	startAdapter(t, srv, tb, nil, nil)

	srv.SendEvent("e1", slacktest.DirectMessage("UBOT", "D1", "my own message", "1.1"))
	fromBot := slacktest.DirectMessage("U9", "D1", "from another bot", "1.2")
	fromBot["bot_id"] = "B999"
	srv.SendEvent("e2", fromBot)
	edit := slacktest.DirectMessage("U1", "D1", "", "1.3")
	edit["subtype"] = "message_changed"
	srv.SendEvent("e3", edit)
	srv.SendEvent("e4", slacktest.DirectMessage("U1", "D1", "When is the deadline?", "1.4"))
	srv.SendEvent("e5", slacktest.DirectMessage("U1", "D1", "/remind list", "1.5"))
	withFile := slacktest.DirectMessage("U1", "D1", "what does this clause mean?", "1.6")
	withFile["subtype"] = "file_share"
	srv.SendEvent("e6", withFile)

	bottest.WaitFor(t, "the DM answers and the command", func() bool { return len(srv.Posts()) == 3 })
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
	posts := srv.Posts()
	if posts[1].Form.Get("channel") != "D1" || !strings.Contains(posts[1].Text(), "remind list") {
		t.Errorf("private reply in DM = %v", posts[1].Form)
	}
	if n := len(srv.Ephemerals()); n != 0 {
		t.Errorf("%d ephemeral posts in a DM, want 0", n)
	}
}

func TestSlashCommand(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	startAdapter(t, srv, tb, nil, nil)

	srv.SendSlashCommand("s1", "/poll", "list", "U1", "C1")
	srv.SendSlashCommand("s2", "/reminders", "list", "U1", "C1")
	srv.SendSlashCommand("s3", "/poll", "show", "U1", "C1")

	bottest.WaitFor(t, "replies", func() bool {
		return len(srv.ResponsePosts()) == 2 && len(srv.Posts()) == 1
	})
	reqs := tb.requests()
	if len(reqs) != 3 || reqs[0].Text != "/poll list" || reqs[1].Command != "remind" || reqs[1].Raw != "list" || reqs[0].Channel.ID != "C1" || reqs[0].Channel.Name != "general" {
		t.Fatalf("requests = %+v", reqs)
	}
	// Private replies go through the command's response_url, as ephemeral.
	if p := srv.ResponsePosts("s1"); len(p) != 1 || p[0].ResponseType() != "ephemeral" || !strings.Contains(p[0].Text(), "No open polls") {
		t.Errorf("response to /poll list = %+v", p)
	}
	if p := srv.ResponsePosts("s2"); len(p) != 1 || p[0].ResponseType() != "ephemeral" || !strings.Contains(p[0].Text(), "remind list") {
		t.Errorf("response to /reminders list = %+v", p)
	}
	// A public reply (the poll card) is posted in the channel.
	post := srv.Posts()[0]
	if post.Form.Get("channel") != "C1" || !strings.Contains(post.Text(), "Ratify the agreement?") {
		t.Errorf("card post = %v", post.Form)
	}
}

// postPollCard opens the test poll in C1 with a slash command and returns
// the posted card message.
func postPollCard(t testing.TB, srv *slacktest.Server) slacktest.Call {
	t.Helper()
	srv.SendSlashCommand("show", "/poll", "show", "USTEWARD", "C1")
	bottest.WaitFor(t, "the poll card", func() bool { return len(srv.Posts()) == 1 })
	return srv.Posts()[0]
}

func TestButtonClickRecordsVoteAndUpdatesCard(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	startAdapter(t, srv, tb, nil, nil)

	card := postPollCard(t, srv)
	btn := voteButton(t, card.Blocks(), 2)
	if btn.Value != "/vote 1 2" || !strings.HasPrefix(btn.BlockID, "uh.card.0.r") || !strings.HasSuffix(btn.BlockID, ":poll:1") {
		t.Fatalf("button value %q block %q", btn.Value, btn.BlockID)
	}
	srv.SendClick("click-1", "U7", "C1", card.TS, card.Blocks(), btn)

	bottest.WaitFor(t, "the card update", func() bool { return len(srv.Updates()) == 1 })
	up := srv.Updates()[0]
	if up.Form.Get("channel") != "C1" || up.Form.Get("ts") != card.TS {
		t.Fatalf("chat.update on %s/%s, want C1/%s", up.Form.Get("channel"), up.Form.Get("ts"), card.TS)
	}
	if !strings.Contains(up.Text(), "No: 1") || !strings.Contains(up.Text(), "1 votes") {
		t.Errorf("updated card = %q", up.Text())
	}
	if !strings.Contains(up.Text(), "Poll 1 is open.") {
		t.Errorf("updated card lost the text above it: %q", up.Text())
	}
	reqs := tb.requests()
	last := reqs[len(reqs)-1]
	if !last.Button || last.Text != "/vote 1 2" || last.User.ID != "slack:U7" {
		t.Errorf("click request = %+v", last.Message)
	}
	bottest.WaitFor(t, "the private confirmation", func() bool { return len(srv.ResponsePosts()) == 1 })
	if p := srv.ResponsePosts()[0]; p.Name != "click-1" || p.ResponseType() != "ephemeral" || !strings.Contains(p.Text(), "Your vote for No") {
		t.Errorf("confirmation = %+v", p)
	}
}

func TestClickRegistersCardAfterRestart(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	startAdapter(t, srv, tb, nil, nil)
	// A card this process never posted (it was posted before a restart).
	blocks := blocksJSON(t, renderReply(bot.Reply{Text: "Poll 1 is open.", Card: func() *bot.Card { c := tb.cardLocked(); return &c }()})[0].blocks)
	srv.SendClick("c1", "U1", "C5", "1690000000.000009", blocks, voteButton(t, blocks, 1))

	bottest.WaitFor(t, "the update", func() bool { return len(srv.Updates()) == 1 })
	up := srv.Updates()[0]
	if up.Form.Get("channel") != "C5" || up.Form.Get("ts") != "1690000000.000009" || !strings.Contains(up.Text(), "Yes: 1") || !strings.Contains(up.Text(), "Poll 1 is open.") {
		t.Errorf("update = %v / %q", up.Form, up.Text())
	}
}

func TestRetriedEventProcessedOnce(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	startAdapter(t, srv, tb, nil, nil)

	ev := slacktest.Mention("U1", "C1", "<@UBOT> is the freeze two years?", "1700000300.000300", "")
	srv.Send(slacktest.EventsAPIEnvelope("first", "EvSame", 0, ev))
	srv.Send(slacktest.EventsAPIEnvelope("retry-1", "EvSame", 1, ev))
	srv.Send(slacktest.EventsAPIEnvelope("retry-2", "EvSame", 2, ev))
	// A first delivery that arrives flagged as a retry (its first attempt
	// never reached us) is still processed.
	srv.Send(slacktest.EventsAPIEnvelope("late", "EvOther", 1, slacktest.Mention("U2", "C1", "<@UBOT> what about health care?", "1700000400.000400", "")))

	srv.WaitAcked("first", "retry-1", "retry-2", "late")
	bottest.WaitFor(t, "answers", func() bool { return len(srv.Posts()) >= 2 })
	// Give a wrongly processed retry every chance to show up: envelopes
	// are handled in order, so it would come before the marker.
	srv.SendEvent("marker", slacktest.Mention("U3", "C1", "<@UBOT> marker", "1700000500.000500", ""))
	bottest.WaitFor(t, "the marker", func() bool { return len(tb.requests()) >= 3 })
	counts := map[string]int{}
	for _, r := range tb.requests() {
		counts[r.Raw]++
	}
	if counts["is the freeze two years?"] != 1 || counts["what about health care?"] != 1 || len(tb.requests()) != 3 {
		t.Fatalf("handled %v, want each question once", counts)
	}
}

func TestRateLimitedPostIsRetriedAfterRetryAfter(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	sleeps := newHeldSleeps()
	startAdapter(t, srv, tb, nil, func(a *Adapter) { a.sleep = sleeps.sleep })
	srv.FailNext("chat.postMessage", 1, slacktest.Failure{Status: 429, RetryAfter: "1"})

	srv.SendEvent("a", slacktest.Mention("U1", "C1", "<@UBOT> /poll show", "1700000600.000600", ""))
	srv.SendEvent("b", slacktest.Mention("U1", "C1", "<@UBOT> second question", "1700000700.000700", ""))
	bottest.WaitFor(t, "the wait the 429 asks for", func() bool { return len(sleeps.requested()) == 1 })
	if w := sleeps.requested()[0]; w != time.Second {
		t.Errorf("waiting %s before retrying after the 429, want the 1s Retry-After", w)
	}
	// While the retry waits, both envelopes are acknowledged: the rate
	// limit must not delay acks. Nothing is posted before the wait ends.
	srv.WaitAcked("a", "b")
	if n := len(srv.Posts()); n != 1 {
		t.Errorf("%d posts while the retry waits, want only the rate-limited one", n)
	}
	sleeps.release(t)
	bottest.WaitFor(t, "delivery after the rate limit", func() bool { return len(srv.Posts()) == 3 })

	// The retried card came first, the reply queued behind it second.
	posts := srv.Posts()
	if posts[0].Err != "429" || !strings.Contains(posts[1].Text(), "Ratify") || !strings.Contains(posts[2].Text(), "second question") {
		t.Errorf("order after the 429: %q (%s), then %q then %q", posts[0].Text(), posts[0].Err, posts[1].Text(), posts[2].Text())
	}
}

// TestServerErrorsAndBareRateLimitsAreRetriedInOrder talks to the bot in
// a direct message, where answers have nowhere more private to go, so
// that every one waits out the failures in the conversation.
func TestServerErrorsAndBareRateLimitsAreRetriedInOrder(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	startAdapter(t, srv, tb, nil, func(a *Adapter) { a.rateLimitWait = 50 * time.Millisecond })
	srv.FailNext("chat.postMessage", 2, slacktest.Failure{Status: 503})
	srv.FailNext("chat.postMessage", 1, slacktest.Failure{Status: 429}) // no Retry-After
	srv.FailNext("chat.postMessage", 1, slacktest.Failure{Error: "ratelimited"})

	for i := range 5 {
		srv.SendEvent(fmt.Sprintf("e%d", i),
			slacktest.DirectMessage("U1", "D1", fmt.Sprintf("/vote 1 %d", i%3+1), fmt.Sprintf("17000008%02d.000000", i)))
	}
	for i := range 5 {
		srv.SendEvent(fmt.Sprintf("q%d", i),
			slacktest.DirectMessage("U1", "D1", fmt.Sprintf("question %d", i), fmt.Sprintf("17000009%02d.000000", i)))
	}
	// Failed attempts are recorded too; count the distinct replies.
	sent := func(what string) []string {
		var got []string
		for _, c := range srv.Posts() {
			if c.Err == "" && strings.Contains(c.Text(), what) {
				got = append(got, c.Text())
			}
		}
		return got
	}
	bottest.WaitFor(t, "all answers", func() bool { return len(sent("You asked")) == 5 })
	bottest.WaitFor(t, "the vote confirmations", func() bool { return len(sent("is recorded")) == 5 })
	got := sent("You asked")
	for i, txt := range got {
		if !strings.Contains(txt, fmt.Sprintf("question %d", i)) {
			t.Fatalf("answers out of order: %q", got)
		}
	}
	if n := len(srv.Posts()) - len(sent("")); n != 4 {
		t.Errorf("%d failed attempts recorded, want the 4 failures asked for", n)
	}
}

func TestReconnectAfterDisconnect(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	a := startAdapter(t, srv, tb, nil, nil)
	connected := func(n int) func() bool {
		return func() bool {
			return len(srv.Calls("apps.connections.open")) == n && srv.Sockets() == n && a.hellos.Load() == int64(n)
		}
	}

	srv.SendEvent("e1", slacktest.Mention("U1", "C1", "<@UBOT> before", "1700001000.000000", ""))
	bottest.WaitFor(t, "the first answer", func() bool { return len(srv.Posts()) == 1 })

	// The network drops the connection.
	srv.DropConnections()
	bottest.WaitFor(t, "a new connection", connected(2))
	srv.SendEvent("e2", slacktest.Mention("U1", "C1", "<@UBOT> after the drop", "1700001100.000000", ""))
	bottest.WaitFor(t, "the answer after reconnecting", func() bool { return len(srv.Posts()) == 2 })

	// Slack asks the client to reconnect.
	srv.Disconnect("refresh_requested")
	bottest.WaitFor(t, "a third connection", connected(3))
	srv.SendEvent("e3", slacktest.Mention("U1", "C1", "<@UBOT> after the refresh", "1700001200.000000", ""))
	bottest.WaitFor(t, "the answer after the refresh", func() bool { return len(srv.Posts()) == 3 })

	if got := srv.Posts()[2].Text(); !strings.Contains(got, "after the refresh") {
		t.Errorf("third answer = %q", got)
	}
}

func TestAckDoesNotWaitForHandler(t *testing.T) {
	srv := slacktest.NewServer(t)
	tb := newTestBot()
	release := tb.holdHandlers()
	startAdapter(t, srv, tb, nil, nil)

	srv.SendSlashCommand("slow", "/poll", "list", "U1", "C1")
	srv.WaitAcked("slow")
	checkReplyAfterHandler(t, srv, release)
}

func TestStewardGroupGrantsPowers(t *testing.T) {
	srv := slacktest.NewServer(t)
	srv.SetUserGroup([]string{"U5"}, "")
	tb := newTestBot()
	startAdapter(t, srv, tb, func(o *Options) { o.StewardGroup = "@" + slacktest.UserGroupHandle }, nil)

	srv.SendSlashCommand("w1", "/poll", "whoami", "U5", "C1")
	srv.SendSlashCommand("w2", "/poll", "whoami", "U6", "C1")
	bottest.WaitFor(t, "replies", func() bool { return len(srv.ResponsePosts()) == 2 })
	got := map[string]string{}
	for _, p := range srv.ResponsePosts() {
		got[p.Name] = p.Text()
	}
	if !strings.Contains(got["w1"], "steward=true") || !strings.Contains(got["w2"], "steward=false") {
		t.Errorf("steward answers = %v", got)
	}
	if c := srv.Calls("usergroups.users.list"); len(c) == 0 || c[0].Form.Get("usergroup") != slacktest.UserGroupID {
		t.Errorf("usergroups.users.list calls = %+v (the handle should resolve to %s)", c, slacktest.UserGroupID)
	}
}

func TestSilentConnectionIsReplaced(t *testing.T) {
	const readTimeout = time.Second
	srv := slacktest.NewServer(t)
	srv.SetPingInterval(50 * time.Millisecond)
	tb := newTestBot()
	a := startAdapter(t, srv, tb, nil, func(a *Adapter) { a.readTimeout = readTimeout })

	// Slack's pings keep a quiet connection alive, and are answered.
	bottest.WaitFor(t, "pongs over more than the read timeout", func() bool { return srv.Pongs() >= 30 })
	if n := srv.Sockets(); n != 1 {
		t.Fatalf("%d connections opened while pings kept arriving, want 1", n)
	}
	// Silence: the connection is taken for dead and replaced.
	srv.SetPingInterval(0)
	bottest.WaitFor(t, "a new connection", func() bool { return srv.Sockets() >= 2 && a.hellos.Load() >= 2 })
	srv.SetPingInterval(50 * time.Millisecond)
	srv.SendEvent("e1", slacktest.Mention("U1", "C1", "<@UBOT> still there?", "1700004000.000000", ""))
	bottest.WaitFor(t, "the answer on the new connection", func() bool { return len(srv.Posts()) == 1 })
}

func TestRefusedAppTokenStopsRun(t *testing.T) {
	srv := slacktest.NewServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), bottest.WaitTimeout)
	defer cancel()
	opts := testOptions(t, srv)
	opts.AppToken = "xapp-wrong"
	a, err := newAdapter(opts)
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(ctx, newTestBot())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "xapp-wrong") {
		t.Fatalf("Run = %v, want an invalid_auth error that does not echo the token", err)
	}
	opts = testOptions(t, srv)
	opts.BotToken = "xoxb-wrong"
	b, err := newAdapter(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(ctx, newTestBot()); err == nil || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "xoxb-wrong") {
		t.Fatalf("Run with a refused bot token = %v", err)
	}
	if n := len(srv.Calls("apps.connections.open")); n != 1 {
		t.Errorf("%d apps.connections.open calls, want 1: a refused token is not retried", n)
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

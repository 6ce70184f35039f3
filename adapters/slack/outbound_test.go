package slack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

func TestSendAndAnnounce(t *testing.T) {
	srv := slacktest.NewServer(t)
	opts := testOptions(t, srv)
	opts.AnnounceChannel = "C0NEWS"
	ad, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ad.(*announcingAdapter).stopSend)
	an, ok := ad.(bot.Announcer)
	if !ok {
		t.Fatal("an adapter with an announcement channel must be a bot.Announcer")
	}
	ctx := context.Background()
	if err := an.Announce(ctx, bot.Reply{Text: "Ratification vote closes in 7 days.", Private: true}); err != nil {
		t.Fatal(err)
	}
	// Announce returns once delivered.
	posts := srv.Posts()
	if len(posts) != 1 || posts[0].Form.Get("channel") != "C0NEWS" || !strings.Contains(posts[0].Text(), "closes in 7 days") {
		t.Fatalf("announcement = %+v", posts)
	}

	if err := ad.Send(ctx, bot.Destination{Channel: "C1", Thread: "1700.1"}, bot.Reply{Text: "Poll 3 closed."}); err != nil {
		t.Fatal(err)
	}
	if p := srv.Posts()[1]; p.Form.Get("channel") != "C1" || p.Form.Get("thread_ts") != "1700.1" {
		t.Errorf("send in thread = %v", p.Form)
	}
	if err := ad.Send(ctx, bot.Destination{Channel: "C1", User: "slack:U2"}, bot.Reply{Text: "only you", Private: true}); err != nil {
		t.Fatal(err)
	}
	if e := srv.Ephemerals(); len(e) != 1 || e[0].Form.Get("user") != "U2" || e[0].Form.Get("channel") != "C1" {
		t.Errorf("private send = %+v", e)
	}
	if err := ad.Send(ctx, bot.Destination{User: "slack:U3"}, bot.Reply{Text: "a direct message"}); err != nil {
		t.Fatal(err)
	}
	if p := srv.Posts(); p[len(p)-1].Form.Get("channel") != "DU3" {
		t.Errorf("DM send went to %v", p[len(p)-1].Form.Get("channel"))
	}
	if err := ad.Send(ctx, bot.Destination{Channel: "C1", User: "discord:9"}, bot.Reply{Text: "x", Private: true}); err == nil {
		t.Error("sending privately to a Discord user on Slack should fail")
	}
	srv.FailNext("chat.postMessage", 1, slacktest.Failure{Error: "channel_not_found"})
	if err := ad.Send(ctx, bot.Destination{Channel: "CGONE"}, bot.Reply{Text: "x"}); err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Errorf("send to a missing channel: err %v", err)
	}
	// Send is bounded by its context: a caller that gives up while Send
	// waits out a rate limit gets an error at once.
	sleeps := newHeldSleeps()
	ad.(*announcingAdapter).sleep = sleeps.sleep
	giveUpDuringRateLimit := func(channel, text, retryAfter string, want time.Duration) {
		t.Helper()
		srv.FailNext("chat.postMessage", 1, slacktest.Failure{Status: 429, RetryAfter: retryAfter})
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		errc := make(chan error, 1)
		go func() { errc <- ad.Send(sctx, bot.Destination{Channel: channel}, bot.Reply{Text: text}) }()
		n := len(sleeps.requested()) + 1
		bottest.WaitFor(t, "the wait the rate limit asks for", func() bool { return len(sleeps.requested()) == n })
		if w := sleeps.requested()[n-1]; w != want {
			t.Errorf("waiting %s after the 429, want the Retry-After %s", w, want)
		}
		cancel()
		if err := <-errc; err == nil {
			t.Error("Send should give up when its context ends")
		}
	}
	giveUpDuringRateLimit("C1", "later", "30", 30*time.Second)
	// What the caller gave up on is not posted behind its back.
	before := len(srv.Posts())
	giveUpDuringRateLimit("C2", "abandoned", "1", time.Second)
	if err := ad.(*announcingAdapter).out.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range srv.Posts()[before:] {
		if c.Form.Get("channel") == "C2" && !strings.Contains(c.Text(), "abandoned") {
			t.Errorf("unexpected post %v", c.Form)
		}
	}
	if n := len(srv.Posts()) - before; n != 1 {
		t.Errorf("%d attempts to post an abandoned reply, want only the rate-limited one", n)
	}
}

func TestCardUpdatesAreCoalesced(t *testing.T) {
	srv := slacktest.NewServer(t)
	clock := newTestClock()
	a := idleAdapter(t, srv, func(o *Options) { o.Clock = clock })
	ctx := context.Background()
	drain := func() {
		t.Helper()
		if err := a.out.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}

	card := func(n int) bot.Card { return bot.Card{Key: "poll:7", Title: "Q?", Body: fmt.Sprintf("Yes: %d", n)} }
	c0 := card(0)
	if err := a.Send(ctx, bot.Destination{Channel: "C1"}, bot.Reply{Card: &c0}); err != nil {
		t.Fatal(err)
	}
	// A burst right after posting: nothing is sent until a second has passed.
	for i := 1; i <= 100; i++ {
		a.UpdateCard(ctx, card(i))
	}
	drain()
	if n := len(srv.Updates()); n != 0 {
		t.Fatalf("%d updates within the first second, want 0", n)
	}
	clock.Advance(999 * time.Millisecond)
	drain()
	if n := len(srv.Updates()); n != 0 {
		t.Fatalf("%d updates before the interval passed", n)
	}
	clock.Advance(time.Millisecond)
	drain()
	ups := srv.Updates()
	if len(ups) != 1 || !strings.Contains(ups[0].Text(), "Yes: 100") || ups[0].Form.Get("ts") != srv.Posts()[0].TS {
		t.Fatalf("after 1s: %d updates, last %q", len(ups), ups[len(ups)-1].Text())
	}
	// Another burst: one more update a second after the last, with the
	// final state.
	for i := 101; i <= 150; i++ {
		a.UpdateCard(ctx, card(i))
	}
	clock.Advance(time.Second)
	drain()
	ups = srv.Updates()
	if len(ups) != 2 || !strings.Contains(ups[1].Text(), "Yes: 150") {
		t.Fatalf("after the second burst: %d updates, last %q", len(ups), ups[len(ups)-1].Text())
	}
	// A quiet card sends nothing more.
	clock.Advance(5 * time.Second)
	drain()
	if n := len(srv.Updates()); n != 2 {
		t.Fatalf("%d updates with nothing changed", n)
	}
	// After a pause, a change goes out at once.
	a.UpdateCard(ctx, card(151))
	drain()
	if ups := srv.Updates(); len(ups) != 3 || !strings.Contains(ups[2].Text(), "Yes: 151") {
		t.Fatalf("update after a pause: %d", len(ups))
	}
	// An update for a card never posted is a no-op.
	a.UpdateCard(ctx, bot.Card{Key: "poll:999"})
	drain()
	if n := len(srv.Updates()); n != 3 {
		t.Fatalf("updated an unknown card")
	}
}

func TestUpdateOfDeletedMessageForgetsIt(t *testing.T) {
	srv := slacktest.NewServer(t)
	a := idleAdapter(t, srv, nil)
	unpaced(a)
	ctx := context.Background()
	c := bot.Card{Key: "poll:8", Title: "Q?", Body: "Yes: 0"}
	if err := a.Send(ctx, bot.Destination{Channel: "C1"}, bot.Reply{Card: &c}); err != nil {
		t.Fatal(err)
	}
	srv.FailNext("chat.update", 1, slacktest.Failure{Error: "message_not_found"})
	c.Body = "Yes: 1"
	a.UpdateCard(ctx, c)
	bottest.WaitFor(t, "the failed update", func() bool { return len(srv.Updates()) == 1 })
	a.out.Wait(ctx)
	c.Body = "Yes: 2"
	a.UpdateCard(ctx, c)
	a.out.Wait(ctx)
	if n := len(srv.Updates()); n != 1 {
		t.Errorf("%d updates of a deleted message, want it forgotten after the first", n)
	}
}

func TestPostThenUpdateBeforeThePostLands(t *testing.T) {
	srv := slacktest.NewServer(t)
	a := idleAdapter(t, srv, nil)
	ctx := context.Background()
	// The post is held up by a rate limit; an update arrives meanwhile.
	srv.FailNext("chat.postMessage", 1, slacktest.Failure{Status: 429, RetryAfter: "1"})
	c := bot.Card{Key: "poll:9", Title: "Q?", Body: "Yes: 0"}
	w := &writer{a: a, dest: destination{channel: "C1", user: "U1"}}
	if err := w.Reply(ctx, bot.Reply{Card: &c}); err != nil {
		t.Fatal(err)
	}
	c.Body = "Yes: 1"
	w.UpdateCard(ctx, c)
	bottest.WaitFor(t, "the post", func() bool {
		p := srv.Posts()
		return len(p) == 2
	})
	// The retried post carries the latest state, so no update is needed.
	if got := srv.Posts()[1].Text(); !strings.Contains(got, "Yes: 1") {
		t.Errorf("posted %q, want the latest state", got)
	}
	if err := a.out.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Updates()); n != 0 {
		t.Errorf("%d updates after posting the latest state", n)
	}
}

func TestFileExportGoesPrivatelyToTheMember(t *testing.T) {
	srv := slacktest.NewServer(t)
	startAdapter(t, srv, newTestBot(), nil, nil)
	srv.SendSlashCommand("x1", "/poll", "export", "USTEWARD", "C1")
	bottest.WaitFor(t, "the export", func() bool {
		return len(srv.Calls("files.completeUploadExternal")) == 1 && len(srv.ResponsePosts()) == 1
	})
	if o := srv.Calls("conversations.open"); len(o) != 1 || o[0].Form.Get("users") != "USTEWARD" {
		t.Errorf("conversations.open = %+v", o)
	}
	done := srv.Calls("files.completeUploadExternal")[0]
	if done.Form.Get("channel_id") != "DUSTEWARD" {
		t.Errorf("file shared in %q, want the member's DM", done.Form.Get("channel_id"))
	}
	if up := srv.Uploads(); len(up) != 1 || string(up[0].Data) != "option,votes\nYes,3\nNo,1\n" {
		t.Errorf("uploaded %+v", up)
	}
	if p := srv.ResponsePosts()[0]; p.ResponseType() != "ephemeral" || !strings.Contains(p.Text(), "poll-1.csv") {
		t.Errorf("note = %+v", p.Body)
	}
	if n := len(srv.Posts()); n != 0 {
		t.Errorf("%d public posts for a private export", n)
	}
}

func TestStewardGroupCache(t *testing.T) {
	srv := slacktest.NewServer(t)
	clock := newTestClock()
	a := idleAdapter(t, srv, func(o *Options) { o.StewardGroup = slacktest.UserGroupID; o.Clock = clock })
	g := a.stewards
	ctx := context.Background()

	idle := func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return !g.refreshing
	}
	srv.SetUserGroup(nil, "missing_scope")
	if g.has("U5") {
		t.Fatal("powers granted before the group was read")
	}
	bottest.WaitFor(t, "the first refresh", idle)
	if g.has("U5") {
		t.Fatal("powers granted although the group could not be read")
	}
	srv.SetUserGroup([]string{"U5"}, "")
	if err := g.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if !g.has("U5") || g.has("U6") || !a.user("U5", "").PlatformSteward {
		t.Fatal("membership not applied")
	}
	// Slack stops answering: the last list holds for a while, then grants
	// nothing.
	srv.SetUserGroup(nil, "missing_scope")
	clock.Advance(3 * time.Minute)
	calls := len(srv.Calls("usergroups.users.list"))
	if !g.has("U5") {
		t.Error("a recent list should still count while a refresh fails")
	}
	bottest.WaitFor(t, "the background refresh", func() bool {
		return idle() && len(srv.Calls("usergroups.users.list")) > calls
	})
	clock.Advance(8 * time.Minute)
	if g.has("U5") {
		t.Error("a list older than the maximum age must grant no powers")
	}
	// A removal is seen at the next successful refresh.
	srv.SetUserGroup([]string{"U6"}, "")
	if err := g.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if g.has("U5") || !g.has("U6") {
		t.Error("refresh did not replace the list")
	}

	bad := &userGroup{api: a.api, clock: clock, log: a.log, name: "@nosuchgroup"}
	if err := bad.refresh(ctx); err == nil || bad.has("U6") {
		t.Errorf("unknown handle: err %v", err)
	}
}

func TestDedupe(t *testing.T) {
	clock := newTestClock()
	d := newDedupe(clock, time.Hour)
	if !d.first("a") || d.first("a") || !d.first("b") {
		t.Fatal("dedupe within the TTL")
	}
	if !d.first("") || !d.first("") {
		t.Fatal("deliveries without an ID must never be dropped")
	}
	clock.Advance(59 * time.Minute)
	if d.first("a") {
		t.Fatal("forgot too soon")
	}
	clock.Advance(2 * time.Hour)
	if !d.first("a") {
		t.Fatal("an ID past the TTL is new again")
	}
	if len(d.seen) > 2 {
		t.Errorf("expired IDs not swept: %d kept", len(d.seen))
	}
}

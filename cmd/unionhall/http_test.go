package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/adapters/console"
	"github.com/unionhall/unionhall/adapters/discord/discordtest"
	"github.com/unionhall/unionhall/adapters/slack/slacktest"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
)

// testApp builds the app from vars (with UNIONHALL_DB in dir unless vars
// sets it), as run does, and closes it when the test ends.
func testApp(t *testing.T, dir string, vars map[string]string, log *slog.Logger, clock bot.Clock) *app {
	t.Helper()
	e, err := loadEnv(testEnv(dir, vars), filepath.Join(dir, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg, log, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// opsFixture is a console bot serving the operations endpoints on a
// loopback port, on a manual clock, with its input kept open.
type opsFixture struct {
	app   *app
	clock *bot.ManualClock
	in    *io.PipeWriter
	out   *bottest.LogBuffer
	base  string // http://127.0.0.1:port
}

// startOps starts the console bot with UNIONHALL_HTTP_ADDR on a free
// loopback port, alice a steward and the settings in vars, and waits
// until it serves.
func startOps(t *testing.T, vars map[string]string) *opsFixture {
	t.Helper()
	dir := t.TempDir()
	settings := map[string]string{"UNIONHALL_STEWARDS": "console:alice", "UNIONHALL_HTTP_ADDR": "127.0.0.1:0"}
	maps.Copy(settings, vars)
	f := &opsFixture{clock: bot.NewManualClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)), out: &bottest.LogBuffer{}}
	logs := &bottest.LogBuffer{}
	f.app = testApp(t, dir, settings, logs.Logger(), f.clock)
	var in *io.PipeReader
	in, f.in = io.Pipe()
	c := console.New(in, f.out, console.Options{JSON: true, DefaultUser: "member"})
	bottest.Start(t, func(ctx context.Context) error {
		defer f.in.Close()
		return f.app.serve(ctx, c)
	})
	f.base = opsBase(t, logs)
	return f
}

// say types lines into the console and waits until want appears in its
// output.
func (f *opsFixture) say(t *testing.T, want string, lines ...string) {
	t.Helper()
	if _, err := io.WriteString(f.in, strings.Join(lines, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
	bottest.WaitFor(t, fmt.Sprintf("%q in the console's output", want), func() bool { return strings.Contains(f.out.String(), want) })
}

// get fetches path over loopback and returns the status and body.
func (f *opsFixture) get(t *testing.T, path string) (int, string) {
	t.Helper()
	return scrape(t, f.base+path)
}

// metric returns the value of the sample named exactly series (name and
// labels as Prometheus writes them), or "" when there is none.
func metric(body, series string) string {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

func TestMetricsCountWhatMembersDo(t *testing.T) {
	f := startOps(t, nil)
	if code, body := f.get(t, "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := f.get(t, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d %q, want 200", code, body)
	}
	_, before := f.get(t, "/metrics")
	for series, want := range map[string]string{
		`unionhall_votes_recorded_total`:                   "0",
		`unionhall_faq_questions_total{outcome="abstain"}`: "0",
		`unionhall_polls_open`:                             "0",
	} {
		if got := metric(before, series); got != want {
			t.Errorf("before anything happened, %s = %q, want %s", series, got, want)
		}
	}

	f.say(t, `"user":"carol"`, "carol> /faq is there a wage freeze?")
	f.say(t, `"user":"dave"`, "dave> what is the capital of Mongolia?")
	f.say(t, "Your vote in poll 1 is recorded", `alice> /poll "Ratify the secret deal?" "Yes" "No"`, "bob> /vote 1 yes")
	f.say(t, "Reminder R5", "alice> /remind add in 1m Vote by Friday")
	f.clock.Advance(2 * time.Minute)
	// Adding a reminder wakes the scheduler, which finds the first due.
	f.say(t, "Reminder R6", "alice> /remind add in 1h Later one")
	bottest.WaitFor(t, "the reminder posted and counted", func() bool {
		_, body := f.get(t, "/metrics")
		return strings.Contains(f.out.String(), `"channel":"`+console.AnnounceChannel+`"`) &&
			metric(body, `unionhall_reminder_posts_total{outcome="posted"}`) == "1"
	})

	_, body := f.get(t, "/metrics")
	for series, want := range map[string]string{
		`unionhall_events_received_total{kind="command",platform="console"}`: "5",
		`unionhall_events_received_total{kind="text",platform="console"}`:    "1",
		`unionhall_events_received_total{kind="button",platform="console"}`:  "0",
		`unionhall_faq_questions_total{outcome="answer"}`:                    "1",
		`unionhall_faq_questions_total{outcome="abstain"}`:                   "1",
		`unionhall_votes_recorded_total`:                                     "1",
		`unionhall_polls_open`:                                               "1",
		`unionhall_reminder_posts_total{outcome="posted"}`:                   "1",
		`unionhall_reply_latency_seconds_count{platform="console"}`:          "6",
		`unionhall_platform_rate_limited_total{platform="console"}`:          "0",
	} {
		if got := metric(body, series); got != want {
			t.Errorf("%s = %q, want %q", series, got, want)
		}
	}
	if got := metric(body, `unionhall_replies_sent_total{kind="private",platform="console"}`); got == "" || got == "0" {
		t.Errorf("no private replies counted:\n%s", body)
	}
	for _, secret := range []string{"alice", "bob", "carol", "Ratify", "wage", "Mongolia", "Friday", "Yes"} {
		if strings.Contains(body, secret) {
			t.Errorf("/metrics reveals %q", secret)
		}
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(body, "\n"+name+" ") {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

func TestReadyzFailsWithoutTheDatabase(t *testing.T) {
	testReadyzWithoutTheDatabase(t, startOps(t, nil))
}

// TestOpsOnPostgreSQL checks the database's part of /readyz and
// /metrics on PostgreSQL.
func TestOpsOnPostgreSQL(t *testing.T) {
	f := startOps(t, map[string]string{"UNIONHALL_DB": pgtest.Fresh(t)})
	f.say(t, "Ratify?", `alice> /poll "Ratify?" "Yes" "No"`)
	if _, body := f.get(t, "/metrics"); metric(body, "unionhall_polls_open") != "1" {
		t.Errorf("unionhall_polls_open = %q, want 1", metric(body, "unionhall_polls_open"))
	}
	testReadyzWithoutTheDatabase(t, f)
}

// testReadyzWithoutTheDatabase checks that /readyz fails, naming the
// database, once the database is closed, while /healthz still answers.
func testReadyzWithoutTheDatabase(t *testing.T, f *opsFixture) {
	if code, body := f.get(t, "/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz = %d %q, want 200", code, body)
	}
	f.app.Close()
	code, body := f.get(t, "/readyz")
	if code != http.StatusServiceUnavailable || body != "database: not ready\n" {
		t.Errorf("/readyz with the database closed = %d %q, want 503 naming the database", code, body)
	}
	if code, _ := f.get(t, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200 while the process lives", code)
	}
}

// opsBase waits for the log line of the operations endpoints and returns
// their base URL.
func opsBase(t *testing.T, log *bottest.LogBuffer) string {
	t.Helper()
	addr := regexp.MustCompile(`msg="serving health and metrics" addr=(127\.0\.0\.1:\d+)`)
	bottest.WaitFor(t, "the operations endpoints", func() bool { return addr.MatchString(log.String()) })
	return "http://" + addr.FindStringSubmatch(log.String())[1]
}

// scrape returns the body of GET url, failing the test on an error.
func scrape(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestSlackRateLimitsAndReconnectsAreCounted(t *testing.T) {
	s := slacktest.NewServer(t)
	r := startSlackRun(t, s, map[string]string{"UNIONHALL_HTTP_ADDR": "127.0.0.1:0"})
	base := opsBase(t, r.log)
	// Slack's greeting may still be on its way.
	bottest.WaitFor(t, "/readyz once connected", func() bool { code, _ := scrape(t, base+"/readyz"); return code == http.StatusOK })
	s.FailNext("chat.postEphemeral", 1, slacktest.Failure{Status: http.StatusTooManyRequests, RetryAfter: "1"})
	s.SendEvent("env-1", slacktest.Mention("U1", "C1", "<@"+slacktest.BotUserID+"> /help", "1700000000.000100", ""))
	s.Disconnect("refresh_requested")
	bottest.WaitFor(t, "the rate limit and the reconnection counted", func() bool {
		_, body := scrape(t, base+"/metrics")
		return metric(body, `unionhall_platform_rate_limited_total{platform="slack"}`) == "1" &&
			metric(body, `unionhall_platform_reconnects_total{platform="slack"}`) == "1" &&
			metric(body, `unionhall_replies_sent_total{kind="private",platform="slack"}`) == "1" &&
			metric(body, `unionhall_events_received_total{kind="command",platform="slack"}`) == "1"
	})
	if _, body := scrape(t, base+"/metrics"); metric(body, `unionhall_queue_depth{platform="slack",queue="out"}`) == "" {
		t.Errorf("no Slack queue depth:\n%s", body)
	}
}

func TestSlackHTTPModeSharesItsServer(t *testing.T) {
	s := slacktest.NewServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	log := &bottest.LogBuffer{}
	dir := t.TempDir()
	env := testEnv(dir, map[string]string{
		"SLACK_BOT_TOKEN": slacktest.BotToken, "SLACK_SIGNING_SECRET": slacktest.SigningSecret, "SLACK_API_URL": s.APIURL(),
		"SLACK_LISTEN_ADDR": addr, "UNIONHALL_HTTP_ADDR": addr,
	})
	proc := bottest.Start(t, func(ctx context.Context) int {
		return run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, log, env)
	})
	bottest.WaitFor(t, "Slack's HTTP mode server", func() bool { return strings.Contains(log.String(), "listening for Slack requests") })
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200} {
		if code, body := scrape(t, "http://"+addr+path); code != want {
			t.Errorf("GET %s = %d %q, want %d", path, code, body, want)
		}
	}
	resp, err := http.Post("http://"+addr+"/slack/events", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned POST /slack/events = %d, want 401 from Slack's handler", resp.StatusCode)
	}
	if strings.Contains(log.String(), "serving health and metrics") {
		t.Error("a second server was started on the same address")
	}
	if code := proc.Stop(); code != 0 {
		t.Errorf("run exited with %d:\n%s", code, log.String())
	}
}

func TestDiscordRateLimitsAndReconnectsAreCounted(t *testing.T) {
	f := discordtest.NewServer(t)
	const dmChannel = "820000000000000001"
	alice := discordtest.Member{ID: "720000000000000002", Name: "alice", Roles: []string{discordtest.MemberRoleID}}
	log := &bottest.LogBuffer{}
	dir := t.TempDir()
	env := testEnv(dir, map[string]string{
		"DISCORD_TOKEN": f.Token(), "DISCORD_GUILD_ID": discordtest.GuildID, "DISCORD_API_URL": f.URL(),
		"UNIONHALL_HTTP_ADDR": "127.0.0.1:0",
	})
	proc := bottest.Start(t, func(ctx context.Context) int {
		return run(ctx, []string{"run"}, strings.NewReader(""), io.Discard, log, env)
	})
	base := opsBase(t, log)
	bottest.WaitFor(t, "/readyz once the gateway session is ready", func() bool { code, _ := scrape(t, base+"/readyz"); return code == http.StatusOK })

	f.RateLimit(discordtest.RouteCreateMessage, 1, 50*time.Millisecond)
	dm := f.DirectMessage(alice, dmChannel, "/help")
	f.WaitChannelMessage(dmChannel, "the answer to /help", func(m discordtest.Message) bool { return m.ReplyTo == dm })
	f.Drop()
	bottest.WaitFor(t, "the rate limit and the reconnection counted", func() bool {
		_, body := scrape(t, base+"/metrics")
		return metric(body, `unionhall_platform_rate_limited_total{platform="discord"}`) == "1" &&
			metric(body, `unionhall_platform_reconnects_total{platform="discord"}`) == "1" &&
			metric(body, `unionhall_events_received_total{kind="command",platform="discord"}`) == "1"
	})
	if code := proc.Stop(); code != 0 {
		t.Errorf("run exited with %d:\n%s", code, log.String())
	}
}

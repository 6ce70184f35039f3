package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// fuzzApp wires the whole bot, every feature included, on a temporary
// database, with steward "console:steward".
func fuzzApp(t testing.TB) (*app, *bottest.LogBuffer) {
	t.Helper()
	return fuzzAppAt(t, bot.SystemClock{})
}

// fuzzAppAt is fuzzApp on the given clock.
func fuzzAppAt(t testing.TB, clock bot.Clock) (*app, *bottest.LogBuffer) {
	t.Helper()
	dir := t.TempDir()
	e, err := loadEnv(testEnv(dir, map[string]string{"UNIONHALL_STEWARDS": "console:steward"}), dir+"/.env")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bottest.LogBuffer{}
	a, err := newApp(context.Background(), cfg, logs.Logger(), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, logs
}

// anyInputSeeds are real commands, their near misses and hostile input.
var anyInputSeeds = []string{
	"/help", "/help poll", "/faq", "/faq topics", "/faq is the retirment age going up", "/faq show nosuch",
	"/faq feedback wage-freeze helpful", "/faq feedback nosuch maybe", "/faq gaps", `/faq add pension "what about my pension"`,
	`/poll "Ratify?" "Yes" "No"`, `/poll "Ratify?" "Yes" "No" --anonymous --hidden --closes in 2h --rule coalition`,
	`/poll "Q?" "A" "A"`, `/poll "Q?" "A"`, `/poll`, `/poll "Q?" "A" "B" --max 0`, `/poll "Q?" "A" "B" --max 99999999999999999999`,
	`/poll "Q?" "A" "B" --closes yesterday`, `/poll "Q?" "A" "B" --rule nonsense`, `/poll "Q?" "A" "B" --multi --max 2`,
	"/poll results 1", "/poll results 999999999999999999999", "/poll close 1", "/poll list", "/poll export 1", "/poll export -1",
	"/vote 1 1", "/vote 1 yes", "/vote 1 1 1", "/vote 1 0", "/vote 1 -1", "/vote x y", "/vote", "/vote 99999999999999999999 1",
	"/unit", "/unit P-4", "/unit nosuch", "/unit " + strings.Repeat("x", 500),
	"/remind list", "/remind add in 2h Vote today", "/remind add 0 9 * * MON status", "/remind add CRON_TZ=Nowhere/Zone 0 9 * * * x",
	"/remind add CRON_TZ= 0 9 * * * x", "/remind add * * * * * spam", "/remind add in 2h", "/remind delete 1", "/remind delete abc",
	`/deadline add "Vote" 2099-08-31 17:00 --lead 7d,1d,2h`, `/deadline add "Vote" 1999-01-01`, `/deadline add "" tomorrow`,
	"/deadline list", "/deadline add", `/deadline add "x" tomorrow --lead 0d`,
	"", "   ", "/", "//", "/ poll", "🤔🤔🤔", "\x00\x01", "'; DROP TABLE polls; --", "<@U123> <!channel> @everyone",
	"*bold* _it_ ~strike~ `code` ```block```", strings.Repeat("why ", 2500), `/poll "unclosed`, "/poll “Curly?” “Yes” “No”",
	"/vote 1 " + strings.Repeat("9", 400), "what is the deadline?", "vote",
}

// TestAnyInputIsAnswered sends every seed, as a member and as a steward,
// through the fully wired router and checks each gets an answer that is
// not an internal error, and that nothing was logged as a failure.
func TestAnyInputIsAnswered(t *testing.T) {
	a, logs := fuzzApp(t)
	for _, who := range []string{"member", "steward"} {
		for _, in := range anyInputSeeds {
			checkAnswered(t, a, who, in)
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("errors were logged:\n%s", logs.String())
	}
}

func checkAnswered(t *testing.T, a *app, who, in string) {
	t.Helper()
	rec := &bottest.Recorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.router.Dispatch(ctx, rec, bottest.Message(who, in))
	if ctx.Err() != nil {
		t.Fatalf("%s> %q: no answer within 10 s", who, in)
	}
	got := rec.Text()
	if len(rec.Replies()) == 0 {
		t.Errorf("%s> %q: no reply at all", who, in)
	}
	if strings.Contains(got, bot.InternalErrorText) || strings.Contains(got, "goroutine ") || strings.Contains(got, "panic") {
		t.Errorf("%s> %q: internal failure shown: %q", who, in, got)
	}
}

// FuzzAnyInput extends TestAnyInputIsAnswered to generated input:
// go test ./cmd/unionhall -run '^$' -fuzz FuzzAnyInput -fuzztime 60s
func FuzzAnyInput(f *testing.F) {
	for _, s := range anyInputSeeds {
		f.Add(s)
	}
	a, logs := fuzzApp(f)
	f.Fuzz(func(t *testing.T, in string) {
		checkAnswered(t, a, "steward", in)
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Fatalf("errors were logged:\n%s", logs.String())
		}
	})
}

package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

func newRouter(t *testing.T, logs *bottest.LogBuffer) *bot.Router {
	t.Helper()
	stewards, err := bot.ParseStewards("console:alice, slack:U1")
	if err != nil {
		t.Fatal(err)
	}
	r := bot.NewRouter(stewards, logs.Logger())
	r.Register(bot.Command{
		Name: "close", Summary: "close things",
		Forms: []bot.Form{{
			Summary: "close one", Steward: "close things",
			Args: []bot.Arg{{Name: "id", Kind: bot.KindInt, Required: true, Min: 1}},
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
				return w.Reply(ctx, bot.Reply{Text: fmt.Sprintf("closed %d", req.Int("id"))})
			}),
		}},
	})
	echo := bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
		return w.Reply(ctx, bot.Reply{Text: "/" + req.Command + " " + req.Form})
	})
	r.Register(bot.Command{
		Name: "remind", Aliases: []string{"reminders"}, Summary: "reminders",
		Forms: []bot.Form{
			{Name: "list", Implicit: true, Summary: "list", Handler: echo},
			{Name: "delete", Aliases: []string{"rm"}, Summary: "delete one", Steward: "delete reminders", Handler: echo,
				Args: []bot.Arg{{Name: "id", Required: true}}},
		},
	})
	r.Register(bot.Command{
		Name: "boom", Summary: "fails",
		Forms: []bot.Form{{
			Summary: "fails",
			Args:    []bot.Arg{{Name: "how", Kind: bot.KindChoice, Choices: []string{"error", "panic"}}},
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
				if req.Arg("how") == "panic" {
					panic("kaboom")
				}
				return errors.New("database exploded: secret detail")
			}),
		}},
	})
	r.Fallback(bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
		return w.Reply(ctx, bot.Reply{Text: "question: " + req.Raw})
	}))
	return r
}

func TestRouterDispatch(t *testing.T) {
	var logs bottest.LogBuffer
	r := newRouter(t, &logs)
	cases := []struct {
		user, text string
		want       string
		private    bool
	}{
		{"alice", "/close 3", "closed 3", false},
		{"alice", "/CLOSE   4 ", "closed 4", false},
		{"bob", "/close 3", "Only stewards can close things", true},
		{"alice", "/close", "Say which id by its number.\nUsage:\n  /close <id>", true},
		{"alice", "/close #5", "closed 5", false},
		{"alice", "/close five", `"five" is not an id number`, true},
		{"alice", "/close 0", "0 is not an id number: it is a whole number of at least 1", true},
		{"alice", "/close 3 4", `I didn't expect "4" there.`, true},
		{"bob", "/boom sideways", `Unknown how "sideways": it is either error or panic.`, true},
		{"bob", "/remind", "/remind list", false},
		{"bob", "/remind LIST", "/remind list", false},
		{"bob", "/remind frobnicate", "I don't know /remind frobnicate. Use /remind list or /remind delete.", true},
		{"bob", "/remind rm 3", "Only stewards can delete reminders", true},
		{"alice", "/remind rm", "Say which id (the id).", true},
		{"alice", "/remind rm 3", "/remind delete", false},
		{"bob", "/nosuch thing", "I don't know the command /nosuch", true},
		{"bob", "what is the deadline?", "question: what is the deadline?", false},
		{"bob", "/boom", bot.InternalErrorText, true},
		{"bob", "/boom panic", bot.InternalErrorText, true},
		{"bob", "/help", "/close <id> - close one (stewards)", true},
		{"bob", "/help", "/remind delete <id> - delete one (stewards)", true},
		{"bob", "/help close", "/close - close things", true},
		{"bob", "/help nope", "There is no command /nope", true},
		{"bob", "/Reminders list", "/remind list", false},
		{"bob", "/help", "/remind list - list", true},
		{"bob", "/help", "(/reminders works the same as /remind.)", true},
		{"bob", "/help reminders", "/remind - reminders", true},
		{"bob", strings.Repeat("x", bot.MaxMessageLength+1), "too long for me (10001 characters; the limit is 10000)", true},
		// The limit is on characters, not bytes.
		{"bob", strings.Repeat("🎉", 3000), "question: 🎉🎉🎉", false},
		{"bob", strings.Repeat("🗳", bot.MaxMessageLength), "question: 🗳🗳🗳", false},
		{"bob", strings.Repeat("é", bot.MaxMessageLength+1), "too long for me (10001 characters; the limit is 10000)", true},
		{"bob", strings.Repeat("x", bot.MaxMessageBytes+1), "too long for me (more than 16384 characters; the limit is 10000)", true},
		{"bob", strings.Repeat("\xff", bot.MaxMessageBytes+1), "too long for me", true},
	}
	for _, c := range cases {
		rec := &bottest.Recorder{}
		r.Dispatch(context.Background(), rec, bottest.Message(c.user, c.text))
		got := rec.Replies()
		if len(got) != 1 {
			t.Fatalf("%q: %d replies, want 1", c.text, len(got))
		}
		if !strings.Contains(got[0].Text, c.want) || got[0].Private != c.private {
			t.Errorf("%s> %q: got %q (private %v), want %q (private %v)", c.user, c.text, got[0].Text, got[0].Private, c.want, c.private)
		}
	}
	if strings.Contains(logs.String(), "secret detail") == false {
		t.Errorf("internal error was not logged: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "kaboom") {
		t.Errorf("panic was not logged")
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	r := newRouter(t, &bottest.LogBuffer{})
	defer func() {
		if recover() == nil {
			t.Fatal("an alias clashing with a command was accepted")
		}
	}()
	r.Register(bot.Command{Name: "x", Aliases: []string{"close"}, Forms: []bot.Form{{Handler: bot.HandlerFunc(nil)}}})
}

func TestPlatformSteward(t *testing.T) {
	r := newRouter(t, &bottest.LogBuffer{})
	m := bottest.Message("carol", "/close 9")
	m.User.PlatformSteward = true
	rec := &bottest.Recorder{}
	r.Dispatch(context.Background(), rec, m)
	if rec.Text() != "closed 9" {
		t.Fatalf("platform steward refused: %q", rec.Text())
	}
}

func TestParseStewardsRejectsUnqualified(t *testing.T) {
	if _, err := bot.ParseStewards("alice"); err == nil {
		t.Fatal("unqualified steward accepted")
	}
	if _, err := bot.ParseStewards("irc:alice"); err == nil {
		t.Fatal("unknown platform accepted")
	}
}

type fakeAdapter struct {
	platform string
	sent     []bot.Reply
	announce bool
}

func (f *fakeAdapter) Platform() string                                { return f.platform }
func (f *fakeAdapter) Run(ctx context.Context, d bot.Dispatcher) error { return nil }
func (f *fakeAdapter) Send(ctx context.Context, to bot.Destination, r bot.Reply) error {
	f.sent = append(f.sent, r)
	return nil
}
func (f *fakeAdapter) UpdateCard(ctx context.Context, c bot.Card) error { return nil }

type announcingAdapter struct{ *fakeAdapter }

func (a announcingAdapter) Announce(ctx context.Context, r bot.Reply) error {
	a.sent = append(a.sent, r)
	return nil
}

func TestHubAnnounce(t *testing.T) {
	plain := &fakeAdapter{platform: "discord"}
	ann := announcingAdapter{&fakeAdapter{platform: "slack"}}
	h := bot.NewHub(plain, ann)
	if err := h.Announce(context.Background(), bot.Reply{Text: "vote today"}); err != nil {
		t.Fatal(err)
	}
	if len(ann.sent) != 1 || len(plain.sent) != 0 {
		t.Fatalf("announce went to %d/%d", len(ann.sent), len(plain.sent))
	}
	if err := h.Send(context.Background(), "irc", bot.Destination{}, bot.Reply{}); err == nil {
		t.Fatal("send to unknown platform succeeded")
	}
}

func TestPlatformSyntax(t *testing.T) {
	r := newRouter(t, &bottest.LogBuffer{})
	r.SetPlatformSyntax(bot.PlatformDiscord, func(c bot.Command, f bot.Form) string {
		switch s := bot.Syntax(c, f); s {
		case "/close <id>":
			return "/close id:<id>"
		case "/remind list":
			return "" // not on this platform
		default:
			return s
		}
	})
	say := func(platform, user, text string) string {
		m := bottest.Message(user, text)
		m.Platform = platform
		rec := &bottest.Recorder{}
		r.Dispatch(context.Background(), rec, m)
		return rec.Text()
	}
	if got := say(bot.PlatformDiscord, "bob", "/help"); !strings.Contains(got, "/close id:<id> - close one") || strings.Contains(got, "/remind list - list") {
		t.Errorf("Discord help = %q", got)
	}
	if got := say(bot.PlatformDiscord, "alice", "/close"); !strings.Contains(got, "Usage:\n  /close id:<id>") {
		t.Errorf("Discord usage = %q", got)
	}
	if got := say(bot.PlatformConsole, "bob", "/help"); !strings.Contains(got, "/close <id> - close one") || !strings.Contains(got, "/remind list - list") {
		t.Errorf("console help changed: %q", got)
	}
}

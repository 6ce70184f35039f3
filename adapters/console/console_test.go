package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/unionhall/unionhall/adapters/console"
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// echo is a dispatcher that answers each message with who said what, and
// with a card for "/card".
type echo struct{}

func (echo) Dispatch(ctx context.Context, w bot.ResponseWriter, m *bot.Message) {
	if m.Text == "/card" {
		three := 3
		w.Reply(ctx, bot.Reply{Card: &bot.Card{
			Key: "poll:1", Title: "Ratify?", Body: "1. Yes",
			Buttons: []bot.Button{{Label: "Yes", Action: "vote", Value: "1 1"}},
			Poll:    &bot.PollView{ID: "1", Question: "Ratify?", Options: []bot.PollOptionView{{Label: "Yes", Votes: &three}}, Total: &three},
		}})
		return
	}
	w.Reply(ctx, bot.Reply{Text: m.User.ID + " said " + m.Text, Private: m.DM})
}

func TestScriptJSON(t *testing.T) {
	in := strings.NewReader("# comment\n\n/help\nalice> what's the deadline?\nbob>    \n/card\n")
	var out bytes.Buffer
	c := console.New(in, &out, console.Options{JSON: true})
	if err := c.Run(context.Background(), echo{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 replies, got %d: %q", len(lines), out.String())
	}
	var r struct {
		User    string
		Channel string
		Private bool
		Text    string
		Poll    *bot.PollView
		Card    struct {
			Buttons []struct{ Label, Command string }
		}
	}
	json.Unmarshal([]byte(lines[0]), &r)
	if r.User != "member" || r.Text != "console:member said /help" || r.Private {
		t.Errorf("line 1 = %+v", r)
	}
	json.Unmarshal([]byte(lines[1]), &r)
	if r.User != "alice" || r.Text != "console:alice said what's the deadline?" || !r.Private {
		t.Errorf("line 2 = %+v", r)
	}
	r.Poll = nil
	json.Unmarshal([]byte(lines[2]), &r)
	if r.Poll == nil || r.Poll.ID != "1" || *r.Poll.Options[0].Votes != 3 || len(r.Card.Buttons) != 1 || r.Card.Buttons[0].Command != "/vote 1 1" {
		t.Errorf("card line = %s", lines[2])
	}
}

func TestTextShowsButtonCommands(t *testing.T) {
	var out bytes.Buffer
	c := console.New(strings.NewReader("/card\n"), &out, console.Options{})
	if err := c.Run(context.Background(), echo{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "[Yes]  type: /vote 1 1") {
		t.Fatalf("button command not shown: %q", out.String())
	}
}

func TestAnnounceAndSend(t *testing.T) {
	var out bytes.Buffer
	c := console.New(strings.NewReader(""), &out, console.Options{JSON: true})
	var a bot.Announcer = c
	a.Announce(context.Background(), bot.Reply{Text: "Vote closes tomorrow"})
	c.Send(context.Background(), bot.Destination{Channel: "console"}, bot.Reply{Text: "Poll 1 closed"})
	got := out.String()
	if !strings.Contains(got, `"channel":"announcements","private":false,"text":"Vote closes tomorrow"`) ||
		!strings.Contains(got, `"text":"Poll 1 closed"`) {
		t.Fatalf("got %q", got)
	}
}

// blockingReader never returns, like a terminal nobody types into.
type blockingReader struct{ done chan struct{} }

func (b blockingReader) Read(p []byte) (int, error) { <-b.done; return 0, context.Canceled }

func TestStopsWhenContextEnds(t *testing.T) {
	r := blockingReader{done: make(chan struct{})}
	defer close(r.done)
	run := bottest.Start(t, func(ctx context.Context) error {
		return console.New(r, &bytes.Buffer{}, console.Options{}).Run(ctx, echo{})
	})
	if err := run.Stop(); err != nil {
		t.Fatal(err)
	}
}

// routed is a dispatcher that runs the real router, with a fallback that
// echoes questions.
func routed(t *testing.T) bot.Dispatcher {
	t.Helper()
	r := bot.NewRouter(nil, nil)
	r.Fallback(bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, req *bot.Request) error {
		return w.Reply(ctx, bot.Reply{Text: "heard " + req.Text})
	}))
	return r
}

// TestOverlongLineIsCutAndRefused: a line over MaxLine does not stop the
// console; it is cut, refused as too long, and the script goes on.
func TestOverlongLineIsCutAndRefused(t *testing.T) {
	huge := strings.Repeat("x", 2*console.MaxLine+123)
	in := strings.NewReader("before\n" + huge + "\nafter\r\nalice> " + huge + "\nlast")
	var out bytes.Buffer
	c := console.New(in, &out, console.Options{JSON: true})
	if err := c.Run(context.Background(), routed(t)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var texts []string
	for _, l := range lines {
		var r struct{ User, Text string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("bad JSON line %.200q: %v", l, err)
		}
		texts = append(texts, r.User+": "+r.Text)
	}
	want := []string{"member: heard before", "member: That message is too long", "member: heard after", "alice: That message is too long", "member: heard last"}
	if len(texts) != len(want) {
		t.Fatalf("replies %.500q, want %q", texts, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(texts[i], w) {
			t.Errorf("reply %d = %.200q, want it to start with %q", i, texts[i], w)
		}
	}
}

// TestInteractiveBannerCarriesTheNotice checks that a terminal session's
// banner adds the notice line (e.g. that it runs on example data) before
// the first prompt, and that a script's output has neither.
func TestInteractiveBannerCarriesTheNotice(t *testing.T) {
	const notice = "This is example data."
	var tty bytes.Buffer
	if err := console.New(strings.NewReader(""), &tty, console.Options{Interactive: true, Notice: notice}).Run(context.Background(), echo{}); err != nil {
		t.Fatal(err)
	}
	if got := tty.String(); !strings.Contains(got, "Ctrl-D quits.\n"+notice+"\n> ") {
		t.Errorf("interactive banner = %q, want the notice before the prompt", got)
	}
	var script bytes.Buffer
	if err := console.New(strings.NewReader("/hi\n"), &script, console.Options{Notice: notice}).Run(context.Background(), echo{}); err != nil {
		t.Fatal(err)
	}
	if got := script.String(); got != "console:member said /hi\n" {
		t.Errorf("script output = %q, want the reply alone", got)
	}
}

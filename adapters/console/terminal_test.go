package console

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/chzyer/readline"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

// echo answers each message with what was said.
type echo struct{}

func (echo) Dispatch(ctx context.Context, w bot.ResponseWriter, m *bot.Message) {
	w.Reply(ctx, bot.Reply{Text: "said " + m.Text})
}

// fakeTerminal runs a terminal console over a pipe, with the line
// editor's terminal hooks standing in for a real terminal. Keys written to
// it are what a member types; screen is everything drawn.
type fakeTerminal struct {
	keys   *io.PipeWriter
	screen *bottest.LogBuffer
	a      *Adapter
	done   chan error
}

func startTerminal(t *testing.T) *fakeTerminal {
	t.Helper()
	in, keys := io.Pipe()
	screen := &bottest.LogBuffer{}
	noop := func() error { return nil }
	a, err := newTerminal(&readline.Config{
		Stdin: in, Stdout: screen, Stderr: screen,
		FuncIsTerminal: func() bool { return true }, FuncMakeRaw: noop, FuncExitRaw: noop,
		FuncGetWidth: func() int { return 80 }, FuncOnWidthChanged: func(func()) {},
	}, Options{Notice: "This is example data."})
	if err != nil {
		t.Fatal(err)
	}
	ft := &fakeTerminal{keys: keys, screen: screen, a: a, done: make(chan error, 1)}
	go func() { ft.done <- a.Run(context.Background(), echo{}) }()
	t.Cleanup(func() { keys.Close() })
	return ft
}

// typeKeys sends keys as typed.
func (ft *fakeTerminal) typeKeys(t *testing.T, keys string) {
	t.Helper()
	if _, err := io.WriteString(ft.keys, keys); err != nil {
		t.Fatal(err)
	}
}

// waitCount waits until the screen shows want n times.
func (ft *fakeTerminal) waitCount(t *testing.T, want string, n int) {
	t.Helper()
	bottest.WaitFor(t, want, func() bool { return strings.Count(ft.screen.String(), want) >= n })
}

// TestTerminalEditsAndRemembers checks that a typed line is answered, that
// the up arrow brings the last line back, that a line can be edited
// before it is sent, and that Ctrl-D ends the session.
func TestTerminalEditsAndRemembers(t *testing.T) {
	ft := startTerminal(t)
	ft.waitCount(t, "This is example data.", 1)
	ft.typeKeys(t, "/hi\r")
	ft.waitCount(t, "said /hi", 1)
	ft.typeKeys(t, "\x1b[A\r") // up arrow: the last line again
	ft.waitCount(t, "said /hi", 2)
	ft.typeKeys(t, "/hx\x7fo\r") // a typo, backspace, the right letter
	ft.waitCount(t, "said /ho", 1)
	ft.typeKeys(t, "\x04") // Ctrl-D
	if err := <-ft.done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// TestTerminalPrintsAnnouncementsAbovePrompt checks that an announcement
// arriving while a member types is printed on lines of its own, and that
// the prompt with the unfinished line is drawn again below it.
func TestTerminalPrintsAnnouncementsAbovePrompt(t *testing.T) {
	ft := startTerminal(t)
	ft.waitCount(t, "This is example data.", 1)
	ft.typeKeys(t, "/pol")
	ft.waitCount(t, Prompt+"/pol", 1)
	if err := ft.a.Announce(context.Background(), bot.Reply{Text: "Reminder: vote today"}); err != nil {
		t.Fatal(err)
	}
	ft.waitCount(t, Prompt+"/pol", 2)
	screen := ft.screen.String()
	ann := strings.Index(screen, "[#announcements]\nReminder: vote today\n")
	if ann < 0 || !strings.Contains(screen[ann:], Prompt+"/pol") {
		t.Errorf("the announcement is not on lines of its own above the redrawn prompt:\n%q", screen)
	}
	ft.typeKeys(t, "l list\r")
	ft.waitCount(t, "said /poll list", 1)
	ft.typeKeys(t, "\x03") // Ctrl-C on an empty line ends the session
	if err := <-ft.done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

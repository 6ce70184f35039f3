// Package console is Union Hall's terminal adapter: an interactive REPL for
// trying the bot without Slack or Discord, and a scriptable harness for
// end-to-end tests.
//
// Each input line is one message. A line "alice> /vote 1 yes" speaks as
// member alice; a line without a "name> " prefix speaks as the default
// user. Blank lines and lines starting with "#" are ignored. Lines are
// handled one at a time, in order, so scripts are deterministic. A line
// longer than MaxLine is cut and refused as too long, and the script goes
// on with the next line. With JSON set, every reply is printed as one
// JSON object per line.
package console

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/unionhall/unionhall/bot"
)

// Channel is the channel ID every console message is posted in.
const Channel = "console"

// AnnounceChannel is the channel name printed for announcements.
const AnnounceChannel = "announcements"

// MaxLine is the longest input line read, in bytes. A longer line is cut
// there and the rest of it discarded; the cut line is dispatched (the
// router refuses it as too long) and reading goes on with the next line.
const MaxLine = 1 << 20

var speakerPrefix = regexp.MustCompile(`^([\p{L}\p{N}_.\-]{1,64})>\s?(.*)$`)

// Options configure an Adapter.
type Options struct {
	// JSON prints one JSON object per reply instead of text.
	JSON bool
	// DefaultUser is the member a line without a prefix speaks as.
	DefaultUser string
	// Interactive prints a banner and a prompt (for a terminal).
	Interactive bool
	// Notice is a line the banner adds, e.g. that the bot runs on
	// example data; empty for none.
	Notice string
}

// Adapter is the console adapter. It implements bot.Adapter and
// bot.Announcer.
type Adapter struct {
	// next reads the next input line; io.EOF ends the input.
	next func() (string, error)
	// closeInput releases the input when Run returns; nil when there is
	// nothing to release.
	closeInput func() error
	// lineEditor is set when a line editor shows the prompt, so that the
	// adapter prints none itself (see NewTerminal).
	lineEditor bool
	opts       Options

	mu  sync.Mutex // serialises output
	out io.Writer
	err error // first write error
}

// New returns a console adapter reading lines from in and writing replies
// to out.
func New(in io.Reader, out io.Writer, opts Options) *Adapter {
	br := bufio.NewReaderSize(in, 64*1024)
	return newAdapter(func() (string, error) { return readLine(br, MaxLine) }, out, opts)
}

// newAdapter returns an adapter reading lines with next.
func newAdapter(next func() (string, error), out io.Writer, opts Options) *Adapter {
	if opts.DefaultUser == "" {
		opts.DefaultUser = "member"
	}
	return &Adapter{next: next, out: out, opts: opts}
}

// Platform returns bot.PlatformConsole.
func (a *Adapter) Platform() string { return bot.PlatformConsole }

// Run reads lines until end of input or until ctx ends, dispatching each as
// a message. It returns nil at end of input.
func (a *Adapter) Run(ctx context.Context, d bot.Dispatcher) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	if a.closeInput != nil {
		defer a.closeInput()
	}
	go func() {
		defer close(lines)
		for {
			line, err := a.next()
			if err != nil {
				if err != io.EOF {
					readErr <- err
				}
				return
			}
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	if a.opts.Interactive {
		a.printf("Union Hall console. You are %q. Type /help, or just ask a question.\n"+
			"Speak as someone else with \"name> \", e.g. \"alice> /vote 1 yes\". Ctrl-D quits.\n", a.opts.DefaultUser)
		if a.opts.Notice != "" {
			a.printf("%s\n", a.opts.Notice)
		}
		a.prompt()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				select {
				case err := <-readErr:
					if err != nil {
						return fmt.Errorf("read console input: %w", err)
					}
				default:
				}
				return a.writeErr()
			}
			a.handleLine(ctx, d, line)
			a.prompt()
		}
	}
}

// readLine reads one line from r without its line ending. A line longer
// than limit bytes is cut to limit bytes and the rest of it is read and
// discarded, so memory stays bounded. A last line without a line ending
// is returned as a line; io.EOF is returned only when nothing was left to
// read.
func readLine(r *bufio.Reader, limit int) (string, error) {
	var line []byte
	read, cut := false, false
	for {
		chunk, err := r.ReadSlice('\n')
		read = read || len(chunk) > 0
		if n := min(len(chunk), limit-len(line)); n < len(chunk) {
			cut = true
			line = append(line, chunk[:max(n, 0)]...)
		} else {
			line = append(line, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && (err != io.EOF || !read) {
			return "", err
		}
		if !cut {
			line = bytes.TrimSuffix(line, []byte("\n"))
			line = bytes.TrimSuffix(line, []byte("\r"))
		}
		return string(line), nil
	}
}

func (a *Adapter) prompt() {
	if a.opts.Interactive && !a.lineEditor {
		a.printf("> ")
	}
}

func (a *Adapter) handleLine(ctx context.Context, d bot.Dispatcher, line string) {
	line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
	if line == "" || strings.HasPrefix(line, "#") {
		return
	}
	user, text := a.opts.DefaultUser, line
	if m := speakerPrefix.FindStringSubmatch(line); m != nil {
		user, text = m[1], strings.TrimSpace(m[2])
		if text == "" {
			return
		}
	}
	msg := &bot.Message{
		Platform: bot.PlatformConsole,
		Channel:  bot.Channel{ID: Channel, Name: Channel},
		User:     bot.User{ID: bot.QualifiedID(bot.PlatformConsole, user), Name: user},
		Text:     text,
		DM:       !strings.HasPrefix(text, "/"),
	}
	d.Dispatch(ctx, &writer{a: a, user: user}, msg)
}

// writer answers one console message.
type writer struct {
	a    *Adapter
	user string
}

func (w *writer) Reply(_ context.Context, r bot.Reply) error {
	w.a.emit(w.user, Channel, r, false)
	return nil
}

func (w *writer) UpdateCard(_ context.Context, c bot.Card) error {
	w.a.emit("", Channel, bot.Reply{Card: &c}, true)
	return nil
}

// Send prints r as posted to the destination channel.
func (a *Adapter) Send(_ context.Context, to bot.Destination, r bot.Reply) error {
	user := ""
	if _, id, ok := bot.SplitID(to.User); ok {
		user = id
	}
	ch := to.Channel
	if ch == "" {
		ch = Channel
	}
	a.emit(user, ch, r, false)
	return a.writeErr()
}

// UpdateCard prints the card's new state.
func (a *Adapter) UpdateCard(_ context.Context, c bot.Card) error {
	a.emit("", Channel, bot.Reply{Card: &c}, true)
	return a.writeErr()
}

// Announce prints r as posted to the announcement channel.
func (a *Adapter) Announce(_ context.Context, r bot.Reply) error {
	a.emit("", AnnounceChannel, r, false)
	return a.writeErr()
}

// jsonReply is the --json form of one reply.
type jsonReply struct {
	User    string        `json:"user"`
	Channel string        `json:"channel"`
	Private bool          `json:"private"`
	Text    string        `json:"text"`
	Update  bool          `json:"update,omitempty"`
	Poll    *bot.PollView `json:"poll,omitempty"`
	Card    *jsonCard     `json:"card,omitempty"`
	File    *jsonFile     `json:"file,omitempty"`
}

type jsonCard struct {
	Key     string       `json:"key,omitempty"`
	Title   string       `json:"title,omitempty"`
	Footer  string       `json:"footer,omitempty"`
	Buttons []jsonButton `json:"buttons,omitempty"`
}

type jsonButton struct {
	Label   string `json:"label"`
	Command string `json:"command"`
}

type jsonFile struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

func (a *Adapter) emit(user, channel string, r bot.Reply, update bool) {
	if a.opts.JSON {
		j := jsonReply{User: user, Channel: channel, Private: r.Private, Text: r.Text, Update: update}
		if c := r.Card; c != nil {
			if j.Text == "" {
				j.Text = strings.TrimSpace(c.Title + "\n" + c.Body)
			}
			j.Poll = c.Poll
			jc := &jsonCard{Key: c.Key, Title: c.Title, Footer: c.Footer}
			for _, b := range c.Buttons {
				jc.Buttons = append(jc.Buttons, jsonButton{Label: b.Label, Command: b.Command()})
			}
			j.Card = jc
		}
		if f := r.File; f != nil {
			j.File = &jsonFile{Name: f.Name, Content: fileText(f)}
		}
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(j); err != nil {
			buf.Reset()
			buf.WriteString(`{"text":"could not encode reply"}` + "\n")
		}
		a.printf("%s", buf.String())
		return
	}
	var b strings.Builder
	switch {
	case update:
		b.WriteString("[card updated]\n")
	case r.Private && user != "":
		fmt.Fprintf(&b, "[only %s can see this]\n", user)
	case channel != Channel:
		fmt.Fprintf(&b, "[#%s]\n", channel)
	}
	if r.Text != "" {
		b.WriteString(r.Text + "\n")
	}
	if c := r.Card; c != nil {
		b.WriteString(renderCard(c))
	}
	if f := r.File; f != nil {
		fmt.Fprintf(&b, "--- %s ---\n%s", f.Name, fileText(f))
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			b.WriteString("\n")
		}
		b.WriteString("---\n")
	}
	a.printf("%s\n", strings.TrimRight(b.String(), "\n"))
}

// renderCard draws a card as text, with each button's equivalent command.
func renderCard(c *bot.Card) string {
	var b strings.Builder
	if c.Title != "" {
		b.WriteString("== " + c.Title + " ==\n")
	}
	if c.Body != "" {
		b.WriteString(c.Body + "\n")
	}
	for _, btn := range c.Buttons {
		fmt.Fprintf(&b, "  [%s]  type: %s\n", btn.Label, btn.Command())
	}
	if c.Footer != "" {
		b.WriteString(c.Footer + "\n")
	}
	return b.String()
}

func (a *Adapter) printf(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := fmt.Fprintf(a.out, format, args...); err != nil && a.err == nil {
		a.err = fmt.Errorf("write console output: %w", err)
	}
}

func (a *Adapter) writeErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// fileText is what the console shows of a file: its text, or for a
// picture or other binary file a note of its type and size.
func fileText(f *bot.File) string {
	if f.ContentType == "" || strings.HasPrefix(f.ContentType, "text/") {
		return string(f.Data)
	}
	return fmt.Sprintf("(%s, %d bytes, not shown in the console)\n", f.ContentType, len(f.Data))
}

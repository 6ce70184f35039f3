package console

import (
	"errors"
	"fmt"
	"io"

	"github.com/chzyer/readline"
)

// Prompt is the prompt an interactive console shows.
const Prompt = "> "

// NewTerminal returns a console adapter for a member at an interactive
// terminal: lines are read with editing (arrows, Home and End, Ctrl-W...)
// and a history of this session (up and down arrows; kept in memory only,
// as it holds what members asked), and everything the bot prints, an
// announcement as much as a reply, appears above the prompt, which is
// drawn again below it with what was being typed. Ctrl-D, or Ctrl-C on an
// empty line, ends the input; Ctrl-C on a line being typed drops it.
// opts.Interactive is implied.
func NewTerminal(in io.ReadCloser, out io.Writer, opts Options) (*Adapter, error) {
	return newTerminal(&readline.Config{Stdin: in, Stdout: out, Stderr: out}, opts)
}

// newTerminal is NewTerminal with the whole line editor's configuration,
// which tests use to stand in for a terminal.
func newTerminal(cfg *readline.Config, opts Options) (*Adapter, error) {
	cfg.Prompt = Prompt
	cfg.InterruptPrompt = "^C"
	cfg.EOFPrompt = ""
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return nil, fmt.Errorf("start line editing: %w", err)
	}
	opts.Interactive = true
	a := newAdapter(func() (string, error) {
		for {
			line, err := rl.Readline()
			switch {
			case errors.Is(err, readline.ErrInterrupt) && line == "":
				return "", io.EOF
			case errors.Is(err, readline.ErrInterrupt):
				continue
			}
			return line, err
		}
	}, rl.Stdout(), opts)
	a.closeInput, a.lineEditor = rl.Close, true
	return a, nil
}

// Package bottest provides helpers for testing bot handlers, in the manner
// of net/http/httptest.
package bottest

import (
	"context"
	"strings"
	"sync"

	"github.com/unionhall/unionhall/bot"
)

// Recorder is a bot.ResponseWriter that records what a handler said. It is
// safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	replies []bot.Reply
	updates []bot.Card
}

// Reply records r.
func (rec *Recorder) Reply(_ context.Context, r bot.Reply) error {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.replies = append(rec.replies, r)
	return nil
}

// UpdateCard records c.
func (rec *Recorder) UpdateCard(_ context.Context, c bot.Card) error {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.updates = append(rec.updates, c)
	return nil
}

// Replies returns the replies recorded so far.
func (rec *Recorder) Replies() []bot.Reply {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]bot.Reply(nil), rec.replies...)
}

// Updates returns the card updates recorded so far.
func (rec *Recorder) Updates() []bot.Card {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]bot.Card(nil), rec.updates...)
}

// Text returns the text of every reply (and the body of every card)
// joined by newlines, for assertions with strings.Contains.
func (rec *Recorder) Text() string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var parts []string
	for _, r := range rec.replies {
		if r.Text != "" {
			parts = append(parts, r.Text)
		}
		if r.Card != nil {
			parts = append(parts, r.Card.Title, r.Card.Body, r.Card.Footer)
		}
	}
	return strings.Join(parts, "\n")
}

// Reset forgets everything recorded.
func (rec *Recorder) Reset() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.replies, rec.updates = nil, nil
}

// Message returns a console message from the given user name with text.
func Message(user, text string) *bot.Message {
	return &bot.Message{
		Platform: bot.PlatformConsole,
		Channel:  bot.Channel{ID: "console", Name: "console"},
		User:     bot.User{ID: bot.QualifiedID(bot.PlatformConsole, user), Name: user},
		Text:     text,
	}
}

// Command declares a command for tests of adapters and other plumbing:
// one form that takes any arguments and leaves them to h (Request.Raw,
// Request.Positional).
func Command(name string, h bot.HandlerFunc) bot.Command {
	return bot.Command{Name: name, Summary: name, Forms: []bot.Form{{Summary: name, Custom: true, Handler: h}}}
}

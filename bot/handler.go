package bot

import (
	"context"
)

// Request is a Message addressed to one command, as the Router hands it to
// a Handler.
type Request struct {
	// Message is what the member sent.
	Message
	// Command is the command name in lower case without the slash ("poll"),
	// or "" for free text (a question in a DM or a mention).
	Command string
	// Raw is the text after the command name, trimmed; for free text it is
	// the whole text.
	Raw string
	// Steward reports whether the sender has steward powers, from
	// configuration or from the platform (User.PlatformSteward).
	Steward bool
	// Form is the name of the command form the Router chose ("results"),
	// "" for a command with a single form or for free text.
	Form string

	// values are the form's arguments, checked against its declaration.
	values Values
	// positional are a Custom form's positional arguments.
	positional []Token
	// rest is the form's arguments as typed.
	rest string
}

// RequireSteward returns an EFORBIDDEN error naming what only stewards may
// do (e.g. "open a poll") when the sender is not a steward, and nil
// otherwise or when what is "" (anyone may).
func (r *Request) RequireSteward(what string) error {
	if r.Steward || what == "" {
		return nil
	}
	return Errorf(EFORBIDDEN, "Only stewards can %s. If you think you should be able to, ask your steward or the person who runs this bot.", what)
}

// ResponseWriter is how a Handler answers. Adapters implement it for the
// message being handled; Recorder implements it for tests.
type ResponseWriter interface {
	// Reply posts r in the message's channel (and thread), or privately to
	// the sender when r.Private is set.
	Reply(ctx context.Context, r Reply) error
	// UpdateCard re-renders every message already posted with c.Key on this
	// platform.
	UpdateCard(ctx context.Context, c Card) error
}

// Handler answers one Request. It returns a *Error for anything the member
// should see (bad input, not allowed, not found) and any other error for
// failures on our side; the Router turns both into replies.
type Handler interface {
	ServeBot(ctx context.Context, w ResponseWriter, r *Request) error
}

// HandlerFunc adapts a function to the Handler interface.
type HandlerFunc func(ctx context.Context, w ResponseWriter, r *Request) error

// ServeBot calls f.
func (f HandlerFunc) ServeBot(ctx context.Context, w ResponseWriter, r *Request) error {
	return f(ctx, w, r)
}

// Dispatcher receives every Message an adapter translates. The Router is
// the Dispatcher in production; it never returns an error because it
// answers errors itself.
type Dispatcher interface {
	Dispatch(ctx context.Context, w ResponseWriter, m *Message)
}

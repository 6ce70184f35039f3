package bot

import (
	"strings"
	"time"
)

// Platform names used as prefixes of qualified IDs.
const (
	PlatformConsole = "console"
	PlatformSlack   = "slack"
	PlatformDiscord = "discord"
)

// User is a member as seen by one platform.
type User struct {
	// ID is platform-qualified: "slack:U123", "discord:456", "console:alice".
	ID string
	// Name is a display name, for replies only; it is never used for
	// permissions.
	Name string
	// PlatformSteward is set by an adapter when the platform itself grants
	// steward powers (a Slack user group, a Discord role). Configured steward
	// IDs are checked separately by the Router.
	PlatformSteward bool
	// Groups are the platform groups the member is in, as far as the
	// adapter knows (Discord: the IDs and, when asked for, the names of
	// the member's server roles), so a feature can map them to something
	// of its own, such as a bargaining unit. Nil when unknown.
	Groups []string
}

// QualifiedID joins a platform name and a platform-local ID into a
// platform-qualified ID such as "slack:U123".
func QualifiedID(platform, id string) string {
	return platform + ":" + id
}

// SplitID splits a platform-qualified ID into its platform and local part.
// It returns ok false when the ID has no platform prefix.
func SplitID(qualified string) (platform, id string, ok bool) {
	platform, id, ok = strings.Cut(qualified, ":")
	if !ok || platform == "" || id == "" {
		return "", "", false
	}
	return platform, id, true
}

// Channel is a place where messages are posted.
type Channel struct {
	// ID is the platform's own channel ID (not qualified).
	ID string
	// Name is a human-readable name when the platform provides one.
	Name string
}

// Message is one thing a member said or clicked, translated by an adapter.
type Message struct {
	// Platform is the adapter's platform name, e.g. PlatformSlack.
	Platform string
	// Channel is where the message was posted.
	Channel Channel
	// User is who sent it.
	User User
	// Text is the command line or the question, with any leading mention of
	// the bot removed by the adapter.
	Text string
	// Thread identifies the thread the message belongs to, if any.
	Thread string
	// DM is true for a direct message to the bot.
	DM bool
	// Mention is true when the message @mentioned the bot.
	Mention bool
	// Button is true when the message comes from a button click; Text then
	// holds the button's command.
	Button bool
	// Time is when the platform received the message; zero when unknown.
	Time time.Time
}

// Reply is something the bot says back.
type Reply struct {
	// Text is plain text with line breaks. Adapters escape anything their
	// platform would read as markup, links or mentions, so text that came
	// from members (a question, a poll option) can never inject formatting
	// or ping anyone.
	Text string
	// Private asks for the reply to be seen only by the member it answers
	// (ephemeral on Slack and Discord, a DM where that is impossible).
	Private bool
	// Thread, when set, posts the reply in that thread.
	Thread string
	// Card, when set, is a structured message shown instead of (or after)
	// Text.
	Card *Card
	// File, when set, is an attachment such as a CSV export.
	File *File
}

// File is a document attached to a reply.
type File struct {
	// Name is the file name shown to the member, e.g. "poll-3.csv".
	Name string
	// ContentType is a MIME type such as "text/csv".
	ContentType string
	// Data is the file content.
	Data []byte
}

// Card is a structured message such as a poll or an FAQ answer. Each adapter
// renders it in its own way (Block Kit, an embed with button rows, plain
// text in the console).
type Card struct {
	// Key identifies the card across updates, e.g. "poll:12". Updating a card
	// with the same Key edits the messages already posted with it.
	Key string
	// Title is a short heading.
	Title string
	// Body is the main text, plain like Reply.Text.
	Body string
	// Buttons are actions a member can click. Each carries the command a
	// member could type to do the same thing.
	Buttons []Button
	// Ranking, when set, lets a member order options with taps and submit
	// the whole order at once, where typing it is hard.
	Ranking *Ranking
	// Footer is a short context line.
	Footer string
	// Poll, when the card shows a poll, is a structured view of it for
	// clients that render tallies themselves (such as console --json).
	Poll *PollView
	// Revision, when not zero, orders the states of the card: it grows
	// with every change to what the card shows (a poll's tally version).
	// Where several processes update one message, a state older than the
	// one last shown is not shown over it (see CardRevisions).
	Revision int64
}

// ButtonStyle hints how a button should look.
type ButtonStyle string

// Button styles. Adapters map them to the closest platform style.
const (
	StyleDefault ButtonStyle = ""
	StylePrimary ButtonStyle = "primary"
	StyleDanger  ButtonStyle = "danger"
)

// Button is a clickable action on a card. Clicking it has exactly the same
// meaning as typing its Command.
type Button struct {
	// Label is the text on the button.
	Label string
	// Action is the command name without the slash, e.g. "vote".
	Action string
	// Value is the rest of the command line, e.g. "12 1".
	Value string
	// Style is a look hint.
	Style ButtonStyle
}

// Command returns the typed command equivalent to clicking the button, e.g.
// "/vote 12 1".
func (b Button) Command() string {
	if b.Value == "" {
		return "/" + b.Action
	}
	return "/" + b.Action + " " + b.Value
}

// PollView is the structured, display-only state of a poll shown on a card.
type PollView struct {
	// ID is the poll's public number.
	ID string `json:"id"`
	// Question is the poll question.
	Question string `json:"question"`
	// Closed reports whether voting has ended.
	Closed bool `json:"closed"`
	// Hidden reports whether counts are withheld until close.
	Hidden bool `json:"hidden"`
	// Options are the choices in order.
	Options []PollOptionView `json:"options"`
	// Total is the number of ballots cast; omitted while hidden.
	Total *int `json:"total,omitempty"`
}

// PollOptionView is one option of a PollView.
type PollOptionView struct {
	// Label is the option text.
	Label string `json:"label"`
	// Votes is the count, nil while results are hidden.
	Votes *int `json:"votes,omitempty"`
}

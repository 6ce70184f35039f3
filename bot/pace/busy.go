package pace

import (
	"time"

	"github.com/unionhall/unionhall/bot"
)

// BusyAfter is the longest a member's answer may wait behind a channel's
// queue of posts before the adapter shows it to them privately instead.
// Adapters estimate the wait with Budget.Delay from the platform's
// channel limit and the posts queued in the channel: at Slack's one post
// a second, or Discord's five per five seconds paced a second apart, an
// answer goes privately once about three posts are ahead of it.
const BusyAfter = 3 * time.Second

// BusyNote heads an answer shown privately because its channel was busy.
const BusyNote = "The channel is busy, so here is your answer privately."

// MayAnswerPrivately reports whether r, a public answer to one member,
// may be shown to that member alone when the channel is busy: not a poll
// (everyone must see it to vote) and no file.
func MayAnswerPrivately(r bot.Reply) bool {
	return r.File == nil && (r.Card == nil || r.Card.Poll == nil)
}

// Privately returns r shown to its member alone, headed by BusyNote.
func Privately(r bot.Reply) bot.Reply {
	r.Private = true
	if r.Text == "" {
		r.Text = BusyNote
	} else {
		r.Text = BusyNote + "\n\n" + r.Text
	}
	return r
}

package slack

import (
	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/pace"
)

// mayGoPrivate reports whether r, a public reply for dest, may be shown
// to its member alone when the channel is busy: an answer to one member,
// in a channel, that pace.MayAnswerPrivately.
func mayGoPrivate(dest destination, r bot.Reply) bool {
	return dest.user != "" && dest.channel != "" && !dest.dm && pace.MayAnswerPrivately(r)
}

// busy reports whether a public reply for dest should go privately: the
// posts queued in its channel would hold it longer than pace.BusyAfter, and
// the member has no earlier reply still waiting there.
func (a *Adapter) busy(dest destination, r bot.Reply) bool {
	if !mayGoPrivate(dest, r) || a.memberPosts.Waiting(privateLane(dest.channel, dest.user)) {
		return false
	}
	return a.pacer.postDelay(dest.channel, a.out.Queued(dest.channel)) > pace.BusyAfter
}

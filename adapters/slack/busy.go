package slack

import (
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/pace"
)

// mayGoPrivate reports whether r, a public reply for dest, may be shown
// to its member alone when the channel is busy: an answer to one member,
// in a channel, that pace.MayAnswerPrivately.
func mayGoPrivate(dest destination, r bot.Reply) bool {
	return dest.user != "" && dest.channel != "" && !dest.dm && pace.MayAnswerPrivately(r)
}

// route is where an answer to a member goes.
type route int

const (
	inChannel     route = iota // posted in the channel, as asked
	ephemeral                  // shown to the member in the channel (or through the response_url)
	directMessage              // posted in the bot's direct message with the member
)

// routeFor decides where a public reply for dest goes. It stays in the
// channel unless the posts queued there would hold it longer than
// pace.BusyAfter (and the member has no earlier reply still waiting
// there); then it goes privately by the quicker private route
// (privateRoute). When that is slower than the channel too, it stays.
func (a *Adapter) routeFor(dest destination, r bot.Reply) route {
	if !mayGoPrivate(dest, r) || a.held.Waiting(dest.channel, dest.user) {
		return inChannel
	}
	public := a.pacer.postDelay(dest.channel, a.out.Queued(dest.channel))
	if public <= pace.BusyAfter {
		return inChannel
	}
	if rt, wait := a.privateRoute(dest); wait <= pace.BusyAfter || wait < public {
		return rt
	}
	return inChannel
}

// privateRoute is the quicker of the two private routes to dest's
// member, each with limits of its own, and how long it would wait: an
// ephemeral message (chat.postEphemeral's tier across the workspace; none
// through a response_url) or a direct message (conversations.open's
// tier, then a channel of its own).
func (a *Adapter) privateRoute(dest destination) (route, time.Duration) {
	if dest.resp != nil && dest.resp.url != "" {
		return ephemeral, 0
	}
	eph, dm := a.pacer.delay("chat.postEphemeral"), a.pacer.delay("conversations.open")
	if eph <= pace.BusyAfter || eph <= dm {
		return ephemeral, eph
	}
	return directMessage, dm
}

// privately returns r shown to dest's member alone by route rt, headed
// by pace.BusyNote, and where it goes.
func privately(dest destination, r bot.Reply, rt route) (bot.Reply, destination) {
	if rt == directMessage {
		dest = destination{user: dest.user}
	}
	return pace.Privately(r), dest
}

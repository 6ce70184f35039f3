// Package cards keeps posted cards up to date: a poll's tally, a closed
// poll's final result. Both chat adapters update cards through one
// Updater; the polls feature coalesces the work of rendering a card with
// the Coalescer the Updater is built on.
//
// An Updater remembers which messages show which card (the Key of a
// bot.Card), from the posts the adapter makes and the messages members
// click. When a card changes, it edits each of its messages through the
// platform's Editor, the only part each adapter writes itself:
//
//   - Coalescing: a message is edited at most once per Interval (a
//     second), however often its card changes; the newest state always
//     lands, and an update made while a card's post is still on its way
//     goes out with the post itself.
//   - Order: edits go out on the channel's lane (package lanes), the same
//     lane as the adapter's posts in that channel, so an edit never
//     overtakes the post it edits and one busy channel never holds up
//     another.
//   - Retries: a failed edit is tried again with the shared back-off
//     (package backoff), after the wait a rate limit asks for when the
//     platform gave one, and outside the lane, so a rate-limited edit
//     holds up nothing. A message the platform reports gone (ErrGone) is
//     forgotten; one the bot may no longer edit (ErrUnreachable) is
//     dropped until the next restart.
//   - Restarts: with a bot.CardLocations store, where each card that can
//     change (Changes: a poll's) is shown is saved (in the background: a
//     post or a click is never held up by the store), and the first
//     update of a card after a restart reaches the messages posted before
//     it. Answers, which never change, are not saved.
//   - Pacing: with Config.Pace, each edit first waits for the platform's
//     rate limit (package pace), and reads the card only then.
//
// All waiting (the interval, retries) goes through the injected bot.Clock,
// so tests drive an Updater with a bot.ManualClock.
//
// Why posts share the lanes too: both adapters must keep a channel's
// replies in order and must keep an edit behind the post it edits, and
// the two used to do it differently (a lane per channel on Slack, a queue
// and worker per channel holding posts and edits on Discord). One lane
// type, shared by posts and the Updater's edits, gives both platforms the
// same guarantees with the card logic written once; what differs per
// platform (how many calls may run at once) is a parameter of the lanes.
//
// The package imports only the standard library and the core.
package cards

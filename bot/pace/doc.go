// Package pace keeps Union Hall's outgoing traffic inside the chat
// platforms' rate limits, so that the bot waits its turn instead of
// sending until it is refused.
//
// The platforms' documented limits are written once, here (limits.go):
// Slack's posting limit of about one message per second per channel and
// its per-method tiers, Discord's five messages per five seconds per
// channel and fifty requests per second per bot. The adapters pace their
// calls with a Budget built from them, and the platform fakes (slacktest,
// discordtest) enforce the same figures, so tests see what members would.
//
// A Budget also estimates how long a message queued now would wait, which
// lets an adapter answer a member privately rather than keep them waiting
// behind a busy channel, and it learns from what the platform says: a
// Retry-After or an X-RateLimit-Reset-After pauses the key it names.
// Refusals that come anyway are counted by a Storm, which logs one line
// per window rather than one per refusal.
//
// The package imports only the standard library and the core.
package pace

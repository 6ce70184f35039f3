package pace

import (
	"time"

	"github.com/unionhall/unionhall/bot"
)

// Limit is a rate: Count sends per Per, at most Burst of them at once.
// A Burst of zero or one spaces every send Per/Count after the one before.
type Limit struct {
	Count int
	Per   time.Duration
	Burst int
}

// Interval is the steady spacing of sends under l: Per/Count.
func (l Limit) Interval() time.Duration {
	if l.Count <= 0 {
		return 0
	}
	return l.Per / time.Duration(l.Count)
}

// burst is l's burst, at least one.
func (l Limit) burst() int { return max(l.Burst, 1) }

// Slack's Web API tiers, in calls per minute per method per workspace
// (https://docs.slack.dev/apis/web-api/rate-limits). Each tier allows
// "occasional bursts"; the fakes allow a burst of the tier's per-minute
// count at most once a minute.
const (
	SlackTier1 = 1
	SlackTier2 = 20
	SlackTier3 = 50
	SlackTier4 = 100
)

// SlackTier returns the per-minute limit of a Slack Web API tier (1 to 4),
// with its documented bursts.
func SlackTier(perMinute int) Limit {
	return Limit{Count: perMinute, Per: time.Minute, Burst: perMinute}
}

// SlackMethodTiers gives the tier (calls per minute) of every Slack Web
// API method Union Hall calls, as Slack's method reference lists them.
// chat.postMessage is in Slack's special tier, paced per channel by
// SlackChannelPosts instead; it is absent here.
func SlackMethodTiers() map[string]int {
	return map[string]int{
		"auth.test":                    SlackTier4,
		"apps.connections.open":        SlackTier1,
		"chat.postEphemeral":           SlackTier4,
		"chat.update":                  SlackTier3,
		"conversations.open":           SlackTier3,
		"usergroups.users.list":        SlackTier2,
		"usergroups.list":              SlackTier2,
		"files.getUploadURLExternal":   SlackTier4,
		"files.completeUploadExternal": SlackTier4,
	}
}

// SlackChannelPosts is Slack's posting limit for chat.postMessage: "one
// message per second per channel", with "short bursts" allowed. The fake
// allows a burst of three.
func SlackChannelPosts() Limit { return Limit{Count: 1, Per: time.Second, Burst: 3} }

// Margin is l as the bot paces itself within it: a burst smaller by a
// tenth (at least one send), or, for a limit without bursts, sends spaced
// a fiftieth further apart. A platform starts counting a key's limit when
// its first call arrives, but the bot counts from when it reserved that
// call's turn, a little earlier; a later call whose way to the platform is
// quicker would arrive just before its turn and be refused. The margin
// absorbs that: a second of Slack's channel burst, 1.2 s of a Tier 1
// minute, 20 ms of each of Discord's one-a-second messages.
func Margin(l Limit) Limit {
	if b := l.burst(); b > 1 {
		l.Burst = b - max(b/10, 1)
	} else {
		l.Per += l.Per / 50
	}
	return l
}

// DiscordChannelMessages is Discord's limit on creating messages in one
// channel: five per five seconds, in a window that opens with the first
// message (X-RateLimit-Limit 5, Reset-After 5). The bot spaces its
// messages a second apart, which never exceeds any such window.
func DiscordChannelMessages() Limit { return Limit{Count: 5, Per: 5 * time.Second, Burst: 1} }

// DiscordGlobal is Discord's global limit: fifty requests per second per
// bot, across every route but the interaction endpoints
// (https://docs.discord.com/developers/topics/rate-limits).
func DiscordGlobal() Limit { return Limit{Count: 50, Per: time.Second, Burst: 50} }

// DiscordGlobalPace is how the bot keeps under DiscordGlobal however
// Discord places its one-second windows: a burst of 25, then one request
// every 40 ms, which never puts more than 50 in any second.
func DiscordGlobalPace() Limit { return Limit{Count: 25, Per: time.Second, Burst: 25} }

// DirectMessages is the pace at which Union Hall sends direct messages to
// many members one after another (a poll's nudges) on platform. Each
// opens a conversation with the member and posts in it:
//
//   - On Slack, conversations.open is in Tier 3 (SlackTier3, 50 calls a
//     minute), and each post goes to a conversation of its own, far below
//     SlackChannelPosts: 50 a minute, 1.2 s apart.
//   - On Discord, both requests fit easily within the global limit, but
//     Discord publishes no limit for opening direct messages, refuses a
//     bot that opens them too fast (error 40003) and may quarantine a bot
//     whose messages to many members look like spam. Nudges go at the
//     pace of one channel's messages, one a second, well below anything
//     the global limit would allow.
//   - Elsewhere (the console), one a second.
func DirectMessages(platform string) Limit {
	switch platform {
	case bot.PlatformSlack:
		return Limit{Count: SlackTier3, Per: time.Minute, Burst: 1}
	case bot.PlatformDiscord:
		return Limit{Count: 1, Per: time.Second, Burst: 1}
	}
	return Limit{Count: 1, Per: time.Second, Burst: 1}
}

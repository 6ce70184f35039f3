package bot

// Metrics is told what Union Hall does, so that operators can count it on
// a dashboard. Features and adapters are given one in their configuration
// and call it where something worth counting happens; the program passes
// the Prometheus recorder, tests and callers that leave it out get
// NoMetrics.
//
// Every label is one of a fixed, small set of words (the constants below,
// a platform name): nothing passed here may name a member, a channel, a
// question or a choice, so that the counts reveal nothing about anyone.
type Metrics interface {
	// FAQOutcome counts one question and what the bot did with it: one of
	// FAQAnswer, FAQSuggest, FAQClarify, FAQAbstain or FAQPassage.
	FAQOutcome(outcome string)
	// VoteRecorded counts one vote that the store has committed.
	VoteRecorded()
	// ReminderPost counts one attempt to post a reminder and how it
	// ended: ReminderPosted, ReminderRetried, ReminderFailed or
	// ReminderUncertain.
	ReminderPost(outcome string)
	// RateLimited counts one rate-limit answer from a platform's API.
	RateLimited(platform string)
	// Reconnected counts one new connection to a platform after a lost
	// or closed one.
	Reconnected(platform string)
}

// The outcomes of a question, for Metrics.FAQOutcome.
const (
	// FAQAnswer: the bot answered from the knowledge base.
	FAQAnswer = "answer"
	// FAQSuggest: the bot offered entries that may be what was meant.
	FAQSuggest = "suggest"
	// FAQClarify: the bot asked the member to say more.
	FAQClarify = "clarify"
	// FAQAbstain: the bot said it does not know.
	FAQAbstain = "abstain"
	// FAQPassage: the bot quoted a passage of the union's own documents.
	FAQPassage = "passage"
)

// The outcomes of posting a reminder, for Metrics.ReminderPost.
const (
	// ReminderPosted: the platform confirmed the post.
	ReminderPosted = "posted"
	// ReminderRetried: the post failed and will be tried again.
	ReminderRetried = "retried"
	// ReminderFailed: every attempt failed and the post is given up.
	ReminderFailed = "failed"
	// ReminderUncertain: it is not known whether the post went out (the
	// process stopped while posting), so it is not repeated.
	ReminderUncertain = "uncertain"
)

// NoMetrics counts nothing. It is the Metrics of code that is given none.
type NoMetrics struct{}

// FAQOutcome does nothing.
func (NoMetrics) FAQOutcome(string) {}

// VoteRecorded does nothing.
func (NoMetrics) VoteRecorded() {}

// ReminderPost does nothing.
func (NoMetrics) ReminderPost(string) {}

// RateLimited does nothing.
func (NoMetrics) RateLimited(string) {}

// Reconnected does nothing.
func (NoMetrics) Reconnected(string) {}

// OrNoMetrics returns m, or NoMetrics when m is nil: Metrics are injected
// by the program and left out in tests.
func OrNoMetrics(m Metrics) Metrics {
	if m == nil {
		return NoMetrics{}
	}
	return m
}

// Connector is implemented by adapters that can tell whether they are
// connected to their platform right now; readiness checks ask it. An
// adapter that does not implement it counts as connected once it runs.
type Connector interface {
	// Connected reports whether the adapter can receive and send now.
	Connected() bool
}

// QueueReporter is implemented by adapters that queue work, so that
// operators can see a backlog building up.
type QueueReporter interface {
	// QueueDepths returns how many jobs each of the adapter's queues holds
	// (waiting or running), by a fixed queue name such as "in" or "out".
	QueueDepths() map[string]int
}

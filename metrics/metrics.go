// Package metrics counts what Union Hall does, for Prometheus.
//
// A Recorder owns a registry of its own (with the Go runtime's and the
// process's collectors), implements bot.Metrics for the features and
// adapters, wraps the Dispatcher to count the messages that come in and
// the replies that go out, and serves the registry in Prometheus's text
// format. Every label is a fixed word or a platform name, so the metrics
// never reveal a member, a channel, a question or a vote's choice.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/unionhall/unionhall/bot"
)

// namespace prefixes every metric's name.
const namespace = "unionhall"

// The kinds of message counted by unionhall_events_received_total.
const (
	// KindCommand is a typed slash command.
	KindCommand = "command"
	// KindButton is a button click, carrying the command it stands for.
	KindButton = "button"
	// KindText is free text: a question in a DM or an @mention.
	KindText = "text"
)

// The kinds of answer counted by unionhall_replies_sent_total.
const (
	// KindPublic is a reply everyone in the channel sees.
	KindPublic = "public"
	// KindPrivate is a reply only the member it answers sees.
	KindPrivate = "private"
	// KindCardUpdate is a refresh of the messages showing a card.
	KindCardUpdate = "card_update"
)

// Recorder holds Union Hall's metrics. Its methods are safe for concurrent
// use. Build it with New.
type Recorder struct {
	reg   *prometheus.Registry
	clock bot.Clock

	events       *prometheus.CounterVec
	replies      *prometheus.CounterVec
	replyLatency *prometheus.HistogramVec
	faq          *prometheus.CounterVec
	votes        prometheus.Counter
	reminders    *prometheus.CounterVec
	rateLimits   *prometheus.CounterVec
	reconnects   *prometheus.CounterVec
	queues       *queueCollector
}

// New returns a Recorder whose latencies are read from clock.
func New(clock bot.Clock) *Recorder {
	r := &Recorder{
		reg:   prometheus.NewRegistry(),
		clock: bot.OrSystemClock(clock),
		events: counterVec("events_received_total",
			"Messages received from members, by platform and kind (command, button, text).",
			"platform", "kind"),
		replies: counterVec("replies_sent_total",
			"Answers sent to members' messages, by platform and kind (public, private, card_update).",
			"platform", "kind"),
		replyLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "reply_latency_seconds",
			Help:    "Time from receiving a message to sending its first reply, by platform.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"platform"}),
		faq: counterVec("faq_questions_total",
			"Questions asked, by outcome (answer, suggest, clarify, abstain).",
			"outcome"),
		votes: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "votes_recorded_total",
			Help: "Votes committed to the database.",
		}),
		reminders: counterVec("reminder_posts_total",
			"Attempts to post a reminder, by outcome (posted, retried, failed, uncertain).",
			"outcome"),
		rateLimits: counterVec("platform_rate_limited_total",
			"Rate-limit answers (HTTP 429) from a platform's API, by platform.",
			"platform"),
		reconnects: counterVec("platform_reconnects_total",
			"New connections to a platform after a lost or closed one, by platform.",
			"platform"),
		queues: newQueueCollector(),
	}
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		r.events, r.replies, r.replyLatency, r.faq, r.votes, r.reminders, r.rateLimits, r.reconnects, r.queues,
	)
	// Outcomes are shown from the start, at zero, so that a dashboard's
	// rates exist before the first question or reminder.
	for _, o := range []string{bot.FAQAnswer, bot.FAQSuggest, bot.FAQClarify, bot.FAQAbstain, bot.FAQPassage} {
		r.faq.WithLabelValues(o)
	}
	for _, o := range []string{bot.ReminderPosted, bot.ReminderRetried, bot.ReminderFailed, bot.ReminderUncertain} {
		r.reminders.WithLabelValues(o)
	}
	return r
}

// counterVec returns a counter named namespace_name, by labels.
func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
}

// Handler serves the metrics in Prometheus's text format.
func (r *Recorder) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// Registry returns the registry, to add collectors of the program's own.
func (r *Recorder) Registry() *prometheus.Registry { return r.reg }

// AddPlatform shows the counters of a platform at zero from the start, and
// watches its queues when the adapter reports them.
func (r *Recorder) AddPlatform(a bot.Adapter) {
	p := a.Platform()
	for _, k := range []string{KindCommand, KindButton, KindText} {
		r.events.WithLabelValues(p, k)
	}
	for _, k := range []string{KindPublic, KindPrivate, KindCardUpdate} {
		r.replies.WithLabelValues(p, k)
	}
	r.replyLatency.WithLabelValues(p)
	r.rateLimits.WithLabelValues(p)
	r.reconnects.WithLabelValues(p)
	if q, ok := a.(bot.QueueReporter); ok {
		r.queues.add(p, q)
	}
}

// FAQOutcome counts a question by its outcome.
func (r *Recorder) FAQOutcome(outcome string) { r.faq.WithLabelValues(outcome).Inc() }

// VoteRecorded counts a committed vote.
func (r *Recorder) VoteRecorded() { r.votes.Inc() }

// ReminderPost counts an attempt to post a reminder by its outcome.
func (r *Recorder) ReminderPost(outcome string) { r.reminders.WithLabelValues(outcome).Inc() }

// RateLimited counts a platform's rate-limit answer.
func (r *Recorder) RateLimited(platform string) { r.rateLimits.WithLabelValues(platform).Inc() }

// Reconnected counts a new connection to a platform.
func (r *Recorder) Reconnected(platform string) { r.reconnects.WithLabelValues(platform).Inc() }

var _ bot.Metrics = (*Recorder)(nil)

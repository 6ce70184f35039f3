package faq

import (
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/unionhall/unionhall/bot"
)

// Config is what a Service is built from.
type Config struct {
	// Matcher answers questions: the knowledge base (see Load) indexed
	// with what stewards added (see OpenMatcher).
	Matcher *Matcher
	// Store keeps feedback, unanswered questions and questions answered
	// from passages, added phrasings and promoted entries.
	Store Store
	// Salt keys the hash that stands for members in the Store.
	Salt []byte
	// Contact says how to reach a steward (DefaultContact when empty).
	Contact string
	// Clock gives the time of records; the system clock when nil.
	Clock bot.Clock
	// Log receives failures to record; questions are never logged.
	// slog.Default when nil.
	Log *slog.Logger
	// Commands lists the registered commands (the Router's Commands), so
	// that free text that is a command typed without its slash ("vote 1
	// yes") gets a hint rather than an answer. Nil means no hints.
	Commands func() []bot.Command
	// Metrics counts questions by outcome; bot.NoMetrics when nil.
	Metrics bot.Metrics
}

// Service is the /faq command and the answer to free-text questions (DMs
// and mentions), over one Matcher and Store. New builds it.
type Service struct {
	Config

	seq atomic.Uint64 // numbers answer cards
}

// New returns a Service. It needs a Matcher, a Store and a Salt.
func New(cfg Config) (*Service, error) {
	if cfg.Matcher == nil || cfg.Store == nil || len(cfg.Salt) == 0 {
		return nil, errors.New("faq: a Matcher, a Store and a Salt are required")
	}
	cfg.Clock = bot.OrSystemClock(cfg.Clock)
	cfg.Log = bot.OrDefaultLogger(cfg.Log)
	cfg.Metrics = bot.OrNoMetrics(cfg.Metrics)
	return &Service{Config: cfg}, nil
}

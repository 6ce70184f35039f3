package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// Dispatcher returns d counting every message it is given and every reply
// its handlers send, and timing the first reply to each message.
func (r *Recorder) Dispatcher(d bot.Dispatcher) bot.Dispatcher {
	return dispatcher{r: r, next: d}
}

// dispatcher is the counting Dispatcher.
type dispatcher struct {
	r    *Recorder
	next bot.Dispatcher
}

// Dispatch counts m by its kind and passes it on through a counting
// ResponseWriter.
func (d dispatcher) Dispatch(ctx context.Context, w bot.ResponseWriter, m *bot.Message) {
	d.r.events.WithLabelValues(m.Platform, messageKind(m)).Inc()
	d.next.Dispatch(ctx, &writer{r: d.r, next: w, platform: m.Platform, start: d.r.clock.Now()}, m)
}

// messageKind tells a button click, a typed command and free text apart.
func messageKind(m *bot.Message) string {
	if m.Button {
		return KindButton
	}
	if _, _, isCmd := bot.SplitCommand(m.Text); isCmd {
		return KindCommand
	}
	return KindText
}

// writer counts the replies to one message and times the first.
type writer struct {
	r        *Recorder
	next     bot.ResponseWriter
	platform string
	start    time.Time
	first    sync.Once
}

// Reply sends rep and counts it once sent.
func (w *writer) Reply(ctx context.Context, rep bot.Reply) error {
	if err := w.next.Reply(ctx, rep); err != nil {
		return err
	}
	kind := KindPublic
	if rep.Private {
		kind = KindPrivate
	}
	w.r.replies.WithLabelValues(w.platform, kind).Inc()
	w.first.Do(func() {
		w.r.replyLatency.WithLabelValues(w.platform).Observe(w.r.clock.Now().Sub(w.start).Seconds())
	})
	return nil
}

// UpdateCard refreshes c and counts it once done.
func (w *writer) UpdateCard(ctx context.Context, c bot.Card) error {
	if err := w.next.UpdateCard(ctx, c); err != nil {
		return err
	}
	w.r.replies.WithLabelValues(w.platform, KindCardUpdate).Inc()
	return nil
}

package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
	"github.com/unionhall/unionhall/metrics"
)

// failingWriter refuses every reply, as a platform that is down would.
type failingWriter struct{}

func (failingWriter) Reply(context.Context, bot.Reply) error     { return errors.New("platform down") }
func (failingWriter) UpdateCard(context.Context, bot.Card) error { return errors.New("platform down") }

// dispatchFunc adapts a function to bot.Dispatcher.
type dispatchFunc func(ctx context.Context, w bot.ResponseWriter, m *bot.Message)

func (f dispatchFunc) Dispatch(ctx context.Context, w bot.ResponseWriter, m *bot.Message) {
	f(ctx, w, m)
}

// scrape returns the Recorder's metrics as Prometheus reads them.
func scrape(t *testing.T, r *metrics.Recorder) string {
	t.Helper()
	w := httptest.NewRecorder()
	r.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Result().Body)
	return string(body)
}

// want fails unless body has the sample series with value v.
func want(t *testing.T, body, series, v string) {
	t.Helper()
	if !strings.Contains(body, "\n"+series+" "+v+"\n") {
		t.Errorf("want %s %s in:\n%s", series, v, body)
	}
}

func TestDispatcherCountsMessagesRepliesAndTheFirstReplysLatency(t *testing.T) {
	clock := bot.NewManualClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	r := metrics.New(clock)
	d := r.Dispatcher(dispatchFunc(func(ctx context.Context, w bot.ResponseWriter, m *bot.Message) {
		clock.Advance(300 * time.Millisecond)
		w.Reply(ctx, bot.Reply{Text: "first", Private: m.Button})
		clock.Advance(10 * time.Second) // later replies do not count as latency
		w.Reply(ctx, bot.Reply{Text: "second"})
		w.UpdateCard(ctx, bot.Card{Key: "k"})
	}))
	ctx := context.Background()
	rec := &bottest.Recorder{}
	for _, m := range []*bot.Message{
		{Platform: bot.PlatformSlack, Text: "/vote 1 yes"},
		{Platform: bot.PlatformSlack, Text: "/vote 1 1", Button: true},
		{Platform: bot.PlatformSlack, Text: "is there a wage freeze?"},
	} {
		d.Dispatch(ctx, rec, m)
	}
	d.Dispatch(ctx, failingWriter{}, &bot.Message{Platform: bot.PlatformDiscord, Text: "/help"})

	body := scrape(t, r)
	want(t, body, `unionhall_events_received_total{kind="command",platform="slack"}`, "1")
	want(t, body, `unionhall_events_received_total{kind="button",platform="slack"}`, "1")
	want(t, body, `unionhall_events_received_total{kind="text",platform="slack"}`, "1")
	want(t, body, `unionhall_events_received_total{kind="command",platform="discord"}`, "1")
	want(t, body, `unionhall_replies_sent_total{kind="public",platform="slack"}`, "5")
	want(t, body, `unionhall_replies_sent_total{kind="private",platform="slack"}`, "1")
	want(t, body, `unionhall_replies_sent_total{kind="card_update",platform="slack"}`, "3")
	want(t, body, `unionhall_reply_latency_seconds_count{platform="slack"}`, "3")
	want(t, body, `unionhall_reply_latency_seconds_bucket{platform="slack",le="0.25"}`, "0")
	want(t, body, `unionhall_reply_latency_seconds_bucket{platform="slack",le="0.5"}`, "3")
	// Replies that failed are not counted as sent, nor timed.
	for _, series := range []string{`unionhall_replies_sent_total{kind="public",platform="discord"}`, `unionhall_reply_latency_seconds_count{platform="discord"}`} {
		if strings.Contains(body, series) {
			t.Errorf("a failed reply was counted: %s", series)
		}
	}
	if strings.Contains(body, "wage") || strings.Contains(body, "/vote") {
		t.Errorf("the metrics reveal a message's text:\n%s", body)
	}
}

func TestPlatformsAndOutcomesStartAtZero(t *testing.T) {
	r := metrics.New(nil)
	r.WatchOpenPolls(func(context.Context) (int, error) { return 4, nil })
	r.VoteRecorded()
	r.FAQOutcome(bot.FAQSuggest)
	r.ReminderPost(bot.ReminderUncertain)
	r.RateLimited(bot.PlatformDiscord)
	r.Reconnected(bot.PlatformDiscord)
	body := scrape(t, r)
	want(t, body, `unionhall_votes_recorded_total`, "1")
	want(t, body, `unionhall_polls_open`, "4")
	want(t, body, `unionhall_faq_questions_total{outcome="suggest"}`, "1")
	want(t, body, `unionhall_faq_questions_total{outcome="answer"}`, "0")
	want(t, body, `unionhall_reminder_posts_total{outcome="uncertain"}`, "1")
	want(t, body, `unionhall_reminder_posts_total{outcome="posted"}`, "0")
	want(t, body, `unionhall_platform_rate_limited_total{platform="discord"}`, "1")
	want(t, body, `unionhall_platform_reconnects_total{platform="discord"}`, "1")

	broken := metrics.New(nil)
	broken.WatchOpenPolls(func(context.Context) (int, error) { return 0, errors.New("database closed") })
	if body := scrape(t, broken); strings.Contains(body, "unionhall_polls_open ") {
		t.Errorf("a failed count was reported:\n%s", body)
	}
}

package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/unionhall/unionhall/bot"
)

// queueCollector reports the adapters' queue depths at each scrape, so the
// gauge is always the depth now rather than the last one pushed.
type queueCollector struct {
	desc *prometheus.Desc

	mu        sync.Mutex
	reporters map[string]bot.QueueReporter // by platform
}

func newQueueCollector() *queueCollector {
	return &queueCollector{
		desc: prometheus.NewDesc(namespace+"_queue_depth",
			"Jobs waiting or running in an adapter's queue, by platform and queue (in: messages being handled, out: posts and edits being sent).",
			[]string{"platform", "queue"}, nil),
		reporters: map[string]bot.QueueReporter{},
	}
}

func (c *queueCollector) add(platform string, q bot.QueueReporter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reporters[platform] = q
}

// Describe sends the one metric's description.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect asks every adapter for its queue depths.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p, q := range c.reporters {
		for queue, n := range q.QueueDepths() {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), p, queue)
		}
	}
}

// countTimeout bounds a database count made during a scrape.
const countTimeout = 2 * time.Second

// WatchOpenPolls reports unionhall_polls_open from count at each scrape,
// so the gauge is right from start-up and across restarts. A failed count
// leaves the gauge out of that scrape.
func (r *Recorder) WatchOpenPolls(count func(ctx context.Context) (int, error)) {
	r.reg.MustRegister(&countCollector{
		desc:  prometheus.NewDesc(namespace+"_polls_open", "Polls open for votes.", nil, nil),
		count: count,
	})
}

// countCollector is a gauge counted in the database at each scrape.
type countCollector struct {
	desc  *prometheus.Desc
	count func(ctx context.Context) (int, error)
}

// Describe sends the gauge's description.
func (c *countCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect counts and sends the gauge, or nothing when the count fails.
func (c *countCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), countTimeout)
	defer cancel()
	n, err := c.count(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}

package storetest

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/unionhall/unionhall/bot"
)

// post is one announcement a fake platform received.
type post struct {
	platform string
	text     string
	at       time.Time
}

// poster is a fake set of platforms with announcement channels.
type poster struct {
	platforms []string
	clock     bot.Clock
	// fail, when set, decides whether the nth attempt on a platform
	// (counting from 1) fails.
	fail func(platform, text string, n int) error

	mu       sync.Mutex
	posts    []post
	attempts map[string]int
}

func newPoster(clock bot.Clock, platforms ...string) *poster {
	return &poster{platforms: platforms, clock: clock, attempts: map[string]int{}}
}

func (p *poster) Announcers() []string { return p.platforms }

func (p *poster) AnnouncePlatform(_ context.Context, platform string, r bot.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.attempts[platform]++
	if p.fail != nil {
		if err := p.fail(platform, r.Text, p.attempts[platform]); err != nil {
			return err
		}
	}
	p.posts = append(p.posts, post{platform: platform, text: r.Text, at: p.clock.Now()})
	return nil
}

func (p *poster) all() []post {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]post(nil), p.posts...)
}

// count returns how many posts on platform contain s.
func (p *poster) count(platform, s string) int {
	n := 0
	for _, x := range p.all() {
		if x.platform == platform && strings.Contains(x.text, s) {
			n++
		}
	}
	return n
}

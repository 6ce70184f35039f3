package bottest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

func TestHubFailsTheNextPostsAndCards(t *testing.T) {
	ctx := context.Background()
	clock := bot.NewManualClock(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC))
	h := bottest.NewHub(clock, "console")
	h.FailPosts(2)
	h.FailCards(1)
	to := bot.Destination{Channel: "C1"}
	for i, want := range []error{bottest.ErrUnreachable, bottest.ErrUnreachable, nil} {
		if err := h.Send(ctx, "slack", to, bot.Reply{Text: "result"}); !errors.Is(err, want) {
			t.Errorf("post %d: %v, want %v", i+1, err, want)
		}
	}
	if err := h.UpdateCard(ctx, "slack", bot.Card{Key: "poll:1"}); !errors.Is(err, bottest.ErrUnreachable) {
		t.Errorf("first card update: %v", err)
	}
	clock.Advance(time.Minute)
	if err := h.UpdateCard(ctx, "slack", bot.Card{Key: "poll:1"}); err != nil {
		t.Errorf("second card update: %v", err)
	}
	if err := h.AnnouncePlatform(ctx, "console", bot.Reply{Text: "reminder"}); err != nil {
		t.Error(err)
	}
	posts := h.Posts()
	if len(posts) != 2 || posts[0].To != to || posts[0].Platform != "slack" || !posts[0].At.Equal(clock.Now().Add(-time.Minute)) ||
		posts[1].To != (bot.Destination{}) || posts[1].Reply.Text != "reminder" {
		t.Errorf("posts %+v", posts)
	}
	if h.Attempts() != 4 || len(h.Cards()) != 1 {
		t.Errorf("%d attempts and %d cards, want 4 and 1", h.Attempts(), len(h.Cards()))
	}
	if got := h.Announcers(); len(got) != 1 || got[0] != "console" {
		t.Errorf("announcers %v", got)
	}
}

func TestHubFailsEveryPostUntilToldOtherwise(t *testing.T) {
	ctx := context.Background()
	h := bottest.NewHub(nil)
	h.FailPosts(-1)
	for range 3 {
		if err := h.Send(ctx, "slack", bot.Destination{}, bot.Reply{}); err == nil {
			t.Fatal("a post got through")
		}
	}
	h.FailPosts(0)
	if err := h.Send(ctx, "slack", bot.Destination{}, bot.Reply{}); err != nil || len(h.Posts()) != 1 {
		t.Fatalf("%v, %d posts", err, len(h.Posts()))
	}
}

func TestHubFailWhenCountsAttemptsByPlatform(t *testing.T) {
	ctx := context.Background()
	h := bottest.NewHub(nil, "console", "slack")
	down := errors.New("slack is down")
	h.FailWhen(func(platform string, _ bot.Reply, attempt int) error {
		if platform == "slack" && attempt == 1 {
			return down
		}
		return nil
	})
	for _, c := range []struct {
		platform string
		want     error
	}{{"console", nil}, {"slack", down}, {"slack", nil}} {
		if err := h.AnnouncePlatform(ctx, c.platform, bot.Reply{Text: "Ballots are due"}); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.platform, err, c.want)
		}
	}
	if posts := h.Posts(); len(posts) != 2 || posts[1].Platform != "slack" {
		t.Errorf("posts %+v", posts)
	}
}

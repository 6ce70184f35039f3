package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

func TestCardLocationQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store := bottest.NewCardLocations()
	q := bot.NewCardLocationQueue("slack", store, nil)
	q.Save("poll:1", "C1/1")
	q.Save("poll:1", "C1/2")
	q.Forget("poll:1", "C1/1")
	q.Save("", "C1/3") // ignored: no key
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"save C1/1", "save C1/2", "forget C1/1"}; !slices.Equal(store.Ops(), want) {
		t.Fatalf("writes %v, want %v in order", store.Ops(), want)
	}
	// Concurrent loads of a key read the store once and adopt once.
	var mu sync.Mutex
	loaded := false
	var adopted [][]string
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := q.Load(ctx, "poll:1", func() bool { mu.Lock(); defer mu.Unlock(); return loaded }, func(l []string) {
				mu.Lock()
				defer mu.Unlock()
				adopted = append(adopted, l)
				loaded = true
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(adopted) != 1 || !slices.Equal(adopted[0], []string{"C1/2"}) || store.Reads() != 1 {
		t.Fatalf("adopted %v after %d reads, want [[C1/2]] after 1", adopted, store.Reads())
	}
}

func TestCardLocationQueueFailuresAreLoggedNotReturned(t *testing.T) {
	var logs bytes.Buffer
	store := bottest.NewCardLocations()
	store.Fail(errors.New("disk full"))
	q := bot.NewCardLocationQueue("discord", store, slog.New(slog.NewTextHandler(&logs, nil)))
	q.Save("poll:2", "c/m")
	if err := q.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "disk full") {
		t.Fatalf("failure not logged: %q", logs.String())
	}
	err := q.Load(context.Background(), "poll:2", func() bool { return false }, func([]string) { t.Error("adopted after a failed read") })
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Load error %v", err)
	}
	// A nil queue (no store configured) does nothing.
	var none *bot.CardLocationQueue
	none.Save("k", "l")
	none.Forget("k", "l")
	if err := none.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := none.Load(context.Background(), "k", func() bool { return false }, func([]string) { t.Error("nil queue adopted") }); err != nil {
		t.Fatal(err)
	}
}

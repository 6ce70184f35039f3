package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/reminders"
	"github.com/unionhall/unionhall/store"
)

// reminderAt stores a one-off reminder due at t.
func reminderAt(t testing.TB, s reminders.Store, text string, at, created time.Time) *reminders.Reminder {
	t.Helper()
	r := &reminders.Reminder{Kind: reminders.KindOnce, Text: text, Zone: "America/New_York", At: at, Next: at,
		CreatedBy: "console:steward", CreatedAt: created}
	must(t, s.CreateReminder(context.Background(), r))
	return r
}

// testClaimOccurrencesOnce: many callers in several processes claim the
// same occurrence at once; exactly one gets its deliveries, one per
// platform, in state sending, with the occurrence in UTC to the
// millisecond. A claim whose From is no longer the reminder's next
// occurrence is ignored; a delivery row that exists already is left
// alone (the reminder still advances); a skipped occurrence is recorded
// with its note and not returned.
func testClaimOccurrencesOnce(t *testing.T, eng Engine) {
	ctx := context.Background()
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, time.UTC)
	handles := fresh(t, eng, bot.NewManualClock(start)).openN(4)
	due := start.Add(time.Hour + 250*time.Millisecond + 400*time.Microsecond)
	r := reminderAt(t, handles[0].Reminders, "Ballots go out today", due, start)
	now := due.Add(time.Second).Truncate(time.Millisecond)
	claim := reminders.Claim{ReminderID: r.ID, From: due, Occurrence: due, Platforms: []string{"console", "slack"}, State: reminders.StateSending}

	var mu sync.Mutex
	var got [][]reminders.Delivery
	together(12, func(i int) {
		ds, err := handles[i%len(handles)].Reminders.ClaimOccurrences(ctx, []reminders.Claim{claim}, now)
		if err != nil {
			t.Error(err)
			return
		}
		if len(ds) > 0 {
			mu.Lock()
			got = append(got, ds)
			mu.Unlock()
		}
	})
	if len(got) != 1 || len(got[0]) != 2 {
		t.Fatalf("claims that got deliveries: %+v, want one with two", got)
	}
	for i, d := range got[0] {
		want := reminders.Delivery{ReminderID: r.ID, Occurrence: due.Truncate(time.Millisecond), Platform: claim.Platforms[i], State: reminders.StateSending, UpdatedAt: now}
		if d.ReminderID != want.ReminderID || d.Platform != want.Platform || d.State != want.State ||
			!d.Occurrence.Equal(want.Occurrence) || d.Occurrence.Location() != time.UTC || !d.UpdatedAt.Equal(now) {
			t.Errorf("delivery %+v, want %+v", d, want)
		}
	}
	s := handles[1].Reminders
	if up, err := s.UpcomingReminders(ctx); err != nil || len(up) != 0 {
		t.Fatalf("a claimed one-off is still upcoming: %+v %v", up, err)
	}

	// Stale, existing and skipped claims.
	cron := &reminders.Reminder{Kind: reminders.KindCron, Text: "Hourly", Zone: "UTC", Spec: "0 * * * *", Next: start.Add(time.Hour),
		CreatedBy: "console:steward", CreatedAt: start}
	must(t, s.CreateReminder(ctx, cron))
	first := reminders.Claim{ReminderID: cron.ID, From: start.Add(time.Hour), Next: start.Add(2 * time.Hour), Occurrence: start.Add(time.Hour),
		Platforms: []string{"console"}, State: reminders.StateSending}
	stale := first
	stale.From = start
	if ds, err := s.ClaimOccurrences(ctx, []reminders.Claim{stale}, now); err != nil || len(ds) != 0 {
		t.Fatalf("stale claim: %+v %v", ds, err)
	}
	if ds, err := s.ClaimOccurrences(ctx, []reminders.Claim{first}, now); err != nil || len(ds) != 1 {
		t.Fatalf("first claim: %+v %v", ds, err)
	}
	again := first
	again.From, again.Next = first.Next, start.Add(3*time.Hour)
	if ds, err := s.ClaimOccurrences(ctx, []reminders.Claim{again}, now); err != nil || len(ds) != 0 {
		t.Fatalf("claim of an occurrence already recorded: %+v %v", ds, err)
	}
	if got, err := s.Reminder(ctx, cron.ID); err != nil || !got.Next.Equal(start.Add(3*time.Hour)) {
		t.Fatalf("the reminder did not advance: %+v %v", got, err)
	}
	skip := reminders.Claim{ReminderID: cron.ID, From: start.Add(3 * time.Hour), Next: start.Add(4 * time.Hour), Occurrence: start.Add(3 * time.Hour),
		Platforms: []string{"console"}, State: reminders.StateSkipped, Note: "too late"}
	if ds, err := s.ClaimOccurrences(ctx, []reminders.Claim{skip}, now); err != nil || len(ds) != 0 {
		t.Fatalf("skipped claim: %+v %v", ds, err)
	}
	problems, err := s.Problems(ctx, start)
	if err != nil || len(problems) != 1 || problems[0].State != reminders.StateSkipped || problems[0].Error != "too late" ||
		problems[0].Reminder == nil || problems[0].Reminder.Text != "Hourly" {
		t.Fatalf("problems %+v %v", problems, err)
	}
}

// testClaimRetryOnce: a failed post waits in state retry until its next
// try (DueRetries, NextWake); processes racing to claim it find exactly
// one winner; an outcome is recorded once, on a delivery in state sending
// (or uncertain, which it corrects), and only as sent, retry, failed or
// cancelled. MarkInterrupted turns every delivery in state sending into
// an uncertain one, with store.InterruptedNote.
func testClaimRetryOnce(t *testing.T, eng Engine) {
	ctx := context.Background()
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, time.UTC)
	handles := fresh(t, eng, bot.NewManualClock(start)).openN(4)
	s := handles[0].Reminders
	due := start.Add(time.Hour)
	r := reminderAt(t, s, "Ballots go out today", due, start)
	ds, err := s.ClaimOccurrences(ctx, []reminders.Claim{{ReminderID: r.ID, From: due, Occurrence: due, Platforms: []string{"slack", "discord"}, State: reminders.StateSending}}, due)
	if err != nil || len(ds) != 2 {
		t.Fatalf("claimed %+v %v", ds, err)
	}
	slack, discord := ds[0], ds[1]
	if err := s.FinishDelivery(ctx, reminders.Delivery{ReminderID: r.ID, Occurrence: due, Platform: "slack", State: reminders.StateSkipped}, due); err == nil {
		t.Fatal("recorded a post as skipped")
	}
	retry := slack
	retry.State, retry.Attempts, retry.NextTry, retry.Error = reminders.StateRetry, 1, due.Add(10*time.Second), "slack is down"
	must(t, s.FinishDelivery(ctx, retry, due))
	if next, err := s.NextWake(ctx); err != nil || !next.Equal(retry.NextTry) {
		t.Fatalf("next wake %v %v, want the retry at %v", next, err, retry.NextTry)
	}
	if due, err := s.DueRetries(ctx, retry.NextTry.Add(-time.Millisecond), 10); err != nil || len(due) != 0 {
		t.Fatalf("retries due early: %+v %v", due, err)
	}
	waiting, err := s.DueRetries(ctx, retry.NextTry, 10)
	if err != nil || len(waiting) != 1 {
		t.Fatalf("due retries %+v %v", waiting, err)
	}
	if w := waiting[0]; w.Platform != "slack" || w.State != reminders.StateRetry || w.Attempts != 1 || w.Error != "slack is down" ||
		!w.NextTry.Equal(retry.NextTry) || w.Reminder == nil || w.Reminder.Text != "Ballots go out today" {
		t.Fatalf("due retry %+v", w)
	}

	won := make([]bool, 12)
	together(len(won), func(i int) {
		var err error
		if won[i], err = handles[i%len(handles)].Reminders.ClaimRetry(ctx, waiting[0], retry.NextTry); err != nil {
			t.Error(err)
		}
	})
	if n := trues(won); n != 1 {
		t.Fatalf("%d claims of one retry won", n)
	}
	sent := waiting[0]
	sent.State, sent.Attempts, sent.Error = reminders.StateSent, 2, ""
	must(t, handles[2].Reminders.FinishDelivery(ctx, sent, retry.NextTry))
	if err := handles[3].Reminders.FinishDelivery(ctx, sent, retry.NextTry); err == nil {
		t.Fatal("recorded the outcome of a post that was not under way")
	}

	// The discord post was under way when the process stopped.
	marked, err := handles[1].Reminders.MarkInterrupted(ctx, due.Add(time.Minute))
	if err != nil || len(marked) != 1 || marked[0].Platform != "discord" || marked[0].State != reminders.StateUncertain || !marked[0].Occurrence.Equal(due) {
		t.Fatalf("marked %+v %v", marked, err)
	}
	problems, err := s.Problems(ctx, due)
	if err != nil || len(problems) != 1 || problems[0].State != reminders.StateUncertain || problems[0].Error != store.InterruptedNote {
		t.Fatalf("problems %+v %v", problems, err)
	}
	discord.State, discord.Attempts = reminders.StateSent, 1
	must(t, s.FinishDelivery(ctx, discord, due.Add(2*time.Minute)))
	if problems, err := s.Problems(ctx, due); err != nil || len(problems) != 0 {
		t.Fatalf("problems after the correction %+v %v", problems, err)
	}
	if next, err := s.NextWake(ctx); err != nil || !next.IsZero() {
		t.Fatalf("next wake %v %v, want none", next, err)
	}
}

// testRemindersStored: reminders and deadlines read back as stored, times
// in UTC to the millisecond; lists come soonest first, a deadline's lead
// reminders longest lead first; missing or deleted reminders and
// deadlines are bot.ENOTFOUND errors (DeadlineByKey: nil), and a deleted
// deadline keeps its record.
func testRemindersStored(t *testing.T, eng Engine) {
	ctx := context.Background()
	start := time.Date(2026, 8, 3, 8, 0, 0, 0, time.UTC)
	d := fresh(t, eng, bot.NewManualClock(start))
	first := d.open()
	s := first.Reminders
	at := start.Add(48*time.Hour + 1500*time.Microsecond)
	once := reminderAt(t, s, "Ballots go out", at, start)
	every := &reminders.Reminder{Kind: reminders.KindCron, Text: "Check in", Zone: "UTC", Spec: "@every 90m", Anchor: start,
		Next: start.Add(90 * time.Minute), CreatedBy: "console:steward", CreatedAt: start}
	must(t, s.CreateReminder(ctx, every))
	deadline := &reminders.Deadline{Key: "ratification", Name: "Ratification deadline", At: start.Add(30 * 24 * time.Hour), Zone: "America/New_York",
		Yearly: true, Note: "Vote!", CreatedBy: reminders.ByConfig, CreatedAt: start,
		Leads: []*reminders.Reminder{
			{Zone: "America/New_York", Lead: 24 * time.Hour, Next: start.Add(29 * 24 * time.Hour), CreatedBy: reminders.ByConfig, CreatedAt: start},
			{Zone: "America/New_York", Lead: 7 * 24 * time.Hour, Next: start.Add(23 * 24 * time.Hour), CreatedBy: reminders.ByConfig, CreatedAt: start},
		}}
	must(t, s.CreateDeadline(ctx, deadline))
	chat := &reminders.Deadline{Name: "Survey closes", At: start.Add(10 * 24 * time.Hour), Zone: "UTC", CreatedBy: "console:steward", CreatedAt: start}
	must(t, s.CreateDeadline(ctx, chat))
	if deadline.ID == 0 || chat.ID == 0 || deadline.Leads[0].ID == 0 || deadline.Leads[1].ID == 0 {
		t.Fatalf("IDs not set: %+v %+v", deadline, chat)
	}

	closeStores(t, first)
	s = d.open().Reminders
	got, err := s.Reminder(ctx, once.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *once
	want.At, want.Next = at.Truncate(time.Millisecond), at.Truncate(time.Millisecond)
	if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("stored %+v\nread   %+v", want, *got)
	}
	if got, err := s.Reminder(ctx, every.ID); err != nil || got.Spec != "@every 90m" || !got.Anchor.Equal(start) || got.Kind != reminders.KindCron {
		t.Fatalf("cron reminder %+v %v", got, err)
	}
	upcoming, err := s.UpcomingReminders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var order []int64
	for _, r := range upcoming {
		order = append(order, r.ID)
	}
	if want := []int64{every.ID, once.ID, deadline.Leads[1].ID, deadline.Leads[0].ID}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("upcoming %v, want %v", order, want)
	}
	if lead := upcoming[3]; lead.Kind != reminders.KindLead || lead.Deadline == nil || lead.Deadline.Name != "Ratification deadline" || lead.Lead != 24*time.Hour {
		t.Fatalf("lead reminder %+v", lead)
	}

	byKey, err := s.DeadlineByKey(ctx, "ratification")
	if err != nil || byKey == nil || byKey.ID != deadline.ID || !byKey.Yearly || byKey.Note != "Vote!" || !byKey.At.Equal(deadline.At) || len(byKey.Leads) != 2 ||
		byKey.Leads[0].Lead != 7*24*time.Hour || byKey.Leads[0].Deadline != byKey {
		t.Fatalf("deadline by key %+v %v", byKey, err)
	}
	if none, err := s.DeadlineByKey(ctx, "missing"); err != nil || none != nil {
		t.Fatalf("missing key: %+v %v", none, err)
	}
	if keys, err := s.DeadlineKeys(ctx); err != nil || fmt.Sprint(keys) != "[ratification]" {
		t.Fatalf("keys %v %v", keys, err)
	}
	ds, err := s.Deadlines(ctx)
	if err != nil || len(ds) != 2 || ds[0].ID != chat.ID || ds[1].ID != deadline.ID || len(ds[1].Leads) != 2 || len(ds[0].Leads) != 0 {
		t.Fatalf("deadlines %+v %v", ds, err)
	}

	for _, err := range []error{
		func() error { _, err := s.Reminder(ctx, 999); return err }(),
		s.DeleteReminder(ctx, 999, "console:steward", start),
		s.DeleteDeadline(ctx, 999, "console:steward", start),
	} {
		if bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("missing: %v, want ENOTFOUND", err)
		}
	}
	must(t, s.DeleteDeadline(ctx, deadline.ID, "console:steward", start.Add(time.Hour)))
	if err := s.DeleteDeadline(ctx, deadline.ID, "console:steward", start.Add(time.Hour)); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("deleted twice: %v", err)
	}
	if _, err := s.Reminder(ctx, deadline.Leads[0].ID); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("a deleted deadline's reminder: %v", err)
	}
	byKey, err = s.DeadlineByKey(ctx, "ratification")
	if err != nil || byKey == nil || !byKey.DeletedAt.Equal(start.Add(time.Hour)) || byKey.DeletedBy != "console:steward" || len(byKey.Leads) != 2 || byKey.Leads[0].DeletedAt.IsZero() {
		t.Fatalf("deleted deadline by key %+v %v", byKey, err)
	}
	if keys, err := s.DeadlineKeys(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("keys after deleting %v %v", keys, err)
	}
	if ds, err := s.Deadlines(ctx); err != nil || len(ds) != 1 || ds[0].ID != chat.ID {
		t.Fatalf("deadlines after deleting %+v %v", ds, err)
	}
}

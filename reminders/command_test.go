package reminders

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/bot/bottest"
)

func TestParseAdd(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	now := time.Date(2026, 7, 20, 10, 0, 0, 0, ny) // a Monday
	cases := []struct {
		raw      string
		kind     Kind
		next     string // in New York
		text     string
		spec     string
		zoneName string
	}{
		{raw: "in 2h Ballots are due Friday", kind: KindOnce, next: "Jul 20 12:00", text: "Ballots are due Friday"},
		{raw: "2026-08-31 17:00 Ratification vote closes", kind: KindOnce, next: "Aug 31 17:00", text: "Ratification vote closes"},
		{raw: "Aug 31 5pm Last day to vote", kind: KindOnce, next: "Aug 31 17:00", text: "Last day to vote"},
		{raw: "Aug 31 Vote!", kind: KindOnce, next: "Aug 31 09:00", text: "Vote!"},
		{raw: "tomorrow 9:00   keep  the   spacing", kind: KindOnce, next: "Jul 21 09:00", text: "keep  the   spacing"},
		{raw: `"in 3 days" 10 members still need ballots`, kind: KindOnce, next: "Jul 23 10:00", text: "10 members still need ballots"},
		{raw: "0 9 * * MON Weekly vote status", kind: KindCron, next: "Jul 27 09:00", text: "Weekly vote status", spec: "0 9 * * MON"},
		{raw: `"0 9 * * 1-5" Weekday check-in`, kind: KindCron, next: "Jul 21 09:00", text: "Weekday check-in", spec: "0 9 * * 1-5"},
		{raw: "@daily Daily digest", kind: KindCron, next: "Jul 21 00:00", text: "Daily digest", spec: "@daily"},
		{raw: "@every 24h Same time tomorrow", kind: KindCron, next: "Jul 21 10:00", text: "Same time tomorrow", spec: "@every 24h"},
		{raw: "CRON_TZ=Europe/London 0 9 * * * Good morning, London", kind: KindCron, next: "Jul 21 04:00", text: "Good morning, London", spec: "CRON_TZ=Europe/London 0 9 * * *", zoneName: "Europe/London"},
		{raw: "0 9 * * * <@here> *bold* `code`", kind: KindCron, next: "Jul 21 09:00", text: "<@here> *bold* `code`", spec: "0 9 * * *"},
		// A text that is one quoted argument (Discord always sends it so)
		// loses its quotes; escapes are read as bot.Tokenize reads them.
		{raw: `in 2s "quoted text"`, kind: KindOnce, next: "Jul 20 10:00", text: "quoted text"},
		{raw: `in 2h "Vote \"yes\" by 5 \\ Friday"`, kind: KindOnce, next: "Jul 20 12:00", text: `Vote "yes" by 5 \ Friday`},
		{raw: "in 2h “Curly quotes”", kind: KindOnce, next: "Jul 20 12:00", text: "Curly quotes"},
		{raw: `0 9 * * MON "Weekly vote status"`, kind: KindCron, next: "Jul 27 09:00", text: "Weekly vote status", spec: "0 9 * * MON"},
		{raw: `"in 3 days" "Both quoted"`, kind: KindOnce, next: "Jul 23 10:00", text: "Both quoted"},
		// Anything else is kept as typed.
		{raw: `in 2h "Ballots" are due`, kind: KindOnce, next: "Jul 20 12:00", text: `"Ballots" are due`},
		{raw: `in 2h "Ballots" "due"`, kind: KindOnce, next: "Jul 20 12:00", text: `"Ballots" "due"`},
		{raw: `in 2h "Unclosed`, kind: KindOnce, next: "Jul 20 12:00", text: `"Unclosed`},
	}
	for _, c := range cases {
		r, err := ParseAdd(c.raw, now, ny)
		if err != nil {
			t.Errorf("ParseAdd(%q): %v", c.raw, err)
			continue
		}
		zoneName := c.zoneName
		if zoneName == "" {
			zoneName = "America/New_York"
		}
		if r.Kind != c.kind || r.Text != c.text || r.Spec != c.spec || r.Zone != zoneName ||
			r.Next.In(ny).Format("Jan 2 15:04") != c.next {
			t.Errorf("ParseAdd(%q) = kind %s text %q spec %q zone %s next %s; want %s %q %q %s %s",
				c.raw, r.Kind, r.Text, r.Spec, r.Zone, r.Next.In(ny).Format("Jan 2 15:04"), c.kind, c.text, c.spec, zoneName, c.next)
		}
	}
}

func TestParseAddErrors(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	now := time.Date(2026, 7, 20, 10, 0, 0, 0, ny)
	long := strings.Repeat("x", MaxTextLength+1)
	cases := map[string]string{
		"":                                 "Tell me when",
		"0 9 * * FUNDAY Vote":              "not a valid cron spec",
		"61 9 * * * Vote":                  "not a valid cron spec",
		"2026-07-01 09:00 Too late":        "that time has passed",
		"today 8:00 Too late":              "that time has passed",
		"CRON_TZ=Mars/Olympus 0 9 * * * x": `Unknown time zone "Mars/Olympus"`,
		"in 2h":                            "What should the reminder say?",
		"0 9 * * MON":                      "What should the reminder say?",
		"in 2h " + long:                    "too long: 2001 characters",
		"0 9 * * MON " + long:              "too long",
		"whenever Vote":                    "can't tell when",
		"* 9 * * MON Vote status":          "at most once an hour",
		"0 0 30 2 * Never":                 "never fires",
		`"in 2h Unclosed`:                  "quote is not closed",
		`"someday" Vote`:                   "can't read \"someday\"",
		`in 2h ""`:                         "What should the reminder say?",
		`in 2h "   "`:                      "What should the reminder say?",
		`0 9 * * MON ""`:                   "What should the reminder say?",
		`in 2h "` + long + `"`:             "too long: 2001 characters",
	}
	for raw, want := range cases {
		_, err := ParseAdd(raw, now, ny)
		if bot.ErrorCode(err) != bot.EINVALID || !strings.Contains(bot.ErrorMessage(err), want) {
			t.Errorf("ParseAdd(%q) = %v, want EINVALID containing %q", raw, err, want)
		}
	}
	// Exactly the limit is fine.
	if _, err := ParseAdd("in 2h "+strings.Repeat("é", MaxTextLength), now, ny); err != nil {
		t.Errorf("2,000 characters refused: %v", err)
	}
}

// TestParseAddLongestTimeDecides: when the longest run of leading words
// that reads as a time has passed, that is the error; a shorter run (the
// date alone, at 9:00) is not read instead, which would turn the rest of
// the time into text.
func TestParseAddLongestTimeDecides(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, ny)
	for _, raw := range []string{"2026-11-23 01:00 past today", "2026-11-23 1am past today", "today 01:00 Vote"} {
		r, err := ParseAdd(raw, now, ny)
		if bot.ErrorCode(err) != bot.EINVALID || !strings.Contains(bot.ErrorMessage(err), "that time has passed") {
			t.Errorf("ParseAdd(%q) = %+v, %v; want EINVALID \"that time has passed\"", raw, r, err)
		}
	}
	// The date alone, followed by text, is still 9:00 that day.
	r, err := ParseAdd("2026-11-23 Vote today", now, ny)
	if err != nil || r.Text != "Vote today" || r.Next.In(ny).Format("Jan 2 15:04") != "Nov 23 09:00" {
		t.Errorf("date alone: %+v, %v", r, err)
	}
}

func TestPostText(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	occ := time.Date(2026, 8, 24, 17, 0, 0, 0, ny)
	d := &Deadline{Name: "Ratification deadline", At: time.Date(2026, 8, 31, 17, 0, 0, 0, ny), Zone: "America/New_York", Note: "Vote before Aug. 31."}
	lead := &Reminder{Kind: KindLead, Lead: 7 * 24 * time.Hour, Deadline: d}
	got := PostText(lead, occ, occ.Add(300*time.Millisecond), ny)
	want := "Reminder: Ratification deadline is in 7 days, on Mon Aug 31, 2026 5:00 PM EDT.\nVote before Aug. 31."
	if got != want {
		t.Fatalf("on time:\n got %q\nwant %q", got, want)
	}
	late := PostText(lead, occ, occ.Add(2*time.Hour), ny)
	if !strings.Contains(late, "(late: was due at Mon Aug 24, 2026 5:00 PM EDT)") || !strings.Contains(late, "in 7 days") {
		t.Fatalf("late: %q", late)
	}
	once := &Reminder{Kind: KindOnce, Text: "<b>Bring</b> your card"}
	if got := PostText(once, occ, occ, ny); got != "Reminder: <b>Bring</b> your card" {
		t.Fatalf("once: %q", got)
	}
}

// memStore is an in-memory Store with what the command handlers use. The
// Router calls the handlers in the test's goroutine, so it needs no lock.
type memStore struct {
	Store // the scheduler's methods are not used here
	rs    []*Reminder
	ds    []*Deadline
	id    int64
}

func (m *memStore) CreateReminder(_ context.Context, r *Reminder) error {
	m.id++
	r.ID = m.id
	m.rs = append(m.rs, r)
	return nil
}

func (m *memStore) Reminder(_ context.Context, id int64) (*Reminder, error) {
	for _, r := range m.rs {
		if r.ID == id && r.DeletedAt.IsZero() {
			return r, nil
		}
	}
	return nil, bot.Errorf(bot.ENOTFOUND, "There is no reminder R%d.", id)
}

func (m *memStore) UpcomingReminders(context.Context) ([]*Reminder, error) {
	var out []*Reminder
	for _, r := range m.rs {
		if r.DeletedAt.IsZero() && !r.Next.IsZero() {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Next.Before(out[j].Next) })
	return out, nil
}

func (m *memStore) DeleteReminder(ctx context.Context, id int64, by string, at time.Time) error {
	r, err := m.Reminder(ctx, id)
	if err != nil {
		return err
	}
	r.DeletedAt, r.DeletedBy = at, by
	return nil
}

func (m *memStore) CreateDeadline(_ context.Context, d *Deadline) error {
	d.ID = int64(len(m.ds) + 1)
	m.ds = append(m.ds, d)
	for _, r := range d.Leads {
		m.id++
		r.ID, r.DeadlineID = m.id, d.ID
		m.rs = append(m.rs, r)
	}
	return nil
}

func (m *memStore) Deadlines(context.Context) ([]*Deadline, error) {
	var out []*Deadline
	for _, d := range m.ds {
		if d.DeletedAt.IsZero() {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *memStore) DeleteDeadline(_ context.Context, id int64, by string, at time.Time) error {
	for _, d := range m.ds {
		if d.ID == id && d.DeletedAt.IsZero() {
			d.DeletedAt = at
			for _, r := range d.Leads {
				r.DeletedAt = at
			}
			return nil
		}
	}
	return bot.Errorf(bot.ENOTFOUND, "There is no deadline D%d.", id)
}

func (m *memStore) Problems(context.Context, time.Time) ([]Delivery, error) { return nil, nil }

func (m *memStore) count() int {
	return len(m.rs) + len(m.ds)
}

func newTestRouter(t *testing.T) (*bot.Router, *memStore, *int) {
	t.Helper()
	ny := mustZone(t, "America/New_York")
	st := &memStore{}
	notified := 0
	svc := &Service{Config: Config{Store: st, Clock: bot.NewManualClock(time.Date(2026, 7, 20, 10, 0, 0, 0, ny)), Location: ny},
		Notify: func() { notified++ }}
	router := bot.NewRouter(bot.StewardSet{"console:steward": true}, nil)
	for _, c := range svc.Commands() {
		router.Register(c)
	}
	return router, st, &notified
}

func say(router *bot.Router, user, text string) *bottest.Recorder {
	rec := &bottest.Recorder{}
	router.Dispatch(context.Background(), rec, bottest.Message(user, text))
	return rec
}

func TestHandlersRefuseMembers(t *testing.T) {
	router, st, _ := newTestRouter(t)
	for _, cmd := range []string{
		"/remind add in 2h Vote",
		"/remind add garbage",
		"/remind delete 1",
		`/deadline add "Vote" Aug 31 17:00`,
		"/deadline delete 1",
	} {
		rec := say(router, "member", cmd)
		if rs := rec.Replies(); len(rs) != 1 || !rs[0].Private || !strings.Contains(rs[0].Text, "Only stewards can") {
			t.Errorf("%s by a member: %+v", cmd, rs)
		}
	}
	if st.count() != 0 {
		t.Fatal("a member changed reminders")
	}
}

func TestHandlersAddListDelete(t *testing.T) {
	router, _, notified := newTestRouter(t)
	rec := say(router, "steward", "/remind add 0 9 * * MON Weekly vote status")
	if got := rec.Text(); !strings.Contains(got, "Recurring reminder R1 set") || !strings.Contains(got, "Mon Jul 27, 2026 9:00 AM EDT (in 7 days)") {
		t.Fatalf("add: %q", got)
	}
	rec = say(router, "steward", `/deadline add "Ballots due" Aug 31 17:00 --lead 14d,1d`)
	if got := rec.Text(); !strings.Contains(got, "Deadline D1 added: Ballots due, Mon Aug 31, 2026 5:00 PM EDT") || !strings.Contains(got, "14 days and 1 day before") {
		t.Fatalf("deadline add: %q", got)
	}
	rec = say(router, "member", "/remind list")
	got := rec.Text()
	if !rec.Replies()[0].Private {
		t.Error("list is not private")
	}
	for _, want := range []string{
		"R1  Mon Jul 27, 2026 9:00 AM EDT (in 7 days): every \"0 9 * * MON\": Weekly vote status",
		"R2  Mon Aug 17, 2026 5:00 PM EDT (in 28 days): Ballots due, 14 days before",
		"R3  Sun Aug 30, 2026 5:00 PM EDT (in 41 days): Ballots due, 1 day before",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("list lacks %q:\n%s", want, got)
		}
	}
	if strings.Index(got, "R1 ") > strings.Index(got, "R2 ") {
		t.Error("list is not in time order")
	}
	for _, step := range []struct{ user, text, want string }{
		{"member", "/deadline list", "D1  Ballots due: Mon Aug 31, 2026 5:00 PM EDT (in 42 days). Reminders 14 days and 1 day before."},
		{"steward", "/remind delete D1", "D1 is a deadline, not a reminder: delete it with /deadline delete D1."},
		{"steward", "/deadline delete r2", "R2 is a reminder, not a deadline: delete it with /remind delete R2."},
		{"steward", "/remind delete r1", "Reminder R1 deleted"},
		{"steward", "/remind delete #1", "There is no reminder R1"},
		{"steward", "/remind delete 1", "There is no reminder R1"},
		{"steward", "/deadline delete D1", "Deadline D1 deleted (Ballots due)"},
		{"member", "/remind list", "No upcoming reminders."},
	} {
		if got := say(router, step.user, step.text).Text(); !strings.Contains(got, step.want) {
			t.Fatalf("%s> %s: %q, want %q", step.user, step.text, got, step.want)
		}
	}
	if *notified != 4 {
		t.Errorf("scheduler notified %d times, want 4 (two adds, two deletes)", *notified)
	}
}

func TestHandlersBadInputChangesNothing(t *testing.T) {
	router, st, notified := newTestRouter(t)
	for cmd, want := range map[string]string{
		"/remind add 0 9 * * FUNDAY Vote":                         "not a valid cron spec",
		"/remind add 2026-07-01 09:00 Vote":                       "that time has passed",
		"/remind add CRON_TZ=Mars/Olympus 0 9 * * * Vote":         "Unknown time zone",
		"/remind add in 2h":                                       "What should the reminder say?",
		"/remind add in 2h " + strings.Repeat("a", 2001):          "too long",
		"/remind frobnicate":                                      "I don't know /remind frobnicate",
		"/remind delete abc":                                      "is not a reminder number",
		`/deadline add "Vote" 2026-07-01 09:00`:                   "that time has passed",
		`/deadline add "Vote" today 9:30 --lead 1h`:               "that time has passed",
		`/remind add in 2h ""`:                                    "What should the reminder say?",
		`/deadline add "Vote"`:                                    "When is",
		`/deadline add "Vote" Aug 31 --lead 7x`:                   "--lead takes lead times",
		`/deadline add "Vote" Aug 31 --tz Mars/Olympus`:           "Unknown time zone",
		`/deadline add "Vote" in 1h --lead 7d,1d`:                 "would already have passed",
		`/deadline add "` + strings.Repeat("n", 201) + `" Aug 31`: "name is too long",
	} {
		rec := say(router, "steward", cmd)
		rs := rec.Replies()
		if len(rs) != 1 || !rs[0].Private || !strings.Contains(rs[0].Text, want) {
			t.Errorf("%.60s: got %+v, want a private reply containing %q", cmd, rs, want)
		}
	}
	if st.count() != 0 || *notified != 0 {
		t.Fatalf("bad input changed something: %d rows, %d notifications", st.count(), *notified)
	}
}

package migrate_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/faq"
	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/reminders"
	"github.com/unionhall/unionhall/store/migrate"
	"github.com/unionhall/unionhall/store/postgres"
	"github.com/unionhall/unionhall/store/postgres/pgtest"
	"github.com/unionhall/unionhall/store/sqlite"
	"github.com/unionhall/unionhall/store/storetest"
)

func openSQLite(t *testing.T, clock bot.Clock) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "unionhall.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openPostgres opens a fresh PostgreSQL database with the store's schema,
// and a connection for the copy.
func openPostgres(t *testing.T, clock bot.Clock) (*postgres.DB, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	url := pgtest.Fresh(t)
	db, err := postgres.Open(ctx, url, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return db, conn
}

// TestEveryTableIsCopied fails when a migration adds a table to SQLite's
// schema that the copy does not name, and when a named table is not in
// the schema.
func TestEveryTableIsCopied(t *testing.T) {
	db := openSQLite(t, nil)
	ctx := context.Background()
	missing, err := migrate.Uncopied(ctx, db.Reader())
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("tables not copied by migrate: %v (add them to migrate.Tables)", missing)
	}
	for _, tb := range migrate.Tables() {
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, tb.Name).Scan(&n); err != nil || n != 1 {
			t.Errorf("migrate.Tables names %s, which SQLite's schema lacks (%v)", tb.Name, err)
		}
	}
}

// installation is what fill stores, to compare after the copy.
type installation struct {
	pollIDs     []int64
	reminderID  int64
	salt        string
	since       time.Time
	cardKey     string
	deadlineKey string
}

// fill stores some of everything in s: a setting, FAQ records, an open
// and a closed open ballot with units, an open secret ballot, a deadline,
// a reminder with a failed delivery, and card locations.
func fill(t *testing.T, s *storetest.Stores, clock *bot.ManualClock) installation {
	t.Helper()
	ctx := context.Background()
	var in installation
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	in.salt, err = s.Settings.SettingOrInit(ctx, "faq_member_salt", func() (string, error) { return "pepper", nil })
	must(err)
	now := clock.Now()
	must(s.FAQ.RecordFeedback(ctx, faq.Feedback{EntryID: "dues", Member: "h1", Helpful: true, At: now}))
	must(s.FAQ.RecordUnanswered(ctx, faq.Unanswered{Key: "parking", Member: "h2", Question: "Where do I park?", Outcome: faq.Abstain, At: now}))
	_, err = s.FAQ.AddPhrasing(ctx, faq.Phrasing{EntryID: "dues", Text: "how much are dues", Member: "console:steward", At: now})
	must(err)
	must(s.FAQ.RecordPassageAnswer(ctx, faq.PassageAnswer{Key: "jury duty pay", Member: "h3", Question: "Jury duty pay?", Citation: "Article 15, Section 15.8 (Jury Duty)", Ref: "15.8", At: now}))
	_, err = s.FAQ.AddPromotion(ctx, faq.Promotion{EntryID: "jury-duty", Topic: "Jury Duty", Question: "Jury duty pay?", Answer: "Paid.", Citation: "Article 15, Section 15.8 (Jury Duty)", Ref: "15.8", Member: "h4", At: now})
	must(err)

	for i, secret := range []bool{false, false} {
		p := &polls.Poll{Question: "Strike?", Options: []string{"Yes", "No"}, Secret: secret, MaxChoices: 1,
			Platform: "console", Channel: "hall", OpenedBy: "console:steward", OpenedAt: clock.Now()}
		must(s.Polls.CreatePoll(ctx, p))
		in.pollIDs = append(in.pollIDs, p.ID)
		for j, voter := range []string{"console:ann", "console:bob", "console:cat"} {
			must(s.Polls.SetUnit(ctx, voter, []string{"P-2", "P-4", ""}[j]))
			must(s.Polls.Cast(ctx, p.ID, polls.Voter{ID: voter, Name: voter, Unit: []string{"P-2", "P-4", ""}[j]}, func(*polls.Poll, polls.Prior) ([]int, error) {
				return []int{1 + j%2}, nil
			}))
		}
		if i == 1 {
			clock.Advance(time.Minute)
			won, err := s.Polls.ClosePoll(ctx, p.ID, "console:steward", clock.Now())
			must(err)
			if !won {
				t.Fatal("close lost")
			}
		}
	}
	voters, units, choices, _ := storetest.SecretBallots()
	in.pollIDs = append(in.pollIDs, storetest.VoteSecretBallot(t, s, clock, voters[:9], units[:9], choices[:9]))

	in.deadlineKey = "ratify"
	d := &reminders.Deadline{Key: in.deadlineKey, Name: "Ratification vote", At: clock.Now().Add(48 * time.Hour), Zone: "UTC", CreatedBy: "deadlines file", CreatedAt: clock.Now()}
	must(s.Reminders.CreateDeadline(ctx, d))
	due := clock.Now().Add(time.Hour)
	r := &reminders.Reminder{Kind: reminders.KindOnce, Text: "Ballots go out today", Zone: "America/New_York", At: due, Next: due,
		CreatedBy: "console:steward", CreatedAt: clock.Now()}
	must(s.Reminders.CreateReminder(ctx, r))
	in.reminderID = r.ID
	in.since = clock.Now()
	clock.Advance(2 * time.Hour)
	ds, err := s.Reminders.ClaimOccurrences(ctx, []reminders.Claim{{ReminderID: r.ID, From: due, Occurrence: due,
		Platforms: []string{"console", "slack"}, State: reminders.StateSending}}, clock.Now())
	must(err)
	for _, dl := range ds {
		dl.State, dl.Attempts, dl.Error = reminders.StateFailed, 1, "channel not found"
		must(s.Reminders.FinishDelivery(ctx, dl, clock.Now()))
	}

	in.cardKey = "poll:1"
	for _, loc := range []string{"C1/1.0", "C2/2.0", "C1/3.0"} {
		must(s.Cards.SaveCardLocation(ctx, "slack", in.cardKey, loc))
	}
	return in
}

// TestCopy copies an installation with some of everything into
// PostgreSQL, and reads it back through the stores: the same settings,
// FAQ records, polls and tallies, ballots (a member who voted cannot vote
// again), deadlines, reminders and their failed posts, and card
// locations; new polls and reminders get new numbers.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	clock := bot.NewManualClock(storetest.PollsStart())
	src := openSQLite(t, clock)
	srcStores := &storetest.Stores{Stores: src.Stores()}
	in := fill(t, srcStores, clock)
	pg, conn := openPostgres(t, clock)

	counts, err := migrate.Copy(ctx, src.Reader(), conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != len(migrate.Tables()) {
		t.Fatalf("counts %+v", counts)
	}
	a, b := src.Stores(), pg.Stores()
	same := func(what string, get func(st storesOf) (any, error)) {
		t.Helper()
		x, err := get(storesOf{a.Polls, a.FAQ, a.Reminders, a.Cards, a.Settings})
		if err != nil {
			t.Fatalf("%s on SQLite: %v", what, err)
		}
		y, err := get(storesOf{b.Polls, b.FAQ, b.Reminders, b.Cards, b.Settings})
		if err != nil {
			t.Fatalf("%s on PostgreSQL: %v", what, err)
		}
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s differs:\nSQLite     %+v\nPostgreSQL %+v", what, x, y)
		}
	}
	same("salt", func(st storesOf) (any, error) {
		v, _, err := st.settings.Setting(ctx, "faq_member_salt")
		return v, err
	})
	same("FAQ gaps", func(st storesOf) (any, error) { return st.faq.Gaps(ctx, 10) })
	same("phrasings", func(st storesOf) (any, error) { return st.faq.Phrasings(ctx) })
	same("promoted entries", func(st storesOf) (any, error) { return st.faq.Promotions(ctx) })
	for _, id := range in.pollIDs {
		same("poll", func(st storesOf) (any, error) { return st.polls.Poll(ctx, id) })
		same("tally", func(st storesOf) (any, error) { return st.polls.Tally(ctx, id) })
		same("result post", func(st storesOf) (any, error) { return st.polls.ResultPost(ctx, id) })
	}
	same("unit", func(st storesOf) (any, error) { return st.polls.Unit(ctx, "console:ann") })
	same("reminder", func(st storesOf) (any, error) { return st.reminders.Reminder(ctx, in.reminderID) })
	same("deadline", func(st storesOf) (any, error) { return st.reminders.DeadlineByKey(ctx, in.deadlineKey) })
	same("failed posts", func(st storesOf) (any, error) {
		ds, err := st.reminders.Problems(ctx, in.since)
		// Posts updated at the same instant come in either order.
		slices.SortFunc(ds, func(x, y reminders.Delivery) int { return strings.Compare(x.Platform, y.Platform) })
		return ds, err
	})
	same("card locations", func(st storesOf) (any, error) { return st.cards.CardLocations(ctx, "slack", in.cardKey) })

	// The ballots came across: a member who voted cannot vote again.
	err = b.Polls.Cast(ctx, in.pollIDs[2], polls.Voter{ID: "console:member000"}, func(_ *polls.Poll, prior polls.Prior) ([]int, error) {
		if !prior.Voted {
			t.Error("a secret ballot's participant has no ballot after the copy")
		}
		return nil, bot.Errorf(bot.ECONFLICT, "already voted")
	})
	if err == nil {
		t.Error("a second vote was recorded")
	}
	// New rows are numbered after the copied ones.
	p := &polls.Poll{Question: "Next?", Options: []string{"A", "B"}, MaxChoices: 1, Platform: "console", Channel: "hall", OpenedBy: "console:steward", OpenedAt: clock.Now()}
	if err := b.Polls.CreatePoll(ctx, p); err != nil || p.ID != in.pollIDs[len(in.pollIDs)-1]+1 {
		t.Errorf("a poll opened after the copy is %d (%v), want %d", p.ID, err, in.pollIDs[len(in.pollIDs)-1]+1)
	}
}

// storesOf are the stores compared after a copy.
type storesOf struct {
	polls     polls.Store
	faq       faq.Store
	reminders reminders.Store
	cards     interface {
		CardLocations(ctx context.Context, platform, key string) ([]string, error)
	}
	settings interface {
		Setting(ctx context.Context, key string) (string, bool, error)
	}
}

// TestCopyRefusesANonEmptyDatabase: a database that holds a row is left
// alone, with an error saying why.
func TestCopyRefusesANonEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	src := openSQLite(t, nil)
	pg, conn := openPostgres(t, nil)
	if _, err := pg.SettingOrInit(ctx, "faq_member_salt", func() (string, error) { return "other", nil }); err != nil {
		t.Fatal(err)
	}
	_, err := migrate.Copy(ctx, src.Reader(), conn)
	if !errors.Is(err, migrate.ErrNotEmpty) {
		t.Fatalf("copy into a used database: %v", err)
	}
	if v, _, _ := pg.Setting(ctx, "faq_member_salt"); v != "other" {
		t.Errorf("the target's setting is now %q", v)
	}
}

// TestCopiedSecretBallotCannotBeLinked copies two SQLite databases whose
// secret ballots had the same members, in the same order, with the same
// totals per unit but the choices dealt out differently among them
// (storetest.SecretBallots). Anything the copy wrote that linked a ballot
// to its voter, including the transaction each row was written by and
// the order rows sit in the pages, would differ between the two copies:
// nothing does.
func TestCopiedSecretBallotCannotBeLinked(t *testing.T) {
	voters, units, choices, shuffled := storetest.SecretBallots()
	copyOf := func(choices []int) []pgtest.Table {
		ctx := context.Background()
		clock := bot.NewManualClock(storetest.PollsStart())
		src := openSQLite(t, clock)
		storetest.VoteSecretBallot(t, &storetest.Stores{Stores: src.Stores()}, clock, voters, units, choices)
		pg, conn := openPostgres(t, clock)
		if _, err := migrate.Copy(ctx, src.Reader(), conn); err != nil {
			t.Fatal(err)
		}
		return pgtest.Dump(t, pg.Pool(), true)
	}
	a, b := copyOf(choices), copyOf(shuffled)
	if x, y := pgtest.Format(a), pgtest.Format(b); x != y {
		t.Fatalf("the copies differ, so something links ballots to voters:\n%s\n----\n%s", x, y)
	}
	participants := pgtest.Find(t, a, "poll_participants")
	if len(participants.Rows) != len(voters) {
		t.Fatalf("%d participants copied, want %d", len(participants.Rows), len(voters))
	}
}

package reminders

import (
	"strings"
	"testing"
	"time"

	"github.com/unionhall/unionhall/bot"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// occurrences returns the occurrences of s in (from, to].
func occurrences(s Schedule, from, to time.Time) []time.Time {
	var out []time.Time
	for t := s.Next(from); !t.IsZero() && !t.After(to); t = s.Next(t) {
		out = append(out, t)
		if len(out) > 10000 {
			break
		}
	}
	return out
}

func localTimes(ts []time.Time, loc *time.Location) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.In(loc).Format("Jan 2 15:04 MST"))
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// 2026 in America/New_York: clocks spring forward on Sunday March 8 at
// 02:00 (to 03:00) and fall back on Sunday November 1 at 02:00 (to 01:00).
func TestCronDaylightSaving(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	cases := []struct {
		name     string
		spec     string
		from, to time.Time
		want     []string
	}{
		{
			name: "daily 09:00 across spring forward",
			spec: "0 9 * * *",
			from: time.Date(2026, 3, 6, 12, 0, 0, 0, ny), to: time.Date(2026, 3, 9, 12, 0, 0, 0, ny),
			want: []string{"Mar 7 09:00 EST", "Mar 8 09:00 EDT", "Mar 9 09:00 EDT"},
		},
		{
			name: "daily 09:00 across fall back",
			spec: "0 9 * * *",
			from: time.Date(2026, 10, 30, 12, 0, 0, 0, ny), to: time.Date(2026, 11, 2, 12, 0, 0, 0, ny),
			want: []string{"Oct 31 09:00 EDT", "Nov 1 09:00 EST", "Nov 2 09:00 EST"},
		},
		{
			name: "skipped hour fires once at the next valid time",
			spec: "30 2 * * *",
			from: time.Date(2026, 3, 6, 12, 0, 0, 0, ny), to: time.Date(2026, 3, 9, 12, 0, 0, 0, ny),
			want: []string{"Mar 7 02:30 EST", "Mar 8 03:00 EDT", "Mar 9 02:30 EDT"},
		},
		{
			name: "several occurrences in the skipped hour collapse",
			spec: "0,20,40 2 * * *",
			from: time.Date(2026, 3, 8, 0, 0, 0, 0, ny), to: time.Date(2026, 3, 8, 12, 0, 0, 0, ny),
			want: []string{"Mar 8 03:00 EDT"},
		},
		{
			name: "skipped-hour occurrence and one at 03:00 are one post",
			spec: "0 2,3 * * *",
			from: time.Date(2026, 3, 8, 0, 0, 0, 0, ny), to: time.Date(2026, 3, 8, 12, 0, 0, 0, ny),
			want: []string{"Mar 8 03:00 EDT"},
		},
		{
			name: "repeated hour fires once",
			spec: "30 1 * * *",
			from: time.Date(2026, 10, 31, 12, 0, 0, 0, ny), to: time.Date(2026, 11, 2, 12, 0, 0, 0, ny),
			want: []string{"Nov 1 01:30 EDT", "Nov 2 01:30 EST"},
		},
		{
			name: "hourly keeps firing each elapsed hour through the repeated hour",
			spec: "0 * * * *",
			from: time.Date(2026, 11, 1, 0, 30, 0, 0, ny), to: time.Date(2026, 11, 1, 2, 30, 0, 0, ny),
			want: []string{"Nov 1 01:00 EDT", "Nov 1 01:00 EST", "Nov 1 02:00 EST"},
		},
		{
			name: "weekly on Mondays",
			spec: "0 9 * * MON",
			from: time.Date(2026, 8, 1, 0, 0, 0, 0, ny), to: time.Date(2026, 8, 18, 0, 0, 0, 0, ny),
			want: []string{"Aug 3 09:00 EDT", "Aug 10 09:00 EDT", "Aug 17 09:00 EDT"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ParseCron(c.spec, ny, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			got := localTimes(occurrences(s, c.from, c.to), ny)
			if !equalStrings(got, c.want) {
				t.Fatalf("occurrences of %q:\n got %v\nwant %v", c.spec, got, c.want)
			}
		})
	}
}

func TestCronTZPrefix(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	london := mustZone(t, "Europe/London")
	s, err := ParseCron("CRON_TZ=Europe/London 0 9 * * *", ny, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Zone().String() != "Europe/London" {
		t.Fatalf("zone %s", s.Zone())
	}
	n := s.Next(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	if got := n.In(london).Format("Jan 2 15:04"); got != "Jul 1 09:00" {
		t.Fatalf("next = %s (%s)", got, n.In(ny))
	}
	// London changes clocks on other dates than New York: 09:00 London
	// stays 09:00 London.
	occ := occurrences(s, time.Date(2026, 3, 27, 12, 0, 0, 0, london), time.Date(2026, 3, 30, 12, 0, 0, 0, london))
	if got := localTimes(occ, london); !equalStrings(got, []string{"Mar 28 09:00 GMT", "Mar 29 09:00 BST", "Mar 30 09:00 BST"}) {
		t.Fatalf("London occurrences %v", got)
	}
}

func TestParseCronErrors(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	for spec, want := range map[string]string{
		"61 9 * * *":                     "not a valid cron spec",
		"0 9 * *":                        "not a valid cron spec",
		"0 9 * * * *":                    "not a valid cron spec",
		"@fortnightly":                   "not a valid cron spec",
		"CRON_TZ=Mars/Olympus 0 9 * * *": `Unknown time zone "Mars/Olympus"`,
		"CRON_TZ=":                       "Name a time zone",
		"CRON_TZ=Local 0 9 * * *":        "Name a time zone",
		"CRON_TZ=Europe/London":          "give the schedule",
		"TZ=Europe/London":               "give the schedule",
	} {
		_, err := ParseCron(spec, ny, time.Time{})
		if bot.ErrorCode(err) != bot.EINVALID || !strings.Contains(bot.ErrorMessage(err), want) {
			t.Errorf("ParseCron(%q) = %v, want EINVALID containing %q", spec, err, want)
		}
	}
}

func TestEveryGridIsAnchored(t *testing.T) {
	anchor := time.Date(2026, 7, 1, 10, 3, 27, 0, time.UTC)
	s, err := ParseCron("@every 24h", time.UTC, anchor)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ after, want time.Time }{
		{anchor.Add(-time.Hour), anchor.Add(24 * time.Hour)},
		{anchor, anchor.Add(24 * time.Hour)},
		{anchor.Add(30 * time.Hour), anchor.Add(48 * time.Hour)},
		{anchor.Add(48 * time.Hour), anchor.Add(72 * time.Hour)},
	} {
		if got := s.Next(c.after); !got.Equal(c.want) {
			t.Errorf("Next(%s) = %s, want %s", c.after, got, c.want)
		}
	}
}

func TestLeadSchedule(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	dl := time.Date(2026, 11, 8, 17, 0, 0, 0, ny) // a week after clocks go back
	d := &Deadline{At: dl, Zone: "America/New_York"}
	week := &Reminder{Kind: KindLead, Lead: 7 * 24 * time.Hour, Deadline: d}
	s, err := week.Schedule()
	if err != nil {
		t.Fatal(err)
	}
	// Whole days are calendar days: 17:00 local a week before, not 18:00.
	if got := s.Next(time.Date(2026, 10, 1, 0, 0, 0, 0, ny)); got.In(ny).Format("Jan 2 15:04 MST") != "Nov 1 17:00 EST" {
		t.Fatalf("7d lead = %s", got.In(ny))
	}
	if got := s.Next(time.Date(2026, 11, 2, 0, 0, 0, 0, ny)); !got.IsZero() {
		t.Fatalf("one-off deadline lead fires again at %s", got)
	}
	two := &Reminder{Kind: KindLead, Lead: 2 * time.Hour, Deadline: d}
	s2, _ := two.Schedule()
	if got := s2.Next(time.Date(2026, 10, 1, 0, 0, 0, 0, ny)); !got.Equal(dl.Add(-2 * time.Hour)) {
		t.Fatalf("2h lead = %s", got)
	}

	// A yearly deadline comes round again once this year's has passed.
	d.Yearly = true
	d.At = time.Date(2026, 8, 31, 17, 0, 0, 0, ny)
	y := &Reminder{Kind: KindLead, Lead: 14 * 24 * time.Hour, Deadline: d}
	sy, _ := y.Schedule()
	if got := sy.Next(time.Date(2026, 9, 1, 0, 0, 0, 0, ny)); got.In(ny).Format("2006 Jan 2 15:04") != "2027 Aug 17 17:00" {
		t.Fatalf("yearly 14d lead after the deadline = %s", got.In(ny))
	}
	if got := d.NextDeadline(time.Date(2028, 9, 1, 0, 0, 0, 0, ny)); got.In(ny).Format("2006 Jan 2 15:04") != "2029 Aug 31 17:00" {
		t.Fatalf("next yearly deadline = %s", got.In(ny))
	}
}

func TestShortestIntervalRefusesFloods(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, ny)
	for spec, tooOften := range map[string]bool{
		"* 9 * * 1":     true,
		"*/30 * * * *":  true,
		"@every 10m":    true,
		"0 * * * *":     false,
		"0 9 * * MON":   false,
		"30 2 * * *":    false,
		"0 9,17 * * *":  false,
		"@every 1h":     false,
		"@daily":        false,
		"0 9 1 1,7 *":   false,
		"0 2,3 * * SUN": false,
	} {
		s, err := ParseCron(spec, ny, now)
		if err != nil {
			t.Fatal(err)
		}
		d := s.shortestInterval(now, 200)
		if got := d > 0 && d < MinInterval; got != tooOften {
			t.Errorf("%q: shortest interval %s, refused=%v, want %v", spec, d, got, tooOften)
		}
	}
}

func TestFormatLeadAndBackoff(t *testing.T) {
	for d, want := range map[time.Duration]string{
		14 * 24 * time.Hour: "14 days",
		24 * time.Hour:      "1 day",
		2 * time.Hour:       "2 hours",
		90 * time.Minute:    "1 hour 30 minutes",
		30 * time.Second:    "30 seconds",
	} {
		if got := FormatLead(d); got != want {
			t.Errorf("FormatLead(%s) = %q, want %q", d, got, want)
		}
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 5 * time.Minute, 5 * time.Minute}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
}

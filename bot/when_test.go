package bot

import (
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, ny)
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2026-12-31 17:00", time.Date(2026, 12, 31, 17, 0, 0, 0, ny)},
		{"2026-12-31", time.Date(2026, 12, 31, 9, 0, 0, 0, ny)},
		{"Aug 31", time.Date(2027, 8, 31, 9, 0, 0, 0, ny)},
		{"aug 31 5pm", time.Date(2027, 8, 31, 17, 0, 0, 0, ny)},
		{"August 31, 2027 17:30", time.Date(2027, 8, 31, 17, 30, 0, 0, ny)},
		{"Dec 1", time.Date(2026, 12, 1, 9, 0, 0, 0, ny)},
		{"in 2h", now.Add(2 * time.Hour)},
		{"in 30s", now.Add(30 * time.Second)},
		{"in 3 days", now.AddDate(0, 0, 3)},
		{"tomorrow 9:00", time.Date(2026, 11, 24, 9, 0, 0, 0, ny)},
		{"today 5 pm", time.Date(2026, 11, 23, 17, 0, 0, 0, ny)},
	}
	for _, c := range cases {
		got, err := ParseWhen(c.in, now, ny)
		if err != nil {
			t.Errorf("ParseWhen(%q): %v", c.in, err)
			continue
		}
		if !got.Equal(c.want) {
			t.Errorf("ParseWhen(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"", "someday", "in -2h", "in 2 fortnights", "2026-13-45", "Aug 31 25:00", "13pm"} {
		if _, err := ParseWhen(bad, now, ny); ErrorCode(err) != EINVALID {
			t.Errorf("ParseWhen(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

func TestParseDurationAndRelative(t *testing.T) {
	if d, err := ParseDuration("14d"); err != nil || d != 14*24*time.Hour {
		t.Fatalf("14d = %v %v", d, err)
	}
	for _, bad := range []string{"", "d", "0h", "-1d", "3x", "1.5h"} {
		if _, err := ParseDuration(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseDuration(%q) = %v", bad, err)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		3 * 24 * time.Hour: "in 3 days", 2 * time.Hour: "in 2 hours", -5 * time.Minute: "5 minutes ago", 10 * time.Second: "in 10 seconds", 500 * time.Millisecond: "now", -time.Second: "1 second ago",
	} {
		if got := FormatRelative(now.Add(d), now); got != want {
			t.Errorf("FormatRelative(%v) = %q, want %q", d, got, want)
		}
	}
}

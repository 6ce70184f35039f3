package chart_test

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/unionhall/unionhall/polls"
	"github.com/unionhall/unionhall/polls/chart"
)

// chartDir, when set (go test ./polls/chart -chart.dir DIR), is where the
// tests write the charts they draw, for a person to look at.
var chartDir = flag.String("chart.dir", "", "write the charts the tests draw into this directory")

var now = time.Date(2011, time.July, 18, 12, 0, 0, 0, time.UTC)

// draw charts the results of tally t and decodes the PNG.
func draw(t *testing.T, tally *polls.Tally, units *polls.Coalition) (image.Image, *polls.Results) {
	t.Helper()
	r := polls.Compute(tally, units, now)
	f, err := chart.Drawer{}.Chart(r)
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != "image/png" || f.Name != "poll-1-chart.png" {
		t.Fatalf("file %s %s", f.Name, f.ContentType)
	}
	if *chartDir != "" {
		if err := os.WriteFile(filepath.Join(*chartDir, t.Name()+".png"), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != chart.Width || b.Dy() != chart.Height {
		t.Fatalf("chart is %dx%d", b.Dx(), b.Dy())
	}
	return img, r
}

// columns counts, per column of the image, the pixels of colour c.
func columns(img image.Image, c color.RGBA) []int {
	b := img.Bounds()
	out := make([]int, b.Dx())
	for x := b.Min.X; x < b.Max.X; x++ {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				out[x-b.Min.X]++
			}
		}
	}
	return out
}

// bars finds the runs of columns holding colour c and returns each run's
// height (its tallest column).
func bars(img image.Image, c color.RGBA) []int {
	var out []int
	in := false
	for _, n := range columns(img, c) {
		switch {
		case n > 0 && !in:
			out, in = append(out, n), true
		case n > 0:
			out[len(out)-1] = max(out[len(out)-1], n)
		default:
			in = false
		}
	}
	return out
}

func TestOptionBars(t *testing.T) {
	p := &polls.Poll{ID: 1, Question: "Ratify?", Options: []string{"Yes", "No", "Undecided"}, MaxChoices: 1, Voters: 8, ClosedAt: now}
	tally := &polls.Tally{Poll: p, Counts: []polls.Count{{Option: 1, Votes: 6}, {Option: 2, Votes: 2}}}
	img, r := draw(t, tally, nil)
	hs := bars(img, chart.BarColor())
	if len(hs) != 2 {
		t.Fatalf("%d bars drawn, want 2 (the third option has no votes): %v", len(hs), hs)
	}
	// Bar heights follow the votes: 6 to 2.
	if ratio := float64(hs[0]) / float64(hs[1]); ratio < 2.8 || ratio > 3.2 {
		t.Fatalf("bar heights %v, want about 3 to 1", hs)
	}
	if got := polls.ChartTitle(r); got != "Yes leads (final)." {
		t.Fatalf("title %q", got)
	}
	if got := polls.ChartText(r); got != `Chart of poll 1, "Ratify?": votes per option: Yes 6 (75%), No 2 (25%), Undecided 0 (0%). Yes leads (final).` {
		t.Fatalf("text %q", got)
	}
}

func TestCoalitionBars(t *testing.T) {
	units := &polls.Coalition{Units: []polls.Unit{{Name: "P-2", Members: 100}, {Name: "P-4", Members: 100}, {Name: "NP-3", Members: 50}}, UnitsNeeded: 2, PercentNeeded: 80}
	p := &polls.Poll{ID: 1, Question: "Ratify?", Options: []string{"Yes", "No"}, MaxChoices: 1, Rule: polls.RuleCoalition, Favour: 1, Against: 2, Coalition: units, Voters: 20, ClosedAt: now}
	tally := &polls.Tally{Poll: p, Counts: []polls.Count{
		{Option: 1, Unit: "P-2", Votes: 9}, {Option: 2, Unit: "P-2", Votes: 1}, // 90% in favour
		{Option: 1, Unit: "P-4", Votes: 2}, {Option: 2, Unit: "P-4", Votes: 6}, // 25%
		{Option: 1, Unit: "NP-3", Votes: 2}, // 100%
	}}
	img, r := draw(t, tally, units)
	favour, against := bars(img, chart.FavourColor()), bars(img, chart.AgainstColor())
	// Two units in favour (P-2 90%, NP-3 100%), one not (P-4 25%), left
	// to right; the legend, at the right, adds a swatch of each colour.
	if len(favour) != 3 || len(against) != 2 {
		t.Fatalf("favour bars %v, against bars %v", favour, against)
	}
	p2, np3, p4 := favour[0], favour[1], against[0]
	if r := float64(p2) / float64(np3); r < 0.85 || r > 0.95 {
		t.Fatalf("P-2 (90%%) and NP-3 (100%%) bars %d and %d", p2, np3)
	}
	if r := float64(p4) / float64(np3); r < 0.2 || r > 0.3 {
		t.Fatalf("P-4 (25%%) and NP-3 (100%%) bars %d and %d", p4, np3)
	}
	if got := polls.ChartTitle(r); got != r.Verdict.Summary(true) {
		t.Fatalf("title %q", got)
	}
}

// Package chart draws poll results as PNG bar charts with gonum.org/v1/plot,
// for the result posts of polls (polls.Charter). The fonts are the
// Liberation fonts plot embeds, so drawing needs no system fonts and no
// network.
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/polls"
)

// Size of a chart in pixels (plot draws at 96 dots per inch here).
const (
	// Width is the chart's width in pixels.
	Width = 960
	// Height is the chart's height in pixels.
	Height = 540
)

// BarColor fills the bars of an option chart.
func BarColor() color.RGBA { return color.RGBA{R: 0x1f, G: 0x5f, B: 0xbf, A: 0xff} }

// FavourColor fills a unit's bar on a coalition chart when the unit is in
// favour.
func FavourColor() color.RGBA { return color.RGBA{R: 0x1a, G: 0x8f, B: 0x3c, A: 0xff} }

// AgainstColor fills a unit's bar when it is not.
func AgainstColor() color.RGBA { return color.RGBA{R: 0xc0, G: 0x39, B: 0x2b, A: 0xff} }

// Drawer draws result charts. The zero value is ready to use.
type Drawer struct{}

var _ polls.Charter = Drawer{}

// Chart draws r as a bar chart: the votes per option, or for a poll under
// the coalition rule each unit's share in favour against the half it
// needs. The title is polls.ChartTitle (the verdict, winner or leader).
func (Drawer) Chart(r *polls.Results) (*bot.File, error) {
	p := plot.New()
	p.Title.Text = r.Poll.Question + "\n" + polls.ChartTitle(r)
	p.Title.TextStyle.Font.Size = vg.Points(14)
	var err error
	if r.Verdict != nil && r.Verdict.Rule == polls.RuleCoalition {
		err = coalitionBars(p, r)
	} else {
		err = optionBars(p, r)
	}
	if err != nil {
		return nil, fmt.Errorf("chart of poll %d: %w", r.Poll.ID, err)
	}
	w, err := p.WriterTo(vg.Length(Width)*vg.Inch/96, vg.Length(Height)*vg.Inch/96, "png")
	if err != nil {
		return nil, fmt.Errorf("chart of poll %d: %w", r.Poll.ID, err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart of poll %d: %w", r.Poll.ID, err)
	}
	return &bot.File{Name: "poll-" + strconv.FormatInt(r.Poll.ID, 10) + "-chart.png", ContentType: "image/png", Data: buf.Bytes()}, nil
}

// barWidth is the width of one bar.
const barWidth = vg.Length(40)

// optionBars draws one bar per option, its height the option's votes.
func optionBars(p *plot.Plot, r *polls.Results) error {
	values := make(plotter.Values, len(r.Options))
	names := make([]string, len(r.Options))
	for i, n := range r.Options {
		values[i] = float64(n)
		names[i] = r.Poll.Options[i]
	}
	bars, err := plotter.NewBarChart(values, barWidth)
	if err != nil {
		return err
	}
	bars.Color = BarColor()
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	p.Y.Label.Text = "Votes"
	if r.Poll.Ranked {
		p.Y.Label.Text = "First preferences"
	}
	p.Y.Min = 0
	p.Y.Max = max(1, p.Y.Max)
	return nil
}

// coalitionBars draws one bar per listed unit, its height the unit's
// percentage in favour of those for or against, green when the unit is in
// favour and red when not, with a line at the 50% a unit needs. Units
// whose split is withheld to keep a secret ballot secret get no bar.
func coalitionBars(p *plot.Plot, r *polls.Results) error {
	poll := r.Poll
	var names []string
	favour := plotter.Values{}
	against := plotter.Values{}
	for _, u := range r.Units {
		if !u.Listed {
			continue
		}
		names = append(names, u.Unit.Name)
		f, a := u.Counts[poll.Favour-1], u.Counts[poll.Against-1]
		share := 0.0
		if f+a > 0 && !u.Withheld {
			share = float64(f) * 100 / float64(f+a)
		}
		if u.InFavour && !u.Withheld {
			favour, against = append(favour, share), append(against, 0)
		} else {
			favour, against = append(favour, 0), append(against, share)
		}
	}
	for _, s := range []struct {
		values plotter.Values
		color  color.Color
		label  string
	}{{favour, FavourColor(), "in favour"}, {against, AgainstColor(), "not in favour"}} {
		bars, err := plotter.NewBarChart(s.values, barWidth)
		if err != nil {
			return err
		}
		bars.Color = s.color
		bars.LineStyle.Width = 0
		p.Add(bars)
		p.Legend.Add(s.label, bars)
	}
	half, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 50}, {X: float64(len(names)) - 0.5, Y: 50}})
	if err != nil {
		return err
	}
	half.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(4)}
	p.Add(half)
	p.Legend.Add("50% a unit needs", half)
	p.Legend.Top = true
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	p.Y.Label.Text = "% in favour (of for and against)"
	p.Y.Min, p.Y.Max = 0, 100
	return nil
}

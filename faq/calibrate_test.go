package faq

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

var refit = flag.Bool("faq.fit", false, "fit the confidence calibration and print it")

// calibrationSample is one question's features and whether the matcher's
// best candidate was right.
type calibrationSample struct {
	f     Features
	right bool
}

// calibrationData asks the questions of testdata/calibration-questions.tsv
// (in scope, with their entries) and testdata/calibration-offtopic.txt
// (which no entry answers) of the default knowledge base. Neither the dev
// nor the held-out evaluation set is used.
func calibrationData(t *testing.T) []calibrationSample {
	t.Helper()
	kb := loadDefault(t)
	var out []calibrationSample
	m := NewMatcher(kb, nil, Options{})
	cf, err := os.Open("testdata/calibration-questions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	set, err := ReadLabeled(cf, func(id string) bool { return kb.Entry(id) != nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range set {
		r := m.Match(q.Question)
		if r.Outcome == Clarify {
			continue // decided by rule, not by the confidence
		}
		out = append(out, calibrationSample{f: r.Features, right: len(r.Candidates) > 0 && r.Candidates[0].Entry.ID == q.Want})
	}
	f, err := os.Open("testdata/calibration-offtopic.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		q := strings.TrimSpace(sc.Text())
		if q == "" || strings.HasPrefix(q, "#") {
			continue
		}
		r := m.Match(q)
		if r.Outcome == Clarify {
			continue
		}
		out = append(out, calibrationSample{f: r.Features})
	}
	return out
}

func featureVector(f Features) [4]float64 {
	return [4]float64{f.Coverage, f.Unknown, f.Strength, f.Runner}
}

func calibrationOf(w [5]float64) Calibration {
	return Calibration{Bias: w[0], Coverage: w[1], Unknown: w[2], Strength: w[3], Runner: w[4]}
}

// logLoss is the mean negative log-likelihood of the samples under c.
func logLoss(c Calibration, data []calibrationSample) float64 {
	var sum float64
	for _, s := range data {
		p := min(max(c.confidence(s.f), 1e-9), 1-1e-9)
		if s.right {
			sum -= math.Log(p)
		} else {
			sum -= math.Log(1 - p)
		}
	}
	return sum / float64(len(data))
}

// fitCalibration fits a logistic regression (with a small L2 penalty) by
// gradient descent. The cap on the confidence (Features.Share) is a rule,
// not a fitted weight, so the regression is fitted without it.
func fitCalibration(data []calibrationSample) Calibration {
	var w [5]float64
	const rate, l2 = 0.5, 1e-3
	for range 20000 {
		var grad [5]float64
		for _, s := range data {
			x := featureVector(s.f)
			p := calibrationOf(w).logistic(s.f)
			y := 0.0
			if s.right {
				y = 1
			}
			grad[0] += p - y
			for i, v := range x {
				grad[i+1] += (p - y) * v
			}
		}
		for i := range w {
			g := grad[i] / float64(len(data))
			if i > 0 {
				g += l2 * w[i]
			}
			w[i] -= rate * g
		}
	}
	return calibrationOf(w)
}

// TestCalibrationIsFitted checks that DefaultCalibration is (close to)
// the best fit for the current matcher and knowledge base, so a change to
// either cannot silently leave the confidence uncalibrated, and that the
// confidence is calibrated: in each band, the share of right answers is
// near the confidence. Run with -faq.fit to print a new fit.
func TestCalibrationIsFitted(t *testing.T) {
	data := calibrationData(t)
	fit := fitCalibration(data)
	if *refit {
		fmt.Printf("var DefaultCalibration = Calibration{Bias: %.2f, Coverage: %.2f, Unknown: %.2f, Strength: %.2f, Runner: %.2f}\n",
			fit.Bias, fit.Coverage, fit.Unknown, fit.Strength, fit.Runner)
	}
	got, best := logLoss(DefaultCalibration, data), logLoss(fit, data)
	t.Logf("%d samples; log loss %.4f (best fit %.4f)", len(data), got, best)
	if got > best*1.05+0.005 {
		t.Errorf("DefaultCalibration log loss %.4f, a fresh fit gets %.4f: refit with go test ./faq -run CalibrationIsFitted -faq.fit", got, best)
	}
	var bins [5]struct {
		n, right int
		conf     float64
	}
	for _, s := range data {
		c := DefaultCalibration.confidence(s.f)
		b := min(int(c*float64(len(bins))), len(bins)-1)
		bins[b].n++
		bins[b].conf += c
		if s.right {
			bins[b].right++
		}
	}
	var ece float64
	for i, b := range bins {
		if b.n == 0 {
			continue
		}
		acc, conf := float64(b.right)/float64(b.n), b.conf/float64(b.n)
		t.Logf("confidence %.1f-%.1f: %3d questions, mean confidence %.2f, right %.2f", float64(i)/5, float64(i+1)/5, b.n, conf, acc)
		ece += float64(b.n) / float64(len(data)) * math.Abs(acc-conf)
	}
	t.Logf("expected calibration error %.3f", ece)
	if ece > 0.08 {
		t.Errorf("expected calibration error %.3f, want at most 0.08", ece)
	}
}

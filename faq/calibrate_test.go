package faq

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

var refit = flag.Bool("faq.fit", false, "fit the confidence calibrations and print them")

// calibrationSample is one question's features and whether the matcher's
// best candidate was right.
type calibrationSample struct {
	f     Features
	right bool
}

// calibrationQuestions are testdata/calibration-questions.tsv (in scope,
// with their entries) and testdata/calibration-offtopic.txt (which no
// entry answers). Neither the dev nor the held-out evaluation set is used.
func calibrationQuestions(t *testing.T, kb *KB) []Labeled {
	t.Helper()
	cf, err := os.Open("testdata/calibration-questions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	set, err := ReadLabeled(cf, func(id string) bool { return kb.Entry(id) != nil })
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/calibration-offtopic.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		q := strings.TrimSpace(sc.Text())
		if q != "" && !strings.HasPrefix(q, "#") {
			set = append(set, Labeled{Want: OutOfScope, Question: q})
		}
	}
	return set
}

// samples asks m the questions; those decided by rule, not by the
// confidence, are left out.
func samples(m *Matcher, set []Labeled) []calibrationSample {
	var out []calibrationSample
	for _, q := range set {
		r := m.Match(q.Question)
		if r.Outcome == Clarify || len(r.Candidates) == 0 {
			continue
		}
		out = append(out, calibrationSample{f: r.Features, right: r.Candidates[0].Entry.ID == q.Want})
	}
	return out
}

// lexicalCalibrationData are the calibration questions asked of the
// default knowledge base without its training phrasings, as BM25F alone
// answers them.
func lexicalCalibrationData(t *testing.T) []calibrationSample {
	kb := loadDefault(t)
	return samples(NewMatcher(kb.WithPhrasings(nil), nil, Options{}), calibrationQuestions(t, kb))
}

// classifierCalibrationData are the training part of the training
// phrasings (see SplitPhrasings), each asked as written, with typos (see
// Misspelt) and wrapped in small talk (see Wrapped) of a matcher whose
// classifier was trained without it (five-fold cross-validation), and
// the calibration questions. The validation part is not used.
func classifierCalibrationData(t *testing.T) []calibrationSample {
	kb := loadDefault(t)
	train, _ := SplitPhrasings(kb.Phrasings)
	// The folds are trained at once; their samples are joined in order.
	const k = 5
	folds := make([][]calibrationSample, k+1)
	var wg sync.WaitGroup
	for fold := range k {
		rest, held := crossFold(train, k, fold)
		// Every other held-apart phrasing is asked: some 19,000 samples
		// fit the ten weights as well as twice as many, in half the time.
		held, _ = crossFold(held, 2, 1)
		wg.Go(func() {
			folds[fold] = samples(NewMatcher(kb.WithPhrasings(rest), nil, Options{}), slices.Concat(held, Misspelt(held), Wrapped(held)))
		})
	}
	cal := calibrationQuestions(t, kb)
	wg.Go(func() { folds[k] = samples(splitMatcher(t), cal) })
	wg.Wait()
	return slices.Concat(folds...)
}

// calibrationFeatures are the features each calibration weighs, in the
// order of the weights after the bias.
func calibrationFeatures(f Features) []float64 {
	return []float64{f.Coverage, f.Unknown, f.Strength, f.Runner, f.Class, f.ClassRunner, f.OffTopic, f.Agree, f.Novelty}
}

func calibrationOf(w []float64) Calibration {
	return Calibration{Bias: w[0], Coverage: w[1], Unknown: w[2], Strength: w[3], Runner: w[4],
		Class: w[5], ClassRunner: w[6], OffTopic: w[7], Agree: w[8], Novelty: w[9]}
}

// logLoss is the mean negative log-likelihood of the samples under
// confidence.
func logLoss(confidence func(Features) float64, data []calibrationSample) float64 {
	var sum float64
	for _, s := range data {
		p := min(max(confidence(s.f), 1e-9), 1-1e-9)
		if s.right {
			sum -= math.Log(p)
		} else {
			sum -= math.Log(1 - p)
		}
	}
	return sum / float64(len(data))
}

// fitCalibration fits a logistic regression (with a small L2 penalty on
// the weights, not the bias) on the features that use marks, by Newton's
// method: each step solves the penalised log loss's quadratic
// approximation exactly, so ten weights converge in a few dozen passes
// over the samples rather than thousands of gradient steps. Caps on the
// confidence (Features.Share) are rules, not fitted weights, so the
// regression is fitted without them.
func fitCalibration(data []calibrationSample, use []bool) Calibration {
	const l2 = 1e-3
	n := 1 + len(use)
	xs, ys := make([][]float64, len(data)), make([]float64, len(data))
	for i, s := range data {
		x := append([]float64{1}, calibrationFeatures(s.f)...)
		for j := range use {
			if !use[j] {
				x[j+1] = 0
			}
		}
		xs[i] = x
		if s.right {
			ys[i] = 1
		}
	}
	w := make([]float64, n)
	for range 50 {
		grad := make([]float64, n)
		hess := make([][]float64, n)
		for i := range hess {
			hess[i] = make([]float64, n)
		}
		for i, x := range xs {
			var z float64
			for j, v := range x {
				z += w[j] * v
			}
			p := 1 / (1 + math.Exp(-z))
			for j, v := range x {
				grad[j] += (p - ys[i]) * v
				for k := range j + 1 {
					hess[j][k] += p * (1 - p) * v * x[k]
				}
			}
		}
		m := float64(len(data))
		for j := range n {
			grad[j] /= m
			for k := range j + 1 {
				hess[j][k] /= m
				hess[k][j] = hess[j][k]
			}
			if j > 0 {
				grad[j] += l2 * w[j]
				hess[j][j] += l2
			} else {
				hess[j][j] += 1e-12
			}
		}
		step := solve(hess, grad)
		// Where the samples nearly separate, a full step overshoots: it
		// is halved until the penalised loss goes down.
		before, moved := penalisedLoss(w, xs, ys, l2), 0.0
		for scale := 1.0; scale > 1e-6; scale /= 2 {
			next := make([]float64, n)
			for j := range w {
				next[j] = w[j] - scale*step[j]
			}
			if penalisedLoss(next, xs, ys, l2) <= before {
				for j := range w {
					moved = max(moved, math.Abs(next[j]-w[j]))
				}
				w = next
				break
			}
		}
		if moved < 1e-9 {
			break
		}
	}
	return calibrationOf(w)
}

// penalisedLoss is the mean log loss of weights w (bias first) on the
// samples xs with outcomes ys, plus the L2 penalty on the weights.
func penalisedLoss(w []float64, xs [][]float64, ys []float64, l2 float64) float64 {
	var sum float64
	for i, x := range xs {
		var z float64
		for j, v := range x {
			z += w[j] * v
		}
		// log(1+e^z) - y·z, computed without overflow.
		sum += max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - ys[i]*z
	}
	sum /= float64(len(xs))
	for _, v := range w[1:] {
		sum += l2 / 2 * v * v
	}
	return sum
}

// solve returns x with a·x = b for a small symmetric positive definite a,
// by Gaussian elimination with partial pivoting; a and b are changed.
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	for col := range n {
		pivot := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		a[col], a[pivot] = a[pivot], a[col]
		b[col], b[pivot] = b[pivot], b[col]
		if a[col][col] == 0 {
			continue
		}
		for r := col + 1; r < n; r++ {
			f := a[r][col] / a[col][col]
			for c := col; c < n; c++ {
				a[r][c] -= f * a[col][c]
			}
			b[r] -= f * b[col]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		if a[r][r] == 0 {
			continue
		}
		sum := b[r]
		for c := r + 1; c < n; c++ {
			sum -= a[r][c] * x[c]
		}
		x[r] = sum / a[r][r]
	}
	return x
}

// checkCalibration checks that the calibration c is (close to) the best
// fit to the data, so a change to the matcher or the knowledge base
// cannot silently leave the confidence uncalibrated, and that the
// confidence is calibrated: in each band, the share of right answers is
// near the confidence.
func checkCalibration(t *testing.T, name string, confidence func(Features) float64, data []calibrationSample, use []bool) {
	fit := fitCalibration(data, use)
	if *refit {
		fmt.Printf("var %s = Calibration{Bias: %.2f, Coverage: %.2f, Unknown: %.2f, Strength: %.2f, Runner: %.2f,\n\tClass: %.2f, ClassRunner: %.2f, OffTopic: %.2f, Agree: %.2f, Novelty: %.2f}\n",
			name, fit.Bias, fit.Coverage, fit.Unknown, fit.Strength, fit.Runner, fit.Class, fit.ClassRunner, fit.OffTopic, fit.Agree, fit.Novelty)
	}
	got, best := logLoss(confidence, data), logLoss(fit.logistic, data)
	t.Logf("%s: %d samples; log loss %.4f (best fit %.4f)", name, len(data), got, best)
	if got > best*1.05+0.005 {
		t.Errorf("%s log loss %.4f, a fresh fit gets %.4f: refit with go test ./faq -run CalibrationIsFitted -faq.fit", name, got, best)
	}
	var bins [5]struct {
		n, right int
		conf     float64
	}
	for _, s := range data {
		c := confidence(s.f)
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
		t.Errorf("%s: expected calibration error %.3f, want at most 0.08", name, ece)
	}
}

// TestCalibrationIsFitted checks DefaultCalibration, for BM25F alone.
// Run with -faq.fit to print a new fit.
func TestCalibrationIsFitted(t *testing.T) {
	use := []bool{true, true, true, true, false, false, false, false, false}
	checkCalibration(t, "DefaultCalibration", DefaultCalibration.confidence, lexicalCalibrationData(t), use)
}

// TestClassifierCalibrationIsFitted checks DefaultClassifierCalibration,
// for BM25F with the classifier. Run with -faq.fit to print a new fit.
func TestClassifierCalibrationIsFitted(t *testing.T) {
	use := []bool{true, true, true, true, true, true, true, true, true}
	checkCalibration(t, "DefaultClassifierCalibration", DefaultClassifierCalibration.logistic, classifierCalibrationData(t), use)
}

package faq

import (
	"flag"
	"fmt"
	"sync"
	"testing"
)

var tradeoff = flag.Bool("faq.tradeoff", false, "print how the answer threshold trades right answers for wrong ones on the validation phrasings")

// tradeoffThresholds are the answer thresholds the tables compare.
var tradeoffThresholds = []float64{0.95, 0.93, 0.9, 0.88, 0.86, 0.85, 0.84, 0.82, 0.8, 0.75, 0.7}

// hurriedCopies are the ways the tables ask each validation question:
// as written, with typos and wrapped in small talk.
var hurriedCopies = []struct {
	name string
	copy func([]Labeled) []Labeled
}{
	{"as written", func(set []Labeled) []Labeled { return set }},
	{"with typos", Misspelt},
	{"wrapped in small talk", Wrapped},
}

// TestAnswerTradeoff prints, with -faq.tradeoff, the tables of
// docs/faq-matcher.md that the answer threshold was chosen from: P@1,
// wrong answers, off-topic messages answered and right entries answered
// or offered, on the validation phrasings of SplitPhrasings and on
// average over six other splits (so that a choice does not rest on which
// few questions one split holds apart), each asked as hurriedCopies
// lists.
func TestAnswerTradeoff(t *testing.T) {
	if !*tradeoff {
		t.Skip("run with -faq.tradeoff to print the tables")
	}
	kb := loadDefault(t)
	fmt.Println("validation split:")
	printTradeoff(tradeoffReports(t, kb, []uint64{validationSeed}))
	fmt.Println("\naverage of six splits:")
	printTradeoff(tradeoffReports(t, kb, []uint64{1, 2, 3, 4, 5, 6}))
}

// tradeoffRow sums the rates of one threshold and one copy over splits.
type tradeoffRow struct {
	p1, wrong, offTopic, offered, first float64
	n                                   int
}

// add counts one report's rates into the row.
func (row *tradeoffRow) add(r Report) {
	row.p1 += r.PrecisionAt1()
	row.wrong += r.WrongRate()
	row.offTopic += r.FalseAnswerRate()
	row.offered += r.OfferedRate()
	row.first += r.FirstRate()
	row.n++
}

// tradeoffReports trains a classifier on each split's training part and
// sums its rates at each threshold, by threshold and copy.
func tradeoffReports(t *testing.T, kb *KB, seeds []uint64) [][]tradeoffRow {
	rows := make([][]tradeoffRow, len(tradeoffThresholds))
	for i := range rows {
		rows[i] = make([]tradeoffRow, len(hurriedCopies))
	}
	var mu sync.Mutex
	eachSplit(t, kb, seeds, func(trained *KB, model *Model, val []Labeled) {
		for i, at := range tradeoffThresholds {
			m := NewMatcher(trained, nil, Options{Model: model, AnswerAt: at})
			for j, c := range hurriedCopies {
				r := Evaluate(m, c.copy(val))
				mu.Lock()
				rows[i][j].add(r)
				mu.Unlock()
			}
		}
	})
	return rows
}

// eachSplit trains, for each seed at once, a classifier on that split's
// training part (without the questions it holds apart) and calls measure
// with the knowledge base it was trained on, the classifier and the
// held-apart phrasings. measure runs concurrently for the seeds.
func eachSplit(t *testing.T, kb *KB, seeds []uint64, measure func(trained *KB, model *Model, val []Labeled)) {
	var wg sync.WaitGroup
	for _, seed := range seeds {
		wg.Go(func() {
			train, val := splitPhrasings(kb.Phrasings, seed)
			trained, _ := kb.WithPhrasings(train).WithoutQuestions(val)
			model, err := TrainModel(trained, DefaultTrainOptions)
			if err != nil {
				t.Error(err)
				return
			}
			measure(trained, model, val)
		})
	}
	wg.Wait()
}

// printTradeoff prints the rows as a Markdown table.
func printTradeoff(rows [][]tradeoffRow) {
	fmt.Print("ranked first (any threshold):")
	for j, c := range hurriedCopies {
		fmt.Printf(" %s %.3f;", c.name, rows[0][j].first/float64(rows[0][j].n))
	}
	fmt.Println()
	fmt.Print("| answer at |")
	for _, c := range hurriedCopies {
		fmt.Printf(" P@1 (%[1]s) | wrong (%[1]s) | off-topic answered (%[1]s) | offered (%[1]s) |", c.name)
	}
	fmt.Print("\n|---|")
	for range hurriedCopies {
		fmt.Print("---|---|---|---|")
	}
	fmt.Println()
	for i, at := range tradeoffThresholds {
		fmt.Printf("| %.2f |", at)
		for _, r := range rows[i] {
			n := float64(r.n)
			fmt.Printf(" %.3f | %.3f | %.3f | %.3f |", r.p1/n, r.wrong/n, r.offTopic/n, r.offered/n)
		}
		fmt.Println()
	}
}

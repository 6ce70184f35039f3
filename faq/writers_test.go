package faq

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"path"
	"sync"
	"testing"
)

var writers = flag.Bool("faq.writers", false, "print how the matcher does on each writer's phrasings with a classifier trained without them")

// writerAmbiguities are the ambiguity shares the writers' table compares,
// DefaultAmbiguity among them.
var writerAmbiguities = []float64{0.25, 0.35, 0.5}

// TestLeaveOneWriterOut prints, with -faq.writers, the table of
// docs/faq-matcher.md that the thresholds are chosen from: for each
// file kb/phrasings/writer-*.tsv, a classifier is trained on every other
// phrasing and measured on that writer's, and the rates are averaged
// over the writers at each answer threshold and ambiguity share. Each
// writer saw only the topic list and the news reports and wrote alone,
// so a writer left out asks in wording the classifier has never seen, as
// members do; splits of one file hold apart questions whose siblings,
// by the same writer, were learnt.
func TestLeaveOneWriterOut(t *testing.T) {
	if !*writers {
		t.Skip("run with -faq.writers to print the table")
	}
	kb := loadDefault(t)
	files, err := fs.Glob(DefaultFS(), PhrasingsDir+"/writer-*.tsv")
	if err != nil || len(files) < 2 {
		t.Fatalf("writers' files: %v, %v", files, err)
	}
	byWriter := make([][]Labeled, len(files))
	for i, f := range files {
		data, err := fs.ReadFile(DefaultFS(), f)
		if err != nil {
			t.Fatal(err)
		}
		if byWriter[i], err = ReadLabeled(bytes.NewReader(data), nil); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	rows := make([]tradeoffRow, len(tradeoffThresholds)*len(writerAmbiguities))
	var mu sync.Mutex
	var wg sync.WaitGroup
	limit := make(chan struct{}, 2)
	for i, held := range byWriter {
		wg.Go(func() {
			limit <- struct{}{}
			defer func() { <-limit }()
			trained, _ := kb.WithoutQuestions(held)
			model, err := TrainModel(trained, DefaultTrainOptions)
			if err != nil {
				t.Error(err)
				return
			}
			m := NewMatcher(trained, nil, Options{Model: model})
			r := Evaluate(m, held)
			fmt.Printf("%s: P@1 %.3f wrong %.3f off-topic answered %.3f offered %.3f\n",
				path.Base(files[i]), r.PrecisionAt1(), r.WrongRate(), r.FalseAnswerRate(), r.OfferedRate())
			for k := range rows {
				at, amb := tradeoffThresholds[k%len(tradeoffThresholds)], writerAmbiguities[k/len(tradeoffThresholds)]
				r := Evaluate(NewMatcher(trained, nil, Options{Model: model, AnswerAt: at, Ambiguity: amb}), held)
				mu.Lock()
				rows[k].add(r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Println("\n| ambiguity | answer at | P@1 | wrong | off-topic answered | offered |\n|---|---|---|---|---|---|")
	for k, r := range rows {
		n := float64(r.n)
		fmt.Printf("| %.2f | %.2f | %.3f | %.3f | %.3f | %.3f |\n", writerAmbiguities[k/len(tradeoffThresholds)],
			tradeoffThresholds[k%len(tradeoffThresholds)], r.p1/n, r.wrong/n, r.offTopic/n, r.offered/n)
	}
}

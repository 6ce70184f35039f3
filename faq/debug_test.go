package faq

import (
	"fmt"
	"os"
	"testing"
)

func TestDebugEval(t *testing.T) {
	kb, err := Load(DefaultFS())
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(kb, nil, Options{})
	for _, f := range []string{"testdata/dev-questions.tsv", "testdata/holdout-questions.tsv"} {
		fh, _ := os.Open(f)
		set, err := ReadLabeled(fh, nil)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		for name, sys := range map[string]System{"matcher": m, "baseline": NewBaseline(kb)} {
			r := Evaluate(sys, set)
			fmt.Printf("%s %s P@1 %.3f MRR %.3f false %.3f wrong %d\n", f, name, r.PrecisionAt1(), r.MRR(), r.FalseAnswerRate(), r.Wrong)
			if name == "matcher" {
				for _, q := range set {
					res := m.Match(q.Question)
					top := ""
					if len(res.Candidates) > 0 {
						top = res.Candidates[0].Entry.ID
					}
					mark := " "
					if (q.Want == "-" && res.Outcome == Answer) || (q.Want != "-" && (res.Outcome != Answer || res.Entry.ID != q.Want)) {
						mark = "X"
					}
					fmt.Printf("%s %-22s %-22s %-7s conf=%.2f cov=%.2f unk=%.2f str=%.2f run=%.2f | %s\n", mark, q.Want, top, res.Outcome, res.Confidence, res.Features.Coverage, res.Features.Unknown, res.Features.Strength, res.Features.Runner, q.Question)
				}
			}
		}
	}
}

func TestDebugTrace(t *testing.T) {
	kb, _ := Load(DefaultFS())
	m := NewMatcher(kb, nil, Options{})
	ix := m.idx.Load()
	for _, q := range []string{os.Getenv("Q")} {
		slots := ix.analyze(q)
		fmt.Println(tokenize(q, 48))
		for _, s := range slots {
			fmt.Printf(" slot content=%v typo=%v:", s.content, s.typo)
			for _, t := range s.terms {
				fmt.Printf(" %s(%.2f idf %.2f)", ix.names[t.id], t.w, ix.idf[t.id])
			}
			for _, t := range s.pair {
				fmt.Printf(" [%s](%.2f)", ix.names[t.id], t.w)
			}
			fmt.Println()
		}
		r := m.Match(q)
		for _, c := range r.Candidates {
			fmt.Printf("  %-22s %.2f\n", c.Entry.ID, c.Score)
		}
	}
}

func TestDebugSweep(t *testing.T) {
	kb, _ := Load(DefaultFS())
	sets := map[string][]Labeled{}
	for _, f := range []string{"testdata/dev-questions.tsv", "testdata/holdout-questions.tsv"} {
		fh, _ := os.Open(f)
		sets[f], _ = ReadLabeled(fh, nil)
		fh.Close()
	}
	for _, lam := range []float64{0, 0.25, 0.5, 1} {
		for _, aw := range []float64{0.4, 0.8} {
			p := DefaultParams
			_ = lam
			p.Weight[fieldAnswer] = aw
			m := NewMatcher(kb, nil, Options{Params: &p})
			fmt.Printf("lam %.2f aw %.1f:", lam, aw)
			for _, f := range []string{"testdata/dev-questions.tsv", "testdata/holdout-questions.tsv"} {
				top1, n := 0, 0
				for _, q := range sets[f] {
					if q.Want == "-" {
						continue
					}
					n++
					r := m.Match(q.Question)
					if len(r.Candidates) > 0 && r.Candidates[0].Entry.ID == q.Want {
						top1++
					}
				}
				fmt.Printf("  %d/%d", top1, n)
			}
			fmt.Println()
		}
	}
}


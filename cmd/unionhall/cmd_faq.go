package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/unionhall/unionhall/bot"
	"github.com/unionhall/unionhall/faq"
	"github.com/unionhall/unionhall/faq/passages"
)

// knowledgeBaseFrom loads the configuration, as every subcommand does, and
// the knowledge base it names: what the FAQ subcommands work on.
func knowledgeBaseFrom(lookupEnv func(string) (string, bool)) (config, *faq.KB, error) {
	cfg, err := configFrom(lookupEnv)
	if err != nil {
		return cfg, nil, err
	}
	kb, err := cfg.loadKB()
	return cfg, kb, err
}

// askAnswer is one line of "unionhall ask --json".
type askAnswer struct {
	Question    string   `json:"question"`
	ID          string   `json:"id"`
	Confidence  float64  `json:"confidence"`
	Answer      string   `json:"answer"`
	Suggestions []string `json:"suggestions"`
	Outcome     string   `json:"outcome"`
	// Citation and Passage are set for a passage answer: where in the
	// union's documents it is, and the text quoted.
	Citation string `json:"citation,omitempty"`
	Passage  string `json:"passage,omitempty"`
	// Offered are the citations of the passages offered beside the
	// suggestions, best first.
	Offered []string `json:"offered,omitempty"`
	// Beside is the citation of the passage shown beside an entry's
	// answer.
	Beside string `json:"beside,omitempty"`
}

// cmdAsk answers questions from the command line, or one per line of
// standard input with --json. It uses the phrasings stewards added when
// the database exists, and never creates one.
func cmdAsk(ctx context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error {
	fset := flag.NewFlagSet("ask", flag.ContinueOnError)
	fset.SetOutput(std.err)
	jsonOut := fset.Bool("json", false, "read questions from standard input, one per line, and print one JSON object per line")
	if err := fset.Parse(args); err != nil {
		return err
	}
	cfg, kb, err := knowledgeBaseFrom(lookupEnv)
	if err != nil {
		return err
	}
	// Phrasings stewards added are in the database, when there is one;
	// ask never creates one.
	var st faq.Store
	if _, err := os.Stat(cfg.DBPath); err == nil || isPostgresURL(cfg.DBPath) {
		stores, closeDB, err := openStore(ctx, cfg.DBPath, bot.SystemClock{})
		if err != nil {
			return err
		}
		defer closeDB()
		st = stores.FAQ
	}
	m, err := newMatcher(ctx, kb, st, nil)
	if err != nil {
		return err
	}
	if !*jsonOut {
		q := strings.Join(fset.Args(), " ")
		if strings.TrimSpace(q) == "" {
			return errors.New(`ask: give a question, e.g. unionhall ask "is there a wage freeze?", or use --json to read questions from standard input`)
		}
		return printAnswer(std.out, m, m.Match(q), cfg.vars.get("UNIONHALL_STEWARD_CONTACT"))
	}
	sc := bufio.NewScanner(std.in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	enc := json.NewEncoder(std.out)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		q := strings.TrimSpace(sc.Text())
		res := m.Match(q)
		a := askAnswer{Question: q, Confidence: math.Round(res.Confidence*1000) / 1000, Suggestions: []string{}, Outcome: res.Outcome.String()}
		switch res.Outcome {
		case faq.Answer:
			a.ID, a.Answer = res.Entry.ID, res.Entry.Answer
			if res.Beside != nil {
				a.Beside = res.Beside.Citation
			}
		case faq.Passage:
			a.Citation, a.Passage = res.Quoted.Citation, res.Quoted.Excerpt(faq.MaxExcerptChars)
		case faq.Suggest:
			for _, e := range res.Suggestions {
				a.Suggestions = append(a.Suggestions, e.ID)
			}
			for _, p := range res.Offered {
				a.Offered = append(a.Offered, p.Citation)
			}
		}
		if err := enc.Encode(a); err != nil {
			return fmt.Errorf("write answer: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	return nil
}

// printAnswer prints a matcher result for a person.
func printAnswer(w io.Writer, m *faq.Matcher, r faq.Result, contact string) error {
	var b strings.Builder
	switch r.Outcome {
	case faq.Answer:
		fmt.Fprintf(&b, "%s\n\n%s\n\n", r.Entry.Question, r.Entry.Answer)
		if r.Beside != nil {
			fmt.Fprintf(&b, "In the agreement, %s\n\n", r.Beside.Offer())
		}
		fmt.Fprintf(&b, "%s\n(topic %s, confidence %.2f)\n", m.Citation(r.Entry), r.Entry.ID, r.Confidence)
	case faq.Suggest:
		fmt.Fprintf(&b, "Not sure (confidence %.2f). Did you mean one of these?\n", r.Confidence)
		for _, e := range r.Suggestions {
			fmt.Fprintf(&b, "  - %s [%s]\n", e.Question, e.ID)
		}
		for _, p := range r.Offered {
			fmt.Fprintf(&b, "  - From the agreement, %s\n", p.Offer())
		}
	case faq.Passage:
		b.WriteString(r.Quoted.Reply() + "\n")
	case faq.Clarify:
		b.WriteString("That names no subject to look up. Ask in words, for example: is there a wage freeze?\n")
	default:
		b.WriteString("No reliable answer in the knowledge base.")
		if e := m.Entry(faq.ContactEntry); e != nil {
			b.WriteString(" " + e.Answer)
		}
		if contact == "" {
			contact = faq.DefaultContact
		}
		b.WriteString(" " + contact + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cmdFAQ runs "unionhall faq eval" and "unionhall faq train".
func cmdFAQ(_ context.Context, args []string, std stdio, lookupEnv func(string) (string, bool)) error {
	const use = "usage: unionhall faq eval FILE.tsv [--baseline] [--typos] [--runon] [--shorthand] | unionhall faq eval --validation [--baseline] [--typos] [--runon] [--shorthand] | unionhall faq train [DIR]"
	if len(args) == 0 {
		return errors.New(use)
	}
	cfg, err := configFrom(lookupEnv)
	if err != nil {
		return err
	}
	switch args[0] {
	case "eval":
		return cmdFAQEval(args[1:], std, cfg, use)
	case "train":
		return cmdFAQTrain(args[1:], std, cfg, use)
	}
	return errors.New(use)
}

// cmdFAQEval measures the matcher, and with --baseline plain BM25, on a
// file of labelled questions, or with --validation on the training
// phrasings that faq.SplitPhrasings holds apart. The classifier never
// learns from a question it is measured on: training phrasings that are
// questions of the file are left out of its training. With --shorthand
// every question is asked in phone shorthand (faq.Shortened), with --runon
// wrapped in small talk (faq.Wrapped), and with --typos with synthetic
// typos (faq.Misspelt), in that order when they are combined.
func cmdFAQEval(args []string, std stdio, cfg config, use string) error {
	var file string
	baseline, validation, typos, runon, short := false, false, false, false, false
	for _, a := range args {
		switch {
		case a == "--baseline" || a == "-baseline":
			baseline = true
		case a == "--typos" || a == "-typos":
			typos = true
		case a == "--runon" || a == "-runon":
			runon = true
		case a == "--shorthand" || a == "-shorthand":
			short = true
		case a == "--validation" || a == "-validation":
			validation = true
		case strings.HasPrefix(a, "-"):
			return fmt.Errorf("faq eval: unknown option %s\n%s", a, use)
		case file != "":
			return fmt.Errorf("faq eval: one file at a time\n%s", use)
		default:
			file = a
		}
	}
	if (file == "") == !validation {
		return errors.New(use)
	}
	kb, err := cfg.loadKB()
	if err != nil {
		return err
	}
	var set []faq.Labeled
	if validation {
		var train []faq.Labeled
		train, set = faq.SplitPhrasings(kb.Phrasings)
		if len(set) == 0 {
			return errors.New("faq eval --validation: the knowledge base has no training phrasings")
		}
		file = fmt.Sprintf("validation phrasings (one in five, %d of %d)", len(set), len(kb.Phrasings))
		kb = kb.WithPhrasings(train)
	} else if set, err = readEvalSet(file, kb); err != nil {
		return err
	}
	kb, left := kb.WithoutQuestions(set)
	if left > 0 {
		fmt.Fprintf(std.out, "%d training phrasings equal to questions of the set were left out of the classifier's training.\n", left)
	}
	if short {
		set = faq.Shortened(set)
		file += ", in shorthand"
	}
	if runon {
		set = faq.Wrapped(set)
		file += ", wrapped in small talk"
	}
	if typos {
		set = faq.Misspelt(set)
		file += ", with typos"
	}
	systems := []struct {
		name string
		sys  faq.System
	}{{"matcher", faq.NewMatcher(kb, nil, faq.Options{})}}
	if baseline {
		systems = append(systems, struct {
			name string
			sys  faq.System
		}{"BM25 baseline", faq.NewBaseline(kb)})
	}
	reports := make([]faq.Report, len(systems))
	for i, s := range systems {
		reports[i] = faq.Evaluate(s.sys, set)
	}
	return printReports(std.out, file, reports, systems[0].name, baselineName(baseline))
}

// readEvalSet reads a file of labelled questions for kb.
func readEvalSet(file string, kb *faq.KB) ([]faq.Labeled, error) {
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("faq eval: %s does not exist", file)
		}
		return nil, fmt.Errorf("faq eval: %w", err)
	}
	defer f.Close()
	set, err := faq.ReadLabeled(f, func(id string) bool {
		return kb.Entry(id) != nil || slices.ContainsFunc(kb.Passages, func(p passages.Passage) bool { return faq.PassageHolds(p, id) })
	})
	if err != nil {
		return nil, fmt.Errorf("faq eval %s: %w", file, err)
	}
	return set, nil
}

// cmdFAQTrain trains the classifier on a knowledge base directory (DIR,
// else UNIONHALL_KB_DIR) and writes it there as faq.ModelFile, so that
// start-up loads it instead of training.
func cmdFAQTrain(args []string, std stdio, cfg config, use string) error {
	dir := cfg.KBDir
	switch len(args) {
	case 0:
	case 1:
		dir = args[0]
	default:
		return errors.New(use)
	}
	if dir == "" || strings.HasPrefix(dir, "-") {
		return fmt.Errorf("faq train: name the knowledge base directory, or set UNIONHALL_KB_DIR\n%s", use)
	}
	kb, err := faq.Load(os.DirFS(dir))
	if err != nil {
		return fmt.Errorf("faq train %s: %w", dir, err)
	}
	start := time.Now()
	m, err := faq.TrainModel(kb, faq.DefaultTrainOptions)
	if err != nil {
		return fmt.Errorf("faq train %s: %w", dir, err)
	}
	data, err := m.MarshalBinary()
	if err != nil {
		return fmt.Errorf("faq train: %w", err)
	}
	path := filepath.Join(dir, faq.ModelFile)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("faq train: %w", err)
	}
	fmt.Fprintf(std.out, "trained on %d entries and %d phrasings in %v; wrote %s (%d bytes)\n",
		len(kb.Entries), len(kb.Phrasings), time.Since(start).Round(time.Millisecond), path, len(data))
	return nil
}

func baselineName(on bool) string {
	if on {
		return "BM25 baseline"
	}
	return ""
}

func printReports(w io.Writer, file string, rs []faq.Report, names ...string) error {
	fmt.Fprintf(w, "%s: %d in-scope questions, %d out-of-scope\n\n", file, rs[0].InScope, rs[0].OutOfScope)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for i := range rs {
		fmt.Fprintf(tw, "%s\t", names[i])
	}
	fmt.Fprintln(tw)
	row := func(label string, v func(faq.Report) string) {
		fmt.Fprintf(tw, "%s\t", label)
		for _, r := range rs {
			fmt.Fprintf(tw, "%s\t", v(r))
		}
		fmt.Fprintln(tw)
	}
	row("P@1 (in scope)", func(r faq.Report) string { return fmt.Sprintf("%.3f", r.PrecisionAt1()) })
	row("MRR (in scope)", func(r faq.Report) string { return fmt.Sprintf("%.3f", r.MRR()) })
	row("ranked first (in scope)", func(r faq.Report) string { return fmt.Sprintf("%.3f", r.FirstRate()) })
	row("wrong-answer rate (in scope)", func(r faq.Report) string { return fmt.Sprintf("%.3f", r.WrongRate()) })
	row("answered or suggested (in scope)", func(r faq.Report) string { return fmt.Sprintf("%.3f", r.OfferedRate()) })
	row("false-answer rate (out of scope)", func(r faq.Report) string { return fmt.Sprintf("%.3f", r.FalseAnswerRate()) })
	row("wrong answers (in scope)", func(r faq.Report) string { return fmt.Sprint(r.Wrong) })
	row("not answered (in scope)", func(r faq.Report) string { return fmt.Sprint(r.InScope - r.Correct - r.Wrong) })
	row("false answers (out of scope)", func(r faq.Report) string { return fmt.Sprint(r.FalseAnswers) })
	if rs[0].Quoted+rs[0].OfferedPassages+rs[0].QuotedOutOfScope > 0 {
		row("passages quoted (in scope)", func(r faq.Report) string { return fmt.Sprint(r.Quoted) })
		row("  holding the answer", func(r faq.Report) string { return fmt.Sprint(r.QuotedRight) })
		row("  not holding it", func(r faq.Report) string { return fmt.Sprint(r.Quoted - r.QuotedRight) })
		row("right passage offered, not quoted", func(r faq.Report) string { return fmt.Sprint(r.OfferedPassages) })
		row("right passage beside an entry's answer", func(r faq.Report) string { return fmt.Sprint(r.BesideRight) })
		row("right passage cited (in scope)", func(r faq.Report) string { return fmt.Sprintf("%.3f", r.CitedRate()) })
		row("passages quoted (out of scope)", func(r faq.Report) string { return fmt.Sprint(r.QuotedOutOfScope) })
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, r := range rs {
		fmt.Fprintf(w, "\nMisses of the %s (%d):\n", names[i], len(r.Misses))
		for _, m := range r.Misses {
			got := m.Got
			if got == "" {
				got = "(no answer; best " + orDash(m.Top) + ")"
			}
			conf := ""
			if m.Confidence >= 0 {
				conf = fmt.Sprintf(", confidence %.2f", m.Confidence)
			}
			fmt.Fprintf(w, "  line %d: want %s, got %s%s: %s\n", m.Line, m.Want, got, conf, m.Question)
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

package faq

import (
	"bytes"
	"io/fs"
	"math"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"testing/fstest"
)

// TestStoredModelIsCurrent checks that the classifier stored with the
// default knowledge base was trained on it as it is, and that training
// again gives the same weights (up to the stored precision): run
// go generate ./faq after changing the entries, lexicon or phrasings.
func TestStoredModelIsCurrent(t *testing.T) {
	kb := loadDefault(t)
	if kb.Model == nil || !kb.Model.Fits(kb) {
		t.Fatalf("%s does not fit the knowledge base: run go generate ./faq", ModelFile)
	}
	fresh, err := TrainModel(kb, DefaultTrainOptions)
	if err != nil {
		t.Fatal(err)
	}
	stored, trained := kb.Model.c, fresh.c
	if !slices.Equal(stored.classes, trained.classes) || !slices.Equal(stored.keys, trained.keys) {
		t.Fatalf("stored classes or features differ from training: run go generate ./faq")
	}
	k := len(trained.classes)
	ws, got := make([]float32, k), make([]float32, k)
	for row := range trained.keys {
		trained.weights.row(row, ws)
		stored.weights.row(row, got)
		var top float64
		for _, w := range ws {
			top = max(top, math.Abs(float64(w)))
		}
		step := top / 127 // the stored precision
		for j, w := range ws {
			if d := math.Abs(float64(w - got[j])); d > step*0.51+1e-6 {
				t.Fatalf("feature %d, class %s: stored weight %v, trained %v", row, trained.classes[j], got[j], w)
			}
		}
	}
	for i := range trained.bias {
		if math.Abs(float64(trained.bias[i]-stored.bias[i])) > 1e-5 {
			t.Fatalf("class %s: stored bias %v, trained %v", trained.classes[i], stored.bias[i], trained.bias[i])
		}
	}
	if !slices.Equal(wordList(stored.words), wordList(trained.words)) || len(stored.known) != len(trained.known) {
		t.Error("stored vocabulary differs from training")
	}
	if !reflect.DeepEqual(stored.near, trained.near) {
		t.Error("stored nearest phrasings differ from training: run go generate ./faq")
	}
}

// TestModelFileRoundTrip checks that a model read back decides like the
// trained one, and that a damaged or foreign file is refused while one
// of an earlier version is passed over.
func TestModelFileRoundTrip(t *testing.T) {
	kb := loadDefault(t)
	m := kb.Model
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := readModel(data, kb.Lexicon)
	if err != nil {
		t.Fatal(err)
	}
	if back.sum != m.sum || !back.Fits(kb) {
		t.Error("fingerprint lost")
	}
	for _, q := range kb.Phrasings[:200] {
		toks := tokenize(q.Question, maxQueryTokens)
		a, b := make([]float32, len(m.c.classes)), make([]float32, len(m.c.classes))
		m.c.scores(toks, a, nil)
		back.c.scores(toks, b, nil)
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-6 {
				t.Fatalf("%q: class %s %v read back as %v", q.Question, m.c.classes[i], a[i], b[i])
			}
		}
	}
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"foreign":   []byte("PK\x03\x04 not a model"),
		"truncated": data[:len(data)/2],
		"trailing":  append(append([]byte(nil), data...), 0),
	} {
		if _, err := readModel(bad, kb.Lexicon); err == nil {
			t.Errorf("%s file accepted", name)
		}
	}
	old := bytes.Replace(data, []byte(modelVersion), []byte("faq-classifier-0"), 1)
	if _, err := readModel(old, kb.Lexicon); err != errOldModel {
		t.Errorf("earlier version: %v", err)
	}

	fsys := fstest.MapFS{}
	for _, f := range []string{SourcesFile, LexiconFile, "entries/pension.yaml", "entries/contact-steward.yaml", "phrasings/offtopic.tsv"} {
		b, err := fs.ReadFile(DefaultFS(), f)
		if err != nil {
			t.Fatal(err)
		}
		fsys[f] = &fstest.MapFile{Data: b}
	}
	fsys["phrasings/offtopic.tsv"] = &fstest.MapFile{Data: []byte("pension\twhat about my pension\n-\tis it going to rain\n")}
	fsys[ModelFile] = &fstest.MapFile{Data: []byte("garbage")}
	if _, err := Load(fsys); err == nil || !bytes.Contains([]byte(err.Error()), []byte(ModelFile)) {
		t.Errorf("a damaged %s: %v", ModelFile, err)
	}
	fsys[ModelFile] = &fstest.MapFile{Data: old}
	small, err := Load(fsys)
	if err != nil || small.Model != nil {
		t.Fatalf("a model of an earlier version: %v, %v", small.Model, err)
	}
	// A knowledge base whose stored model does not fit it trains its own.
	fsys[ModelFile] = &fstest.MapFile{Data: data}
	if small, err = Load(fsys); err != nil || small.Model == nil || small.Model.Fits(small) {
		t.Fatalf("model of another knowledge base: %v", err)
	}
	if c := NewMatcher(small, nil, Options{}).clf; c == nil || c == small.Model.c || len(c.classes) != 3 {
		t.Errorf("a knowledge base changed since its model was trained is answered with the old model")
	}
}

// TestStoredWeightsScoreAsExpanded checks that the classifier computing
// with its weights as stored (a signed byte a class and a scale a row)
// gives every question exactly the probabilities it would with the
// weights expanded to float32, bit for bit.
func TestStoredWeightsScoreAsExpanded(t *testing.T) {
	kb := loadDefault(t)
	stored := kb.Model.c
	if stored.weights.levels == nil {
		t.Fatal("the stored model's weights were expanded when read")
	}
	k := len(stored.classes)
	expanded := *stored
	expanded.weights = weights{k: k, exact: make([]float32, len(stored.keys)*k)}
	for row := range stored.keys {
		stored.weights.row(row, expanded.weights.exact[row*k:row*k+k])
	}
	questions := []string{"is there a wage freeze", "how does this work", "vote", "whne is teh deadlnie", "my dog's health insurance", "zzqx"}
	for i := 0; i < len(kb.Phrasings); i += 97 {
		questions = append(questions, kb.Phrasings[i].Question)
	}
	for _, q := range questions {
		toks := tokenize(q, maxQueryTokens)
		a, b := make([]float32, k), make([]float32, k)
		pa, pb := make([]float64, k), make([]float64, k)
		stored.scores(toks, a, pa)
		expanded.scores(toks, b, pb)
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) || math.Float64bits(pa[i]) != math.Float64bits(pb[i]) {
				t.Fatalf("%q, class %s: %v (%v without the nearest texts) as stored, %v (%v) expanded", q, stored.classes[i], a[i], pa[i], b[i], pb[i])
			}
		}
	}
}

// TestKnowledgeBaseWithoutPhrasingsUsesBM25F checks that a knowledge base
// with nothing to train a classifier on is answered by BM25F alone, with
// its own calibration.
func TestKnowledgeBaseWithoutPhrasingsUsesBM25F(t *testing.T) {
	kb := loadDefault(t)
	var inScope []Labeled
	for _, p := range kb.Phrasings {
		if p.Want != OutOfScope {
			inScope = append(inScope, p)
		}
	}
	for name, k := range map[string]*KB{"none": kb.WithPhrasings(nil), "no out-of-scope ones": kb.WithPhrasings(inScope)} {
		m := NewMatcher(k, nil, Options{})
		if m.clf != nil || m.opts.Calibration != &DefaultCalibration {
			t.Errorf("%s: a classifier without the phrasings it needs", name)
		}
		if _, err := TrainModel(k, DefaultTrainOptions); err == nil {
			t.Errorf("%s: trained a classifier", name)
		}
		if r := m.Match("is there a wage freeze"); r.Outcome != Answer || r.Entry.ID != "wage-freeze" {
			t.Errorf("%s: %v %v", name, r.Outcome, r.Candidates)
		}
	}
}

// BenchmarkLoadDefaultKB is the FAQ's part of start-up: loading the
// default knowledge base with its stored classifier and indexing it
// (target: well under 50 ms). It reports the heap that a loaded
// knowledge base and its matcher keep.
func BenchmarkLoadDefaultKB(b *testing.B) {
	load := func() *Matcher {
		kb, err := Load(DefaultFS())
		if err != nil {
			b.Fatal(err)
		}
		m := NewMatcher(kb, nil, Options{})
		if m.clf != kb.Model.c {
			b.Fatal("the stored classifier was not used")
		}
		return m
	}
	for b.Loop() {
		load()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := load()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(m)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "heap-MB")
}

// BenchmarkTrainDefaultKB is what training the classifier costs, which
// start-up pays only when the stored one does not fit the knowledge base.
func BenchmarkTrainDefaultKB(b *testing.B) {
	kb := loadDefault(b)
	for b.Loop() {
		if _, err := TrainModel(kb, DefaultTrainOptions); err != nil {
			b.Fatal(err)
		}
	}
}

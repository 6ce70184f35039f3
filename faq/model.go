package faq

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
)

//go:generate go run ../cmd/unionhall faq train kb

// ModelFile is the knowledge base file that holds a classifier trained on
// it (see Model), so that start-up does not have to train one. It is
// written by "unionhall faq train" (and, for the default knowledge base,
// by go generate).
const ModelFile = "classifier.bin"

// Model is a classifier trained on one knowledge base: which entry a
// question asks for, learnt from the entries' questions, alternates,
// topics and keywords and from the training phrasings. It remembers a
// fingerprint of what it learnt from, so that a knowledge base changed
// since is not answered with a model that no longer fits it.
type Model struct {
	c   *classifier
	sum [sha256.Size]byte
}

// TrainModel trains a classifier on kb. It takes a few hundred
// milliseconds for the default knowledge base. It fails when kb has no
// training phrasings for its entries, none out of scope, or more entries
// than a classifier is trained for.
func TrainModel(kb *KB, opts TrainOptions) (*Model, error) {
	if !trainable(kb) {
		return nil, fmt.Errorf("a classifier needs training phrasings (%s/*.tsv) for entries and out of scope, and at most %d entries", PhrasingsDir, maxClasses-1)
	}
	opts = opts.withDefaults()
	return &Model{c: trainClassifier(kb, kb.Phrasings, opts), sum: fingerprint(kb, opts)}, nil
}

// Fits reports whether m was trained on kb as it is now, with the default
// training options.
func (m *Model) Fits(kb *KB) bool {
	return m.sum == fingerprint(kb, DefaultTrainOptions) && slices.Equal(m.c.classes, classIDs(kb))
}

// trainable reports whether kb has what a classifier needs: phrasings for
// entries and messages that no entry answers, and not too many entries.
func trainable(kb *KB) bool {
	var in, out bool
	for _, p := range kb.Phrasings {
		in = in || p.Want != OutOfScope
		out = out || p.Want == OutOfScope
	}
	return in && out && len(kb.Entries)+1 <= maxClasses
}

// classifierFor returns the classifier a Matcher combines with BM25F:
// the given model, else the knowledge base's own when it fits, else a new
// one; nil when kb cannot train one.
func classifierFor(kb *KB, m *Model) *classifier {
	if m != nil && slices.Equal(m.c.classes, classIDs(kb)) {
		return m.c
	}
	if !trainable(kb) {
		return nil
	}
	if kb.Model != nil && kb.Model.Fits(kb) {
		return kb.Model.c
	}
	m, err := TrainModel(kb, DefaultTrainOptions)
	if err != nil {
		return nil // cannot happen: checked by trainable
	}
	return m.c
}

// classIDs are the classes a classifier for kb has: the entry ids, then
// OutOfScope.
func classIDs(kb *KB) []string {
	ids := make([]string, 0, len(kb.Entries)+1)
	for _, e := range kb.Entries {
		ids = append(ids, e.ID)
	}
	return append(ids, OutOfScope)
}

// modelVersion changes whenever features or training change in a way
// that makes older models unfit.
const modelVersion = "faq-classifier-3"

// fingerprint hashes everything a model learns from: the entries' fields
// that it reads, the lexicon, the training phrasings and the training
// options. Answers are not among them, so correcting an answer keeps the
// model.
func fingerprint(kb *KB, opts TrainOptions) [sha256.Size]byte {
	h := sha256.New()
	put := func(s string) {
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		io.WriteString(h, s)
	}
	put(modelVersion)
	put(fmt.Sprintf("%+v", opts))
	for _, e := range kb.Entries {
		put(e.ID)
		put(e.Topic)
		put(e.Question)
		put(fmt.Sprint(len(e.Alternates), len(e.Keywords)))
		for _, t := range append(append([]string(nil), e.Alternates...), e.Keywords...) {
			put(t)
		}
	}
	keys := make([]string, 0, len(kb.Lexicon))
	for k := range kb.Lexicon {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		put(k)
		put(kb.Lexicon[k])
	}
	for _, p := range kb.Phrasings {
		put(p.Want)
		put(p.Question)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// modelMagic starts every model file.
const modelMagic = "UNIONHALL-FAQ-MODEL\n"

// MarshalBinary encodes the model compactly: each feature's weights are
// stored as signed bytes with a scale per feature, which changes no
// decision the classifier makes in practice (see model_test.go).
func (m *Model) MarshalBinary() ([]byte, error) {
	c := m.c
	var b bytes.Buffer
	b.WriteString(modelMagic)
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) } // a bytes.Buffer cannot fail
	w(uint8(len(modelVersion)))
	b.WriteString(modelVersion)
	b.Write(m.sum[:])
	w(uint32(len(c.classes)))
	for _, id := range c.classes {
		w(uint16(len(id)))
		b.WriteString(id)
	}
	w([3]float32{c.fz.weights.Words, c.fz.weights.Chars, c.fz.weights.Expansion})
	words := wordList(c.words)
	w(uint32(len(words)))
	for _, s := range words {
		w(uint8(len(s)))
		b.WriteString(s)
	}
	known := slices.Sorted(maps.Keys(c.known))
	w(uint32(len(known)))
	for _, s := range known {
		w(uint8(min(len(s), 255)))
		b.WriteString(s[:min(len(s), 255)])
	}
	w(c.bias)
	w(uint32(len(c.keys)))
	w(c.keys)
	k := len(c.classes)
	row := make([]int8, k)
	for i := range c.keys {
		ws := c.weights[i*k : i*k+k]
		var top float32
		for _, x := range ws {
			top = max(top, float32(math.Abs(float64(x))))
		}
		scale := top / 127
		for j, x := range ws {
			if scale > 0 {
				row[j] = int8(math.Round(float64(x / scale)))
			} else {
				row[j] = 0
			}
		}
		w(scale)
		w(row)
	}
	return b.Bytes(), nil
}

// wordList lists the words filed by setWords.
func wordList(b [][]vocabWord) []string {
	var out []string
	for _, ws := range b {
		for _, w := range ws {
			out = append(out, w.word)
		}
	}
	return out
}

// errOldModel is the error of a model written by an earlier version,
// which is ignored: one is trained instead.
var errOldModel = errors.New("classifier model of an earlier version")

// readModel decodes a model written by MarshalBinary, for a knowledge
// base with the given lexicon.
func readModel(data []byte, lexicon map[string]string) (*Model, error) {
	if !bytes.HasPrefix(data, []byte(modelMagic)) {
		return nil, errors.New("not a classifier model file")
	}
	r := bytes.NewReader(data[len(modelMagic):])
	m := &Model{c: &classifier{}}
	c := m.c
	var err error
	read := func(v any) {
		if err == nil {
			err = binary.Read(r, binary.LittleEndian, v)
		}
	}
	var vl uint8
	read(&vl)
	version := make([]byte, vl)
	read(version)
	if err == nil && string(version) != modelVersion {
		return nil, errOldModel
	}
	read(&m.sum)
	var n uint32
	read(&n)
	if err == nil && (n < 2 || n > maxClasses) {
		return nil, fmt.Errorf("classifier model: %d classes", n)
	}
	for i := uint32(0); i < n && err == nil; i++ {
		var l uint16
		read(&l)
		id := make([]byte, l)
		read(id)
		c.classes = append(c.classes, string(id))
	}
	var fw [3]float32
	read(&fw)
	c.fz = newFeaturizer(lexicon, featureWeights{Words: fw[0], Chars: fw[1], Expansion: fw[2]})
	readWords := func() []string {
		var n uint32
		read(&n)
		if err == nil && int64(n) > int64(r.Len()) {
			err = errors.New("truncated")
		}
		var out []string
		for i := uint32(0); i < n && err == nil; i++ {
			var l uint8
			read(&l)
			s := make([]byte, l)
			read(s)
			out = append(out, string(s))
		}
		return out
	}
	c.setWords(readWords())
	c.known = map[string]bool{}
	for _, s := range readWords() {
		c.known[s] = true
	}
	k := int(n)
	c.bias = make([]float32, k)
	read(c.bias)
	var rows uint32
	read(&rows)
	if err == nil && int64(rows)*int64(k+12) > int64(r.Len()) {
		return nil, fmt.Errorf("classifier model: truncated")
	}
	c.keys = make([]uint64, rows)
	read(c.keys)
	c.weights = make([]float32, int(rows)*k)
	q := make([]int8, k)
	for i := 0; i < int(rows) && err == nil; i++ {
		var scale float32
		read(&scale)
		read(q)
		for j, x := range q {
			c.weights[i*k+j] = float32(x) * scale
		}
	}
	if err != nil {
		return nil, fmt.Errorf("classifier model: %w", err)
	}
	if r.Len() != 0 || !slices.IsSorted(c.keys) {
		return nil, errors.New("classifier model: malformed")
	}
	return m, nil
}

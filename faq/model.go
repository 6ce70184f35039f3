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
	trained, err := TrainModel(kb, DefaultTrainOptions)
	if err != nil {
		return nil // cannot happen: checked by trainable
	}
	return trained.c
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
const modelVersion = "faq-classifier-8"

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
	for _, v := range words {
		w(uint8(len(v.word)))
		b.WriteString(v.word)
		w(v.df)
	}
	for _, set := range []map[string]bool{c.known, c.offTopic} {
		words := slices.Sorted(maps.Keys(set))
		w(uint32(len(words)))
		for _, s := range words {
			w(uint8(min(len(s), 255)))
			b.WriteString(s[:min(len(s), 255)])
		}
	}
	w(c.bias)
	w(uint32(len(c.keys)))
	w(c.keys)
	k := len(c.classes)
	row := make([]int8, k)
	for i := range c.keys {
		w(c.weights.quantized(i, row))
		w(row)
	}
	writeNeighbours(&b, c.near, len(c.keys))
	return b.Bytes(), nil
}

// writeNeighbours encodes n (none when nil) after the weights: the texts'
// classes, then each row's weight and postings.
func writeNeighbours(b *bytes.Buffer, n *neighbours, rows int) {
	w := func(v any) { _ = binary.Write(b, binary.LittleEndian, v) } // a bytes.Buffer cannot fail
	if n == nil {
		w(uint32(0))
		return
	}
	w(uint32(len(n.classes)))
	w(n.classes)
	for row := range rows {
		w(n.idf[row])
		w(uint32(len(n.postings[row])))
		for _, p := range n.postings[row] {
			w(p.text)
			w(p.share)
		}
	}
}

// readNeighbours decodes what writeNeighbours wrote, for a classifier
// of k classes and the given rows; nil when the model has none.
func readNeighbours(d *decoder, k, rows int) (*neighbours, error) {
	texts := d.u32()
	if texts == 0 || d.short {
		return nil, nil
	}
	if texts > len(d.b)/2 {
		return nil, errors.New("classifier model: malformed neighbours")
	}
	n := &neighbours{idf: make([]float32, rows), postings: make([][]textShare, rows), classes: make([]uint16, texts)}
	for i := range n.classes {
		n.classes[i] = uint16(d.u16())
		if int(n.classes[i]) >= k {
			return nil, errors.New("classifier model: malformed neighbours")
		}
	}
	for row := 0; row < rows && !d.short; row++ {
		n.idf[row] = d.f32()
		count := d.u32()
		if count > len(d.b)/6 {
			return nil, errors.New("classifier model: malformed neighbours")
		}
		if count == 0 {
			continue
		}
		ps := make([]textShare, count)
		for i := range ps {
			ps[i] = textShare{text: uint32(d.u32()), share: uint16(d.u16())}
			if int(ps[i].text) >= texts {
				return nil, errors.New("classifier model: malformed neighbours")
			}
		}
		n.postings[row] = ps
	}
	return n, nil
}

// wordList lists the words filed by setWords.
func wordList(b [][]vocabWord) []vocabWord {
	var out []vocabWord
	for _, ws := range b {
		out = append(out, ws...)
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
	d := &decoder{b: data[len(modelMagic):]}
	if d.str(d.u8()) != modelVersion && !d.short {
		return nil, errOldModel
	}
	m := &Model{c: &classifier{}}
	c := m.c
	copy(m.sum[:], d.take(len(m.sum)))
	k := d.u32()
	if !d.short && (k < 2 || k > maxClasses) {
		return nil, fmt.Errorf("classifier model: %d classes", k)
	}
	for i := 0; i < k && !d.short; i++ {
		c.classes = append(c.classes, d.str(d.u16()))
	}
	c.fz = newFeaturizer(lexicon, featureWeights{Words: d.f32(), Chars: d.f32(), Expansion: d.f32()})
	words := map[string]int32{}
	for i, n := 0, d.u32(); i < n && !d.short; i++ {
		w := d.str(d.u8())
		words[w] = int32(d.u32())
	}
	c.setWords(words)
	c.known, c.offTopic = map[string]bool{}, map[string]bool{}
	for _, set := range []map[string]bool{c.known, c.offTopic} {
		for i, n := 0, d.u32(); i < n && !d.short; i++ {
			set[d.str(d.u8())] = true
		}
	}
	c.bias = make([]float32, k)
	for i := range c.bias {
		c.bias[i] = d.f32()
	}
	rows := d.u32()
	if d.short || rows*(8+4+k) > len(d.b) {
		return nil, errors.New("classifier model: truncated or malformed")
	}
	c.keys = make([]uint64, rows)
	for i := range c.keys {
		c.keys[i] = binary.LittleEndian.Uint64(d.take(8))
	}
	if !slices.IsSorted(c.keys) {
		return nil, errors.New("classifier model: malformed")
	}
	c.weights = weights{k: k, levels: make([]int8, rows*k), scales: make([]float32, rows)}
	for i := range rows {
		c.weights.scales[i] = d.f32()
		for j, x := range d.take(k) {
			c.weights.levels[i*k+j] = int8(x)
		}
	}
	near, err := readNeighbours(d, k, rows)
	if err != nil {
		return nil, err
	}
	if d.short || len(d.b) != 0 {
		return nil, errors.New("classifier model: truncated or malformed")
	}
	c.near = near
	return m, nil
}

// decoder reads the little-endian fields of a model file. A field past
// the end reads as zero and marks the file short, so that fields can be
// read one after another and the file checked once.
type decoder struct {
	b     []byte
	short bool
}

func (d *decoder) take(n int) []byte {
	if d.short || n > len(d.b) {
		d.short = true
		return make([]byte, n)
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) u8() int          { return int(d.take(1)[0]) }
func (d *decoder) u16() int         { return int(binary.LittleEndian.Uint16(d.take(2))) }
func (d *decoder) u32() int         { return int(binary.LittleEndian.Uint32(d.take(4))) }
func (d *decoder) f32() float32     { return math.Float32frombits(binary.LittleEndian.Uint32(d.take(4))) }
func (d *decoder) str(n int) string { return string(d.take(n)) }

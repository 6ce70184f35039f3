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
const modelVersion = "faq-classifier-9"

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
	scales, levels := make([]float32, len(c.keys)), make([]byte, len(c.keys)*k)
	for i := range c.keys {
		scales[i] = c.weights.quantized(i, levels[i*k:i*k+k])
	}
	w(scales)
	b.Write(levels)
	writeNeighbours(&b, c.near, len(c.keys))
	return b.Bytes(), nil
}

// writeNeighbours encodes n (none when nil) after the weights: the texts'
// classes, every row's weight, every row's number of postings as a
// uvarint, then the postings row after row, each the step from the text
// before (from -1 for a row's first) as a uvarint and the share as a
// uint16.
func writeNeighbours(b *bytes.Buffer, n *neighbours, rows int) {
	w := func(v any) { _ = binary.Write(b, binary.LittleEndian, v) } // a bytes.Buffer cannot fail
	if n == nil {
		w(uint32(0))
		return
	}
	w(uint32(len(n.classes)))
	w(n.classes)
	w(n.idf)
	var counts, postings []byte
	for row := range int32(rows) {
		count, text, prev := 0, -1, -1
		for _, p := range n.row(row) {
			text += int(p >> 16)
			if share := uint16(p); share > 0 {
				postings = binary.AppendUvarint(postings, uint64(text-prev))
				postings = binary.LittleEndian.AppendUint16(postings, share)
				count, prev = count+1, text
			}
		}
		counts = binary.AppendUvarint(counts, uint64(count))
	}
	b.Write(counts)
	b.Write(postings)
}

// readNeighbours decodes what writeNeighbours wrote, for a classifier
// of k classes and the given rows; nil when the model has none. The
// postings are checked as they are decoded, so that finding a question's
// nearest texts can trust them.
func readNeighbours(d *decoder, k, rows int) (*neighbours, error) {
	malformed := errors.New("classifier model: malformed neighbours")
	texts := d.u32()
	if texts == 0 || d.short {
		return nil, nil
	}
	if texts > len(d.b)/2 || rows > len(d.b)/4 {
		return nil, malformed
	}
	n := &neighbours{idf: make([]float32, rows), ends: make([]uint32, rows), classes: make([]uint16, texts)}
	classes := d.take(2 * texts)
	for i := range n.classes {
		n.classes[i] = binary.LittleEndian.Uint16(classes[2*i:])
		if int(n.classes[i]) >= k {
			return nil, malformed
		}
	}
	idf := d.take(4 * rows)
	if d.short {
		return nil, malformed
	}
	for i := range n.idf {
		n.idf[i] = math.Float32frombits(binary.LittleEndian.Uint32(idf[4*i:]))
	}
	b := d.b
	var total uint64
	for i := range n.ends {
		count, w := binary.Uvarint(b)
		if w <= 0 || count > uint64(len(b)/3) {
			return nil, malformed
		}
		b = b[w:]
		total += count
		n.ends[i] = uint32(count)
	}
	if total > uint64(len(b)/3) { // a posting takes 3 bytes or more
		return nil, malformed
	}
	postings := make([]uint32, 0, total)
	for i, count := range n.ends {
		prev := -1
		for range count {
			// Steps of one or two bytes, nearly all of them, are decoded
			// here rather than by a call.
			var step uint64
			var w int
			switch {
			case len(b) > 0 && b[0] < 0x80:
				step, w = uint64(b[0]), 1
			case len(b) > 1 && b[1] < 0x80:
				step, w = uint64(b[0]&0x7f)|uint64(b[1])<<7, 2
			default:
				step, w = binary.Uvarint(b)
			}
			if w <= 0 || step == 0 || step >= uint64(texts-prev) || len(b) < w+2 {
				return nil, malformed
			}
			text, share := prev+int(step), binary.LittleEndian.Uint16(b[w:])
			if share == 0 {
				return nil, malformed
			}
			postings = appendPosting(postings, prev, text, share)
			prev, b = text, b[w+2:]
		}
		n.ends[i] = uint32(len(postings))
	}
	n.postings, d.b = postings, b
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
	keys := d.take(8 * rows)
	for i := range c.keys {
		c.keys[i] = binary.LittleEndian.Uint64(keys[8*i:])
	}
	if !slices.IsSorted(c.keys) {
		return nil, errors.New("classifier model: malformed")
	}
	c.weights = weights{k: k, scales: make([]float32, rows)}
	scales := d.take(4 * rows)
	for i := range c.weights.scales {
		c.weights.scales[i] = math.Float32frombits(binary.LittleEndian.Uint32(scales[4*i:]))
	}
	c.weights.levels = bytes.Clone(d.take(k * rows))
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

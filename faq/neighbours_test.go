package faq

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// TestNeighboursFindATextItself checks that a training text is at
// cosine 1 from its own class and that a question sharing no feature
// with any text is near none.
func TestNeighboursFindATextItself(t *testing.T) {
	kb := loadDefault(t)
	c := kb.Model.c
	if c.near == nil {
		t.Fatal("the stored model has no nearest texts")
	}
	near := func(q string) []float64 {
		var rows []int32
		var vals []float32
		for _, f := range c.fz.features(tokenize(q, maxQueryTokens), nil) {
			if row, ok := slices.BinarySearch(c.keys, f.key); ok {
				rows, vals = append(rows, int32(row)), append(vals, f.val)
			}
		}
		best := make([]float64, len(c.classes))
		c.near.nearest(rows, vals, best)
		return best
	}
	e := kb.Entries[3]
	best := near(e.Question)
	if math.Abs(best[3]-1) > 0.01 {
		t.Errorf("%q: cosine %.3f with its own entry's nearest text, want 1", e.Question, best[3])
	}
	for i, b := range near("zzqx") {
		if b != 0 {
			t.Errorf("a question of no known feature: cosine %.3f with %s, want 0", b, c.classes[i])
		}
	}
}

// neighboursFile encodes nearest texts as a model file stores them: the
// texts' classes, a weight for each row, each row's number of postings,
// then the postings as given.
func neighboursFile(classes []uint16, counts []uint64, postings []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(classes)))
	for _, c := range classes {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	for range counts {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(1))
	}
	for _, c := range counts {
		b = binary.AppendUvarint(b, c)
	}
	return append(b, postings...)
}

// TestNeighboursFileIsChecked checks that nearest texts are read back as
// written, a step too long for one posting included, and that postings
// naming a text twice, out of order or past the last, or cut short, are
// refused rather than trusted.
func TestNeighboursFileIsChecked(t *testing.T) {
	good := neighboursFile([]uint16{0, 1, 1}, []uint64{2, 0, 1}, []byte{1, 5, 0, 2, 7, 0, 3, 9, 0})
	d := &decoder{b: good}
	n, err := readNeighbours(d, 2, 3)
	if err != nil || len(d.b) != 0 {
		t.Fatalf("well-formed neighbours: %v, %d bytes left", err, len(d.b))
	}
	var again bytes.Buffer
	writeNeighbours(&again, n, 3)
	if !bytes.Equal(again.Bytes(), good) {
		t.Errorf("neighbours written back as %v, read from %v", again.Bytes(), good)
	}

	for name, bad := range map[string][]byte{
		"class past the last":        neighboursFile([]uint16{0, 2, 1}, []uint64{1, 0, 0}, []byte{1, 5, 0}),
		"text past the last":         neighboursFile([]uint16{0, 1, 1}, []uint64{1, 0, 0}, []byte{4, 5, 0}),
		"texts out of order":         neighboursFile([]uint16{0, 1, 1}, []uint64{2, 0, 0}, []byte{2, 5, 0, 2, 5, 0}),
		"a text twice":               neighboursFile([]uint16{0, 1, 1}, []uint64{2, 0, 0}, []byte{1, 5, 0, 0, 5, 0}),
		"a share of nothing":         neighboursFile([]uint16{0, 1, 1}, []uint64{1, 0, 0}, []byte{1, 0, 0}),
		"a step cut short":           neighboursFile([]uint16{0, 1, 1}, []uint64{1, 0, 0}, []byte{0x81}),
		"a step of eleven bytes":     neighboursFile([]uint16{0, 1, 1}, []uint64{1, 0, 0}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 5, 0}),
		"a share cut short":          neighboursFile([]uint16{0, 1, 1}, []uint64{1, 0, 0}, []byte{1, 5}),
		"more postings than bytes":   neighboursFile([]uint16{0, 1, 1}, []uint64{1000, 0, 0}, []byte{1, 5, 0}),
		"the counts cut short":       good[:4+3*2+3*4+1],
		"the weights cut short":      good[:4+3*2+5],
		"fewer postings than counts": good[:len(good)-3],
	} {
		if _, err := readNeighbours(&decoder{b: bad}, 2, 3); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	// Texts 70,000 apart are a step of more than 16 bits.
	classes := make([]uint16, 70001)
	classes[70000] = 1
	far := neighboursFile(classes, []uint64{2}, binary.AppendUvarint([]byte{1, 100, 0}, 70000-0))
	far = append(far, 200, 0)
	if n, err = readNeighbours(&decoder{b: far}, 2, 1); err != nil {
		t.Fatal(err)
	}
	best := make([]float64, 2)
	n.nearest([]int32{0}, []float32{1}, best)
	if math.Abs(best[0]-100.0/maxShare) > 1e-6 || math.Abs(best[1]-200.0/maxShare) > 1e-6 {
		t.Errorf("texts 70,000 apart: cosines %v, want %v and %v", best, 100.0/maxShare, 200.0/maxShare)
	}
	again.Reset()
	writeNeighbours(&again, n, 1)
	if !bytes.Equal(again.Bytes(), far) {
		t.Error("texts 70,000 apart are not written back as read")
	}
}

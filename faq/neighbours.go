package faq

import (
	"cmp"
	"math"
	"slices"
)

// neighbours finds the training texts nearest to a question: the cosine
// of their vectors of the classifier's features, each weighted by its
// inverse document frequency over the texts, so that a word or piece of
// a word few texts share counts for more than one most texts have. Each
// class's evidence is its nearest text's cosine. The classifier learns
// weights that generalise over all of a class's texts; the nearest text
// remembers the one way of asking that a question repeats, which the
// penalty on the weights blurs.
type neighbours struct {
	// idf is each feature's weight, by row of the classifier's keys;
	// zero for a feature no text has.
	idf []float32
	// postings list, row after row, the texts that have each feature and
	// its share of each text's vector (see appendPosting); row i is
	// postings[ends[i-1]:ends[i]].
	postings []uint32
	ends     []uint32
	// classes are the class of each text.
	classes []uint16
}

// textShare is one text's share of one feature: its weight in the text's
// unit-length vector, in units of 1/maxShare.
type textShare struct {
	text  uint32
	share uint16
}

// maxShare is the unit of a textShare's share: a feature that is the whole
// of a text's vector.
const maxShare = math.MaxUint16

// appendPosting appends the posting of a text and its share to postings,
// after the posting of text prev in the same row (-1 for the first).
// Texts are in order within a row, so a posting is the step from the text
// before in its upper 16 bits and the share in the lower: half the memory
// of a text id and a share apiece. A step too long for 16 bits is taken
// in strides of postings of share 0, which add nothing to any text.
func appendPosting(postings []uint32, prev, text int, share uint16) []uint32 {
	step := text - prev
	if step > math.MaxUint16 {
		postings, step = appendStrides(postings, step)
	}
	return append(postings, uint32(step)<<16|uint32(share))
}

// appendStrides appends the postings of share 0 that take a step too long
// for a posting, and returns what is left of the step.
func appendStrides(postings []uint32, step int) ([]uint32, int) {
	for step > math.MaxUint16 {
		postings = append(postings, math.MaxUint16<<16)
		step -= math.MaxUint16
	}
	return postings, step
}

// row returns the postings of row.
func (n *neighbours) row(row int32) []uint32 {
	start := uint32(0)
	if row > 0 {
		start = n.ends[row-1]
	}
	return n.postings[start:n.ends[row]]
}

// neighbourBlend is how much a class's nearest cosine adds to its logit,
// and offTopicNeighbourBlend how much OutOfScope's does. On six splits
// of the phrasings, 3 to 12 for every class ranked the right entry first
// equally often (96%, against 95% without); 6 did best, but answered more
// off-topic messages at each threshold. Messages no entry answers are
// few and about anything, so one near a question is stronger evidence
// than a phrasing of an entry is: at 9 the off-topic messages answered
// fall back within budget, while at 12 wrong answers rise.
const (
	neighbourBlend         = 6
	offTopicNeighbourBlend = 9
)

// newNeighbours indexes the examples, over rows features.
func newNeighbours(examples []example, rows int) *neighbours {
	n := &neighbours{idf: make([]float32, rows), classes: make([]uint16, len(examples))}
	postings := make([][]textShare, rows)
	df := make([]int, rows)
	for _, ex := range examples {
		for _, row := range ex.rows {
			df[row]++
		}
	}
	for row, d := range df {
		if d > 0 {
			n.idf[row] = float32(math.Log(float64(len(examples)) / float64(d)))
		}
	}
	for i, ex := range examples {
		n.classes[i] = uint16(ex.class)
		vec := make([]float64, len(ex.rows))
		var norm float64
		for j, row := range ex.rows {
			vec[j] = float64(ex.vals[j] * n.idf[row])
			norm += vec[j] * vec[j]
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		for j, row := range ex.rows {
			if share := math.Round(vec[j] / norm * maxShare); share > 0 {
				postings[row] = append(postings[row], textShare{text: uint32(i), share: uint16(share)})
			}
		}
	}
	n.ends = make([]uint32, rows)
	for row, ps := range postings {
		prev := -1
		for _, p := range ps {
			n.postings = appendPosting(n.postings, prev, int(p.text), p.share)
			prev = int(p.text)
		}
		n.ends[row] = uint32(len(n.postings))
	}
	return n
}

// nearest sets best (one a class) to the cosine of the question, given
// as its features' rows and values (a row may repeat), with each class's
// nearest text.
//
// It only reads n, which is not changed once built, and writes best and
// memory of its own, so the race detector has nothing to find in it; it
// is left out of the race detector's instrumentation (go:norace), which
// would otherwise make every question several times slower under go test
// -race.
//
//go:norace
func (n *neighbours) nearest(rows []int32, vals []float32, best []float64) {
	clear(best)
	q := make([]rowValue, len(rows))
	for i, row := range rows {
		q[i] = rowValue{row, float64(vals[i])}
	}
	slices.SortFunc(q, func(a, b rowValue) int { return cmp.Compare(a.row, b.row) })
	merged := q[:0]
	for _, rv := range q {
		if last := len(merged) - 1; last >= 0 && merged[last].row == rv.row {
			merged[last].val += rv.val
		} else {
			merged = append(merged, rv)
		}
	}
	var norm float64
	for i, rv := range merged {
		merged[i].val *= float64(n.idf[rv.row])
		norm += merged[i].val * merged[i].val
	}
	if norm == 0 {
		return
	}
	norm = math.Sqrt(norm) * maxShare
	sims := make([]float32, len(n.classes))
	for _, rv := range merged {
		v := float32(rv.val / norm)
		text := -1
		for _, p := range n.row(rv.row) {
			text += int(p >> 16)
			sims[text] += v * float32(uint16(p))
		}
	}
	for i, s := range sims {
		c := n.classes[i]
		best[c] = max(best[c], float64(s))
	}
}

// rowValue is one feature of a question: its row and value.
type rowValue struct {
	row int32
	val float64
}

package eval

import "fmt"

// Accuracy returns the fraction of positions where pred equals labels, or 0
// for empty slices. It panics if the lengths differ.
func Accuracy(pred, labels []int) float64 {
	if len(pred) != len(labels) {
		panic(fmt.Sprintf("eval: Accuracy of %d predictions and %d labels", len(pred), len(labels)))
	}
	if len(pred) == 0 {
		return 0
	}
	n := 0
	for i, p := range pred {
		if p == labels[i] {
			n++
		}
	}
	return float64(n) / float64(len(pred))
}

// Argmax returns the index of the largest element of x. Ties go to the lowest
// index, and a NaN counts as larger than any number (so the first NaN wins),
// as torch.argmax and numpy.argmax do. It panics if x is empty.
//
// The reference loop:
//
//	best := 0
//	for i := range x {
//		if x[i] > x[best] || isNaN(x[i]) && !isNaN(x[best]) {
//			best = i
//		}
//	}
func Argmax(x []float32) int {
	if len(x) == 0 {
		panic("eval: Argmax of an empty slice")
	}
	best, bv := 0, x[0]
	if bv != bv {
		return 0
	}
	for i, v := range x[1:] {
		if v > bv {
			best, bv = i+1, v
		} else if v != v {
			return i + 1
		}
	}
	return best
}

// ArgmaxRows stores into dst the [Argmax] of each row of the row-major matrix
// m with cols columns (for instance the output spike counts of a batch, one
// row per sample) and returns dst. A nil dst is allocated; otherwise its
// length must be the number of rows. It panics if cols is not positive or
// does not divide len(m).
func ArgmaxRows(dst []int, m []float32, cols int) []int {
	if cols <= 0 || len(m)%cols != 0 {
		panic(fmt.Sprintf("eval: ArgmaxRows of %d elements in rows of %d", len(m), cols))
	}
	rows := len(m) / cols
	if dst == nil {
		dst = make([]int, rows)
	}
	if len(dst) != rows {
		panic(fmt.Sprintf("eval: ArgmaxRows into %d results for %d rows", len(dst), rows))
	}
	for r := range dst {
		dst[r] = Argmax(m[r*cols : (r+1)*cols])
	}
	return dst
}

// ConfusionMatrix counts classification outcomes: Counts[t][p] is the number
// of samples of true class t predicted as class p. Make one with
// [NewConfusionMatrix]; it marshals to JSON as {"counts": [[...], ...]}.
type ConfusionMatrix struct {
	Counts [][]int `json:"counts"`
}

// NewConfusionMatrix returns an empty matrix for classes classes.
func NewConfusionMatrix(classes int) *ConfusionMatrix {
	if classes <= 0 {
		panic(fmt.Sprintf("eval: NewConfusionMatrix with %d classes", classes))
	}
	flat := make([]int, classes*classes)
	m := &ConfusionMatrix{Counts: make([][]int, classes)}
	for i := range m.Counts {
		m.Counts[i] = flat[i*classes : (i+1)*classes : (i+1)*classes]
	}
	return m
}

// Classes returns the number of classes.
func (m *ConfusionMatrix) Classes() int { return len(m.Counts) }

// Add counts one prediction per label. It panics if the lengths differ or a
// class is out of range.
func (m *ConfusionMatrix) Add(pred, labels []int) {
	if len(pred) != len(labels) {
		panic(fmt.Sprintf("eval: ConfusionMatrix.Add of %d predictions and %d labels", len(pred), len(labels)))
	}
	k := len(m.Counts)
	for i, p := range pred {
		t := labels[i]
		if uint(p) >= uint(k) || uint(t) >= uint(k) {
			panic(fmt.Sprintf("eval: ConfusionMatrix.Add: prediction %d, label %d outside %d classes", p, t, k))
		}
		m.Counts[t][p]++
	}
}

// Merge adds the counts of o, for instance from another worker or batch. It
// panics if the class counts differ.
func (m *ConfusionMatrix) Merge(o *ConfusionMatrix) {
	if len(o.Counts) != len(m.Counts) {
		panic(fmt.Sprintf("eval: ConfusionMatrix.Merge of %d and %d classes", len(m.Counts), len(o.Counts)))
	}
	for t, row := range o.Counts {
		for p, c := range row {
			m.Counts[t][p] += c
		}
	}
}

// Total returns the number of samples counted.
func (m *ConfusionMatrix) Total() int {
	n := 0
	for _, row := range m.Counts {
		for _, c := range row {
			n += c
		}
	}
	return n
}

// Accuracy returns the fraction of samples on the diagonal, or 0 when the
// matrix is empty.
func (m *ConfusionMatrix) Accuracy() float64 {
	tot, diag := 0, 0
	for t, row := range m.Counts {
		for p, c := range row {
			tot += c
			if p == t {
				diag += c
			}
		}
	}
	if tot == 0 {
		return 0
	}
	return float64(diag) / float64(tot)
}

// Predicted returns how many samples were predicted as class c (a column sum).
func (m *ConfusionMatrix) Predicted(c int) int {
	n := 0
	for _, row := range m.Counts {
		n += row[c]
	}
	return n
}

// Actual returns how many samples have true class c (a row sum).
func (m *ConfusionMatrix) Actual(c int) int {
	n := 0
	for _, v := range m.Counts[c] {
		n += v
	}
	return n
}

// Precision returns the fraction of predictions of class c that were right,
// or 0 if c was never predicted (scikit-learn's zero_division=0).
func (m *ConfusionMatrix) Precision(c int) float64 {
	return ratio(m.Counts[c][c], m.Predicted(c))
}

// Recall returns the fraction of samples of class c that were predicted as
// c, or 0 if there are none.
func (m *ConfusionMatrix) Recall(c int) float64 {
	return ratio(m.Counts[c][c], m.Actual(c))
}

// F1 returns the harmonic mean of [ConfusionMatrix.Precision] and
// [ConfusionMatrix.Recall] of class c, or 0 when both are 0.
func (m *ConfusionMatrix) F1(c int) float64 {
	p, r := m.Precision(c), m.Recall(c)
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

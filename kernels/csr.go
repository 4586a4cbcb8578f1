package kernels

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
)

// CSR is a sparse rows×cols float32 matrix in compressed sparse row form:
// row i holds the entries (Col[k], Val[k]) for k in [Ptr[i], Ptr[i+1]), with
// columns strictly increasing. For a connectivity matrix rows are the
// pre-synaptic and columns the post-synaptic neurons, so the event-driven
// product of a spiking pre-neuron reads one contiguous row.
//
// Build one with NewCSR (from triples, validated) or CSRFromDense. Val may
// be nil for a pattern-only matrix used with the homogeneous-weight kernels.
type CSR struct {
	Rows, Cols int
	Ptr        []int64 // len Rows+1
	Col        []int32 // len Ptr[Rows]
	Val        []float32
}

// NewCSR builds the rows×cols matrix whose nonzeros are val[k] at
// (row[k], col[k]); triples may come in any order. val may be nil for a
// pattern-only matrix. It returns an error, naming the offending entry, for
// mismatched lengths, negative dimensions, indices out of range, duplicate
// positions and non-finite values.
func NewCSR(rows, cols int, row, col []int32, val []float32) (*CSR, error) {
	if rows < 0 || cols < 0 {
		return nil, fmt.Errorf("kernels: NewCSR: negative dimensions %d×%d", rows, cols)
	}
	if cols > math.MaxInt32 {
		return nil, fmt.Errorf("kernels: NewCSR: %d columns exceed int32 indices", cols)
	}
	n := len(row)
	if len(col) != n || (val != nil && len(val) != n) {
		return nil, fmt.Errorf("kernels: NewCSR: %d rows, %d columns and %d values given; lengths must match", len(row), len(col), len(val))
	}
	for k := 0; k < n; k++ {
		if row[k] < 0 || int(row[k]) >= rows || col[k] < 0 || int(col[k]) >= cols {
			return nil, fmt.Errorf("kernels: NewCSR: entry %d at (%d, %d) outside the %d×%d matrix", k, row[k], col[k], rows, cols)
		}
		if val != nil && (math.IsNaN(float64(val[k])) || math.IsInf(float64(val[k]), 0)) {
			return nil, fmt.Errorf("kernels: NewCSR: entry %d at (%d, %d) has non-finite value %v", k, row[k], col[k], val[k])
		}
	}
	perm := make([]int32, n)
	for k := range perm {
		perm[k] = int32(k)
	}
	slices.SortFunc(perm, func(a, b int32) int {
		if c := cmp.Compare(row[a], row[b]); c != 0 {
			return c
		}
		return cmp.Compare(col[a], col[b])
	})
	m := &CSR{Rows: rows, Cols: cols, Ptr: make([]int64, rows+1), Col: make([]int32, n)}
	if val != nil {
		m.Val = make([]float32, n)
	}
	for k, p := range perm {
		if k > 0 && row[p] == row[perm[k-1]] && col[p] == col[perm[k-1]] {
			return nil, fmt.Errorf("kernels: NewCSR: entries %d and %d both at (%d, %d)", perm[k-1], p, row[p], col[p])
		}
		m.Ptr[row[p]+1]++
		m.Col[k] = col[p]
		if val != nil {
			m.Val[k] = val[p]
		}
	}
	for i := 0; i < rows; i++ {
		m.Ptr[i+1] += m.Ptr[i]
	}
	return m, nil
}

// CSRFromDense returns the CSR form of the nonzero entries of the rows×cols
// row-major matrix d.
func CSRFromDense(d []float32, rows, cols int) *CSR {
	checkMat("CSRFromDense", rows, cols, d)
	m := &CSR{Rows: rows, Cols: cols, Ptr: make([]int64, rows+1), Col: []int32{}, Val: []float32{}}
	for i := 0; i < rows; i++ {
		for j, v := range d[i*cols : i*cols+cols] {
			if v != 0 {
				m.Col = append(m.Col, int32(j))
				m.Val = append(m.Val, v)
			}
		}
		m.Ptr[i+1] = int64(len(m.Col))
	}
	return m
}

// Validate reports whether m is well formed: Ptr of length Rows+1 from 0,
// non-decreasing, ending at len(Col); columns in range and strictly
// increasing within each row; Val nil or as long as Col. The kernels assume
// a valid matrix (they panic on an out-of-range index).
func (m *CSR) Validate() error {
	if m.Rows < 0 || m.Cols < 0 || len(m.Ptr) != m.Rows+1 || m.Ptr[0] != 0 || m.Ptr[m.Rows] != int64(len(m.Col)) {
		return fmt.Errorf("kernels: CSR: malformed Ptr for a %d×%d matrix with %d entries", m.Rows, m.Cols, len(m.Col))
	}
	if m.Val != nil && len(m.Val) != len(m.Col) {
		return fmt.Errorf("kernels: CSR: %d values for %d entries", len(m.Val), len(m.Col))
	}
	for i := 0; i < m.Rows; i++ {
		if m.Ptr[i+1] < m.Ptr[i] {
			return fmt.Errorf("kernels: CSR: Ptr decreases at row %d", i)
		}
		prev := int32(-1)
		for _, c := range m.Col[m.Ptr[i]:m.Ptr[i+1]] {
			if c <= prev || int(c) >= m.Cols {
				return fmt.Errorf("kernels: CSR: row %d: column %d out of order or out of range", i, c)
			}
			prev = c
		}
	}
	return nil
}

// NNZ returns the number of stored entries.
func (m *CSR) NNZ() int { return len(m.Col) }

// ToDense writes m into the Rows×Cols row-major dst (pattern-only entries
// as 1).
func (m *CSR) ToDense(dst []float32) {
	checkLen("CSR.ToDense", m.Rows*m.Cols, dst)
	clear(dst[:m.Rows*m.Cols])
	for i := 0; i < m.Rows; i++ {
		for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
			v := float32(1)
			if m.Val != nil {
				v = m.Val[k]
			}
			dst[i*m.Cols+int(m.Col[k])] = v
		}
	}
}

func (m *CSR) vals(name string) []float32 {
	if m.Val == nil && len(m.Col) > 0 {
		panic("kernels: CSR." + name + ": pattern-only matrix (Val is nil)")
	}
	return m.Val
}

// scatterGrain is the number of entries below which the scatter kernels run
// on one goroutine; above it they split the output (post) range, each
// goroutine scanning all selected rows for its columns.
const scatterGrain = 1 << 16

// EventMatVec adds the rows of the active (spiking) pre-neurons to y:
//
//	for _, i := range active {
//		for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//			y[m.Col[k]] += m.Val[k]
//		}
//	}
//
// The cost is proportional to the synapses of the active rows. Large calls
// split the columns among goroutines (each y[j] still sums in the order of
// active), so the result is bit-identical for any Threads().
func (m *CSR) EventMatVec(y []float32, active []int32) {
	val := m.vals("EventMatVec")
	checkLen("CSR.EventMatVec", m.Cols, y)
	m.scatter(y, active, nil, val, 0)
}

// EventMatVecHomo is EventMatVec with every synapse of weight w (Val is
// ignored and may be nil):
//
//	for _, i := range active {
//		for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//			y[m.Col[k]] += w
//		}
//	}
func (m *CSR) EventMatVecHomo(y []float32, active []int32, w float32) {
	checkLen("CSR.EventMatVecHomo", m.Cols, y)
	m.scatter(y, active, nil, nil, w)
}

// MatTVec sets y = Mᵀx (y has Cols entries, x has Rows): the sum of the rows
// of M weighted by x, skipping rows with x[i] == 0 (they contribute nothing
// as long as the values are finite, which NewCSR ensures).
//
//	y[:] = 0
//	for i := 0; i < m.Rows; i++ {
//		for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//			y[m.Col[k]] += x[i] * m.Val[k]
//		}
//	}
//
// Bit-identical for any Threads() (split by column range).
func (m *CSR) MatTVec(y, x []float32) {
	val := m.vals("MatTVec")
	checkLen("CSR.MatTVec", m.Cols, y)
	checkLen("CSR.MatTVec", m.Rows, x)
	clear(y[:m.Cols])
	m.scatter(y, nil, x, val, 0)
}

// scatter adds, for each selected row i (active, or all rows when active is
// nil) with weight a = x[i] (1 when x is nil), a·val[k] (or w when val is
// nil) to y[Col[k]]. Rows with a == 0 are skipped.
func (m *CSR) scatter(y []float32, active []int32, x, val []float32, w float32) {
	nsel := m.Rows
	if active != nil {
		nsel = len(active)
		for _, i := range active {
			if i < 0 || int(i) >= m.Rows {
				panic("kernels: CSR: active row out of range")
			}
		}
	}
	work := 0
	if nsel > 0 {
		// Estimate from the average row length.
		work = int(int64(nsel) * int64(len(m.Col)) / int64(max(1, m.Rows)))
	}
	if work < scatterGrain || Threads() == 1 {
		m.scatterCols(y, active, nsel, x, val, w, 0, m.Cols)
		return
	}
	Parallel(m.Cols, 1024, func(lo, hi int) { m.scatterCols(y, active, nsel, x, val, w, lo, hi) })
}

// scatterCols is scatter's work on the columns [lo, hi) (a method, not a
// closure, so that the one-goroutine path allocates nothing).
func (m *CSR) scatterCols(y []float32, active []int32, nsel int, x, val []float32, w float32, lo, hi int) {
	full := lo == 0 && hi == m.Cols
	for s := 0; s < nsel; s++ {
		i := s
		if active != nil {
			i = int(active[s])
		}
		a := float32(1)
		if x != nil {
			if a = x[i]; a == 0 {
				continue
			}
		}
		k0, k1 := m.Ptr[i], m.Ptr[i+1]
		cols := m.Col[k0:k1]
		if !full {
			// Columns are sorted: find the slice inside [lo, hi).
			a0 := sort.Search(len(cols), func(t int) bool { return int(cols[t]) >= lo })
			a1 := a0 + sort.Search(len(cols)-a0, func(t int) bool { return int(cols[a0+t]) >= hi })
			k0, k1 = k0+int64(a0), k0+int64(a1)
			cols = cols[a0:a1]
		}
		switch {
		case val == nil:
			v := a * w
			for _, c := range cols {
				y[c] += v
			}
		case x == nil:
			vs := val[k0:k1]
			for t, c := range cols {
				y[c] += vs[t]
			}
		default:
			vs := val[k0:k1]
			for t, c := range cols {
				y[c] += a * vs[t]
			}
		}
	}
}

// MatVec sets y = Mx (y has Rows entries, x has Cols): each y[i] is the dot
// product of row i with x, summed in column order.
//
//	for i := 0; i < m.Rows; i++ {
//		var s float32
//		for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//			s += m.Val[k] * x[m.Col[k]]
//		}
//		y[i] = s
//	}
//
// Rows are split among goroutines; bit-identical for any Threads().
func (m *CSR) MatVec(y, x []float32) {
	val := m.vals("MatVec")
	checkLen("CSR.MatVec", m.Rows, y)
	checkLen("CSR.MatVec", m.Cols, x)
	grain := max(1, m.Rows*scatterGrain/max(1, len(m.Col)))
	Parallel(m.Rows, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			k0, k1 := m.Ptr[i], m.Ptr[i+1]
			vs := val[k0:k1]
			var s float32
			for t, c := range m.Col[k0:k1] {
				s += vs[t] * x[c]
			}
			y[i] = s
		}
	})
}

// MatMul sets Y = X·M for the batch×Rows row-major X and the batch×Cols Y:
// row b of Y is the sum of the rows of M weighted by X[b,:], skipping zero
// weights (as in MatTVec, whose loop it runs for each b). Batch rows are
// split among goroutines; bit-identical for any Threads().
func (m *CSR) MatMul(y, x []float32, batch int) {
	val := m.vals("MatMul")
	checkMat("CSR.MatMul", batch, m.Cols, y)
	checkMat("CSR.MatMul", batch, m.Rows, x)
	grain := max(1, scatterGrain/max(1, len(m.Col)))
	Parallel(batch, grain, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			yb, xb := y[b*m.Cols:(b+1)*m.Cols], x[b*m.Rows:(b+1)*m.Rows]
			clear(yb)
			for i, a := range xb {
				if a == 0 {
					continue
				}
				k0, k1 := m.Ptr[i], m.Ptr[i+1]
				vs := val[k0:k1]
				for t, c := range m.Col[k0:k1] {
					yb[c] += a * vs[t]
				}
			}
		}
	})
}

// EventMatMul adds the rows of M selected by the spikes in e to Y: for the
// batch×Rows binary spike matrix S held by e (e.Cols == m.Rows) and the
// e.Rows×Cols Y with row stride ldy,
//
//	for b := 0; b < e.Rows; b++ {
//		for _, i := range e.Row(b) {
//			for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//				y[b*ldy+int(m.Col[k])] += m.Val[k]
//			}
//		}
//	}
//
// Batch rows are split among goroutines; bit-identical for any Threads().
func (m *CSR) EventMatMul(y []float32, ldy int, e *Events) {
	val := m.vals("EventMatMul")
	e.check("CSR.EventMatMul")
	if e.Cols != m.Rows {
		panic("kernels: CSR.EventMatMul: spikes do not match the matrix rows")
	}
	checkStrided("CSR.EventMatMul", "Y", y, e.Rows, m.Cols, ldy)
	per := max(1, len(m.Col)/max(1, m.Rows))
	grain := max(1, scatterGrain/max(1, per*e.NNZ()/max(1, e.Rows)))
	Parallel(e.Rows, grain, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			yb := y[b*ldy : b*ldy+m.Cols]
			for _, i := range e.Row(b) {
				k0, k1 := m.Ptr[i], m.Ptr[i+1]
				vs := val[k0:k1]
				for t, c := range m.Col[k0:k1] {
					yb[c] += vs[t]
				}
			}
		}
	})
}

// MatMulT sets Y = X·Mᵀ for the batch×Cols row-major X and the batch×Rows Y:
//
//	for b := 0; b < batch; b++ {
//		for i := 0; i < m.Rows; i++ {
//			var s float32
//			for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
//				s += m.Val[k] * x[b*m.Cols+int(m.Col[k])]
//			}
//			y[b*m.Rows+i] = s
//		}
//	}
//
// Batch rows are split among goroutines; bit-identical for any Threads().
func (m *CSR) MatMulT(y, x []float32, batch int) {
	val := m.vals("MatMulT")
	checkMat("CSR.MatMulT", batch, m.Rows, y)
	checkMat("CSR.MatMulT", batch, m.Cols, x)
	grain := max(1, scatterGrain/max(1, len(m.Col)))
	Parallel(batch, grain, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			yb, xb := y[b*m.Rows:(b+1)*m.Rows], x[b*m.Cols:(b+1)*m.Cols]
			for i := range yb {
				k0, k1 := m.Ptr[i], m.Ptr[i+1]
				vs := val[k0:k1]
				var s float32
				for t, c := range m.Col[k0:k1] {
					s += vs[t] * xb[c]
				}
				yb[i] = s
			}
		}
	})
}

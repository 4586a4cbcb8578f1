package kernels

import "math"

// WeightKind selects how a JIT matrix draws its weights.
type WeightKind uint8

const (
	// Homogeneous: every connection has weight A.
	Homogeneous WeightKind = iota
	// Uniform: weights uniform in [A, B).
	Uniform
	// Normal: weights normal with mean A and standard deviation B.
	Normal
)

// WeightRule is the weight distribution of a JIT matrix. Its zero value is
// homogeneous weight 0; use HomogeneousWeight, UniformWeight or NormalWeight.
type WeightRule struct {
	Kind WeightKind
	A, B float32
}

// HomogeneousWeight returns the rule "every connection has weight w".
func HomogeneousWeight(w float32) WeightRule { return WeightRule{Homogeneous, w, 0} }

// UniformWeight returns the rule "weights uniform in [lo, hi)".
func UniformWeight(lo, hi float32) WeightRule { return WeightRule{Uniform, lo, hi} }

// NormalWeight returns the rule "weights normal with mean mu and standard
// deviation sigma".
func NormalWeight(mu, sigma float32) WeightRule { return WeightRule{Normal, mu, sigma} }

// JIT is a random Rows×Cols connectivity matrix that is never stored
// ("just-in-time" connectivity): each entry is present with probability P,
// independently, and row i is regenerated on demand from the Philox stream
// (Seed, i). A network of millions of neurons thus needs no memory for its
// synapses, and the work of a kernel is proportional to the connections it
// touches, not to Rows×Cols.
//
// Row i is generated as follows (JITRow implements it; every kernel, the
// forward and the transpose products alike, reads rows through it, so they
// all describe the same matrix). With the words w0, w1, … of the stream
// (Seed, i) (NewPhilox(Seed, uint64(i)).Uint32()):
//
//	j := -1
//	for {
//		if P < 1 {                          // geometric skip over absent entries
//			u := UniformOpen64(next word)   // in (0, 1]
//			j += 1 + floor(jitLog(u) / log(1-P))
//		} else {
//			j++
//		}
//		if j >= Cols { break }
//		weight: Homogeneous: A
//		        Uniform:     A + (B-A)·Uniform32(next word)
//		        Normal:      A + B·z, z the first value of
//		                     Normal32Pair(next word, next word)
//		emit (j, weight)
//	}
//
// jitLog is a fixed polynomial natural logarithm (relative error below
// 1e-9, several times faster than math.Log); being part of the definition,
// it makes the matrix the same on every platform. P <= 0 gives an empty
// matrix. A JIT is a plain value, safe for concurrent
// use.
//
// Post blocks. The columns are cut into blocks of JITBlock (65,536)
// columns, and each block of a row is generated as above on its own: block
// b of row i covers columns [b·JITBlock, min((b+1)·JITBlock, Cols)), draws
// its words from the stream (Seed, i + b·2³²) and restarts j at the block's
// first column − 1. Block 0's stream is (Seed, i), so a matrix of at most
// JITBlock columns is the single-block matrix described above. Blocks let a
// process that owns some of the columns (a rank of a distributed
// simulation, RowRange) regenerate only the blocks it owns, and make the
// matrix independent of how the columns are split among processes. Rows
// must be below 2³².
type JIT struct {
	Rows, Cols int
	P          float64
	Seed       uint64
	Weight     WeightRule
}

// JITRow iterates over the connections of one row of a JIT matrix in
// increasing column order.
type JITRow struct {
	rng    Philox
	seed   uint64
	row    uint64
	blk    uint64 // current post block
	cols   int    // the matrix's columns
	bend   int    // end of the current block
	lo, hi int    // the columns wanted
	j      int
	invLog float64 // 1/log(1-p); 0 when p >= 1
	dense  bool
	empty  bool
	rule   WeightRule
}

// JITBlock is the number of columns of a post block of a JIT matrix (see
// JIT).
const JITBlock = 1 << 16

// jitStream returns the Philox stream of post block b of row i.
func jitStream(i int, b uint64) uint64 { return uint64(i) + b<<32 }

// Row returns an iterator over row i.
func (m *JIT) Row(i int) JITRow {
	if i < 0 || i >= m.Rows {
		panic("kernels: JIT.Row: row out of range")
	}
	var r JITRow
	m.initRow(&r, i)
	return r
}

// RowRange returns an iterator over the connections of row i whose columns
// lie in [lo, hi): those Row(i) yields there, generated from the post blocks
// that meet [lo, hi) only.
func (m *JIT) RowRange(i, lo, hi int) JITRow {
	if i < 0 || i >= m.Rows {
		panic("kernels: JIT.RowRange: row out of range")
	}
	if lo < 0 || hi > m.Cols || lo > hi {
		panic("kernels: JIT.RowRange: column range out of range")
	}
	var r JITRow
	m.initRange(&r, i, lo, hi)
	return r
}

func (m *JIT) initRow(r *JITRow, i int) { m.initRange(r, i, 0, m.Cols) }

func (m *JIT) initRange(r *JITRow, i, lo, hi int) {
	r.blk = uint64(lo / JITBlock)
	r.seed, r.row = m.Seed, uint64(i)
	r.rng.Reset(m.Seed, jitStream(i, r.blk))
	start := int(r.blk) * JITBlock
	r.cols, r.bend, r.lo, r.hi = m.Cols, min(start+JITBlock, m.Cols), lo, hi
	r.j, r.rule = start-1, m.Weight
	r.empty = !(m.P > 0) || m.Cols <= 0 || lo >= hi
	r.dense = m.P >= 1
	if !r.dense && !r.empty {
		r.invLog = 1 / math.Log1p(-m.P)
	}
}

// Next returns the next connection of the row, or ok == false at its end.
func (r *JITRow) Next() (col int, w float32, ok bool) {
	col, raw, ok := r.nextRaw()
	if !ok {
		return 0, 0, false
	}
	return col, r.weight(raw), true
}

// nextRaw returns the next connection of the row with its raw draw, the
// random part of its weight: Uniform32 of its weight word for Uniform, the
// standard normal z for Normal, 0 for Homogeneous (no word is drawn). The
// weight is then A + (B−A)·raw, A + B·raw or A (weight). Rows are drawn per
// post block of JITBlock columns, each block from its own stream, and only
// the columns in [lo, hi) are returned.
func (r *JITRow) nextRaw() (col int, raw float32, ok bool) {
	for !r.empty {
		if r.dense {
			r.j++
		} else {
			s := jitLog(UniformOpen64(r.rng.Uint32())) * r.invLog
			if s >= JITBlock { // also guards the int conversion
				r.j = r.bend
			} else {
				r.j += 1 + int(s)
			}
		}
		if r.j >= r.bend || r.j >= r.hi {
			if r.bend >= r.hi {
				r.empty = true
				return 0, 0, false
			}
			if r.j >= r.bend { // on to the next post block
				r.blk++
				r.rng.Reset(r.seed, r.row+r.blk<<32)
				r.j = r.bend - 1
				r.bend = min(r.bend+JITBlock, r.cols)
				continue
			}
		}
		raw = 0
		switch r.rule.Kind {
		case Uniform:
			raw = Uniform32(r.rng.Uint32())
		case Normal:
			a := r.rng.Uint32()
			raw, _ = Normal32Pair(a, r.rng.Uint32())
		}
		if r.j < r.lo {
			continue
		}
		return r.j, raw, true
	}
	return 0, 0, false
}

// ExpectedSynapses returns the expected number of connections, Rows·Cols·P
// (clamped to P in [0, 1]).
func (m *JIT) ExpectedSynapses() float64 {
	return float64(m.Rows) * float64(m.Cols) * min(max(m.P, 0), 1)
}

func (m *JIT) check(name string) {
	if m.Rows < 0 || m.Cols < 0 || m.Cols > math.MaxInt32 || uint64(m.Rows) > math.MaxUint32 || math.IsNaN(m.P) {
		panic("kernels: JIT." + name + ": bad dimensions or probability")
	}
}

// Materialize writes the matrix into the Rows×Cols row-major dst (absent
// entries 0). Meant for tests and export; it needs Rows·Cols floats.
func (m *JIT) Materialize(dst []float32) {
	m.check("Materialize")
	checkLen("JIT.Materialize", m.Rows*m.Cols, dst)
	clear(dst[:m.Rows*m.Cols])
	var r JITRow
	for i := 0; i < m.Rows; i++ {
		m.initRow(&r, i)
		for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
			dst[i*m.Cols+j] = w
		}
	}
}

// ToCSR returns the matrix in CSR form (every generated connection stored,
// even one whose weight is 0).
func (m *JIT) ToCSR() *CSR {
	m.check("ToCSR")
	c := &CSR{Rows: m.Rows, Cols: m.Cols, Ptr: make([]int64, m.Rows+1)}
	n := int(m.ExpectedSynapses() * 1.01)
	c.Col, c.Val = make([]int32, 0, n), make([]float32, 0, n)
	var r JITRow
	for i := 0; i < m.Rows; i++ {
		m.initRow(&r, i)
		for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
			c.Col = append(c.Col, int32(j))
			c.Val = append(c.Val, w)
		}
		c.Ptr[i+1] = int64(len(c.Col))
	}
	return c
}

// EventMatVec adds the rows of the active (spiking) pre-neurons to y (Cols
// entries), regenerating each row from its seed:
//
//	for _, i := range active {
//		for each connection (j, w) of row i {
//			y[j] += w
//		}
//	}
//
// It runs on the calling goroutine: a deterministic parallel scatter would
// have to regenerate every row once per output block, doubling the RNG work
// that dominates its cost. Parallelize over independent networks or batch
// rows instead (EventMatMul).
func (m *JIT) EventMatVec(y []float32, active []int32) {
	m.check("EventMatVec")
	checkLen("JIT.EventMatVec", m.Cols, y)
	y = y[:m.Cols]
	var r JITRow
	for _, i := range active {
		if i < 0 || int(i) >= m.Rows {
			panic("kernels: JIT.EventMatVec: active row out of range")
		}
		m.initRow(&r, int(i))
		for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
			y[j] += w
		}
	}
}

// EventMatMul adds, for each batch row b of the spikes in e (e.Cols ==
// m.Rows), the rows of the matrix selected by e.Row(b) to row b of Y (row
// stride ldy):
//
//	for b := 0; b < e.Rows; b++ {
//		for _, i := range e.Row(b) {
//			for each connection (j, w) of row i {
//				y[b*ldy+j] += w
//			}
//		}
//	}
//
// Batch rows are split among goroutines; bit-identical for any Threads().
func (m *JIT) EventMatMul(y []float32, ldy int, e *Events) {
	m.check("EventMatMul")
	e.check("JIT.EventMatMul")
	if e.Cols != m.Rows {
		panic("kernels: JIT.EventMatMul: spikes do not match the matrix rows")
	}
	checkStrided("JIT.EventMatMul", "Y", y, e.Rows, m.Cols, ldy)
	perRow := max(1, int(m.P*float64(m.Cols))) * max(1, e.NNZ()/max(1, e.Rows))
	Parallel(e.Rows, max(1, 1<<14/perRow), func(b0, b1 int) {
		var r JITRow
		for b := b0; b < b1; b++ {
			yb := y[b*ldy : b*ldy+m.Cols]
			for _, i := range e.Row(b) {
				m.initRow(&r, int(i))
				for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
					yb[j] += w
				}
			}
		}
	})
}

// MatTVec sets y = Mᵀx (y has Cols entries, x has Rows): the sum of the rows
// weighted by x, rows with x[i] == 0 skipped (they add only zeros):
//
//	y[:] = 0
//	for i := 0; i < m.Rows; i++ {
//		for each connection (j, w) of row i {
//			y[j] += x[i] * w
//		}
//	}
//
// Serial, for the reason given at EventMatVec.
func (m *JIT) MatTVec(y, x []float32) {
	m.check("MatTVec")
	checkLen("JIT.MatTVec", m.Cols, y)
	checkLen("JIT.MatTVec", m.Rows, x)
	y = y[:m.Cols]
	clear(y)
	var r JITRow
	for i, a := range x[:m.Rows] {
		if a == 0 {
			continue
		}
		m.initRow(&r, i)
		for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
			y[j] += a * w
		}
	}
}

// MatVec sets y = Mx (y has Rows entries, x has Cols), each y[i] summed in
// column order:
//
//	for i := 0; i < m.Rows; i++ {
//		var s float32
//		for each connection (j, w) of row i {
//			s += w * x[j]
//		}
//		y[i] = s
//	}
//
// Rows are split among goroutines; bit-identical for any Threads().
func (m *JIT) MatVec(y, x []float32) {
	m.check("MatVec")
	checkLen("JIT.MatVec", m.Rows, y)
	checkLen("JIT.MatVec", m.Cols, x)
	x = x[:m.Cols]
	grain := max(1, 1<<14/max(1, int(m.P*float64(m.Cols))))
	Parallel(m.Rows, grain, func(lo, hi int) {
		var r JITRow
		for i := lo; i < hi; i++ {
			m.initRow(&r, i)
			var s float32
			for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
				s += w * x[j]
			}
			y[i] = s
		}
	})
}

// MatMulT sets Y = X·Mᵀ for the batch×Cols row-major X and the batch×Rows
// Y, generating each row once for the whole batch:
//
//	for b := 0; b < batch; b++ {
//		for i := 0; i < m.Rows; i++ {
//			var s float32
//			for each connection (j, w) of row i {
//				s += w * x[b*m.Cols+j]
//			}
//			y[b*m.Rows+i] = s
//		}
//	}
//
// Rows of M are split among goroutines; bit-identical for any Threads().
func (m *JIT) MatMulT(y, x []float32, batch int) {
	m.check("MatMulT")
	checkMat("JIT.MatMulT", batch, m.Rows, y)
	checkMat("JIT.MatMulT", batch, m.Cols, x)
	if batch == 0 {
		return
	}
	grain := max(1, 1<<14/max(1, batch*int(m.P*float64(m.Cols))))
	Parallel(m.Rows, grain, func(lo, hi int) {
		var r JITRow
		for i := lo; i < hi; i++ {
			for b := 0; b < batch; b++ {
				y[b*m.Rows+i] = 0
			}
			m.initRow(&r, i)
			for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
				for b := 0; b < batch; b++ {
					y[b*m.Rows+i] += w * x[b*m.Cols+j]
				}
			}
		}
	})
}

// MatMul sets Y = X·M for the batch×Rows row-major X and the batch×Cols Y,
// generating each row once per group of batch rows:
//
//	y[:] = 0
//	for i := 0; i < m.Rows; i++ {
//		for each connection (j, w) of row i {
//			for b := 0; b < batch; b++ {
//				if x[b*m.Rows+i] != 0 {
//					y[b*m.Cols+j] += x[b*m.Rows+i] * w
//				}
//			}
//		}
//	}
//
// Batch rows are split among goroutines (each regenerates the rows it
// needs); bit-identical for any Threads().
func (m *JIT) MatMul(y, x []float32, batch int) {
	m.check("MatMul")
	checkMat("JIT.MatMul", batch, m.Cols, y)
	checkMat("JIT.MatMul", batch, m.Rows, x)
	clear(y[:batch*m.Cols])
	Parallel(batch, max(1, (batch+Threads()-1)/Threads()), func(b0, b1 int) {
		var r JITRow
		for i := 0; i < m.Rows; i++ {
			any := false
			for b := b0; b < b1; b++ {
				if x[b*m.Rows+i] != 0 {
					any = true
					break
				}
			}
			if !any {
				continue
			}
			m.initRow(&r, i)
			for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
				for b := b0; b < b1; b++ {
					if a := x[b*m.Rows+i]; a != 0 {
						y[b*m.Cols+j] += a * w
					}
				}
			}
		}
	})
}

// jitLog returns ln(u) for u in (0, 1]: u = m·2^e with m in [√½, √2), and
// ln m = 2·atanh(t), t = (m-1)/(m+1), |t| < 0.172, by its odd series to t¹¹
// (truncation below 1e-10). Pure float64 arithmetic, so it rounds the same
// everywhere.
func jitLog(u float64) float64 {
	b := math.Float64bits(u)
	e := int(b>>52&0x7ff) - 1023
	m := math.Float64frombits(b&(1<<52-1) | 1023<<52) // [1, 2)
	if m > math.Sqrt2 {
		m *= 0.5
		e++
	}
	t := (m - 1) / (m + 1)
	t2 := t * t
	p := 1 + t2*(1.0/3+t2*(1.0/5+t2*(1.0/7+t2*(1.0/9+t2*(1.0/11)))))
	return float64(e)*math.Ln2 + 2*t*p
}

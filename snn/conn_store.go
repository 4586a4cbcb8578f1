package snn

import (
	"github.com/braingo/braingo/kernels"
)

// DenseConn is a connectivity stored as the full Pre×Post row-major weight
// matrix W (absent connections 0).
type DenseConn struct {
	Pre, Post int
	W         []float32
}

func (c *DenseConn) Shape() (int, int) { return c.Pre, c.Post }

// Synapses counts the nonzero weights.
func (c *DenseConn) Synapses() int64 { return int64(kernels.CountNonzero(c.W[:c.Pre*c.Post])) }

// Scatter adds row i of W to dst for every i in active.
func (c *DenseConn) Scatter(dst []float32, active []int32) {
	dst = dst[:c.Post]
	for _, i := range active {
		kernels.AddTo(dst, c.W[int(i)*c.Post:(int(i)+1)*c.Post])
	}
}

// ScatterScaled adds scale[s] times row active[s] of W to dst.
func (c *DenseConn) ScatterScaled(dst []float32, active []int32, scale []float32) {
	dst = dst[:c.Post]
	for s, i := range active {
		kernels.Axpy(dst, scale[s], c.W[int(i)*c.Post:(int(i)+1)*c.Post])
	}
}

// CSRConn is a connectivity stored as a CSR matrix; when M.Val is nil every
// connection has weight W.
type CSRConn struct {
	M *kernels.CSR
	W float32
}

func (c *CSRConn) Shape() (int, int) { return c.M.Rows, c.M.Cols }
func (c *CSRConn) Synapses() int64   { return int64(c.M.NNZ()) }

// Scatter adds the rows of the active pre-neurons (kernels.CSR.EventMatVec).
func (c *CSRConn) Scatter(dst []float32, active []int32) {
	if c.M.Val == nil {
		c.M.EventMatVecHomo(dst, active, c.W)
		return
	}
	c.M.EventMatVec(dst, active)
}

// ScatterScaled adds scale[s] times row active[s].
func (c *CSRConn) ScatterScaled(dst []float32, active []int32, scale []float32) {
	m := c.M
	for s, i := range active {
		k0, k1 := m.Ptr[i], m.Ptr[i+1]
		a := scale[s]
		if m.Val == nil {
			v := a * c.W
			for _, j := range m.Col[k0:k1] {
				dst[j] += v
			}
			continue
		}
		vs := m.Val[k0:k1]
		for t, j := range m.Col[k0:k1] {
			dst[j] += a * vs[t]
		}
	}
}

// JITConn is a fixed-probability connectivity that is never stored: the row
// of a spiking pre-neuron is regenerated from the seed (kernels.JIT). Memory
// is independent of the number of synapses.
//
// Scatter regenerates the active rows in parallel over the spike list (each
// goroutine a contiguous part of it, into its own buffer) and then adds the
// buffers in spike order, so the result is the same for any thread count
// and equals kernels.JIT.EventMatVec.
type JITConn struct {
	M kernels.JIT
	// Lo, Hi restrict the post-neurons to the columns [Lo, Hi) of M,
	// renumbered from 0 (Hi 0 means all of them): a rank's share of a
	// distributed network, whose rows are regenerated only in the post
	// blocks (kernels.JITBlock) that meet [Lo, Hi).
	Lo, Hi int
	bufs   []jitBuf
}

type jitBuf struct {
	col []int32
	w   []float32
	_   [64]byte // keep neighbours' slice headers off one cache line
}

// NewJITConn returns the JIT connectivity m.
func NewJITConn(m kernels.JIT) *JITConn { return &JITConn{M: m} }

// cols returns the post range [lo, hi) of M that c covers.
func (c *JITConn) cols() (int, int) {
	if c.Hi == 0 {
		return 0, c.M.Cols
	}
	return c.Lo, c.Hi
}

func (c *JITConn) Shape() (int, int) { lo, hi := c.cols(); return c.M.Rows, hi - lo }

// Synapses returns the expected number of connections, Rows·(Hi−Lo)·P.
func (c *JITConn) Synapses() int64 {
	lo, hi := c.cols()
	return int64(float64(c.M.Rows)*float64(hi-lo)*min(max(c.M.P, 0), 1) + 0.5)
}

// jitGrain is the number of expected connections below which a scatter runs
// on the calling goroutine.
const jitGrain = 4096

// Scatter adds the regenerated rows of the active pre-neurons to dst.
func (c *JITConn) Scatter(dst []float32, active []int32) {
	perRow := max(1.0, c.M.P*float64(c.M.Cols))
	chunks := max(1, min(kernels.Threads(), int(float64(len(active))*perRow/jitGrain)))
	homo := c.M.Weight.Kind == kernels.Homogeneous
	lo, hi := c.cols()
	if chunks == 1 && !homo && c.Hi == 0 {
		c.M.EventMatVec(dst, active)
		return
	}
	if len(c.bufs) < chunks {
		c.bufs = make([]jitBuf, chunks)
	}
	n := len(active)
	gen := func(ch int) {
		a0, a1 := ch*n/chunks, (ch+1)*n/chunks
		b := &c.bufs[ch]
		b.col, b.w = b.col[:0], b.w[:0]
		for _, i := range active[a0:a1] {
			if homo {
				k := len(b.col)
				b.col = c.M.AppendRowColsRange(b.col, int(i), lo, hi)
				if lo != 0 {
					for t := k; t < len(b.col); t++ {
						b.col[t] -= int32(lo)
					}
				}
				continue
			}
			r := c.M.RowRange(int(i), lo, hi)
			for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
				b.col = append(b.col, int32(j-lo))
				b.w = append(b.w, w)
			}
		}
	}
	if chunks == 1 {
		gen(0)
	} else {
		parallelChunks(chunks, gen)
	}
	dst = dst[:hi-lo]
	for ch := 0; ch < chunks; ch++ {
		b := &c.bufs[ch]
		if homo {
			w := c.M.Weight.A
			for _, j := range b.col {
				dst[j] += w
			}
			continue
		}
		for t, j := range b.col {
			dst[j] += b.w[t]
		}
	}
}

// ScatterScaled adds scale[s] times the regenerated row active[s].
func (c *JITConn) ScatterScaled(dst []float32, active []int32, scale []float32) {
	lo, hi := c.cols()
	for s, i := range active {
		r := c.M.RowRange(int(i), lo, hi)
		for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
			dst[j-lo] += scale[s] * w
		}
	}
}

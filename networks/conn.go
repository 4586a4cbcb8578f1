package networks

import (
	"fmt"
	"math"

	"github.com/braingo/braingo/kernels"
)

// Storage kinds of a FixedMatrix.
const (
	ConnDense = "dense" // a Rows × Cols float32 matrix
	ConnCSR   = "csr"   // compressed sparse rows
	ConnJIT   = "jit"   // regenerated from its seed at every product, never stored
)

// ConnKinds lists the storage kinds of a FixedMatrix.
var ConnKinds = []string{ConnDense, ConnCSR, ConnJIT}

// FixedMatrix is a fixed (untrained) weight matrix M, Rows × Cols in the
// sense of linear algebra, of the reservoir and FORCE networks: MatVec and
// MatMulT compute M·x (the rows are the receiving units: the reservoir's
// W and FORCE's J are post × pre), EventMatTVec adds rows (the rows are the
// sending units: spiking FORCE's ω is pre × post, snn.Conn's convention).
// It is a matrix, not a projection: a projection between populations is an
// snn.Conn (pre → post). It is stored densely, in CSR form, or generated
// just in time. A FixedMatrix built by NewFixedMatrix is the same matrix in
// all three storages: the dense and CSR forms are
// materialized from the JIT definition (kernels.JIT), so a reservoir that
// outgrows dense storage keeps its weights when switched to jit.
//
// Every product scales by Scale (1 when built by NewFixedMatrix): the spectral
// radius is set by changing Scale, which costs nothing for JIT storage.
type FixedMatrix struct {
	Rows, Cols int
	Kind       string
	Scale      float32
	Dense      []float32    // ConnDense
	CSR        *kernels.CSR // ConnCSR
	JIT        kernels.JIT  // always set; the definition of the matrix
}

// NewFixedMatrix returns the rows × cols random matrix whose entries are present
// with probability p, independently, with weights N(0, std²), drawn from
// the Philox stream of seed (kernels.JIT's definition), stored as kind (one
// of ConnKinds). It returns an error for an unknown kind, p outside (0, 1]
// or a dense matrix over 2³¹ entries.
func NewFixedMatrix(kind string, rows, cols int, p, std float64, seed uint64) (*FixedMatrix, error) {
	if rows < 1 || cols < 1 {
		return nil, fmt.Errorf("connectivity: %d×%d: sizes must be positive", rows, cols)
	}
	if !(p > 0 && p <= 1) {
		return nil, fmt.Errorf("connectivity: probability %v outside (0, 1]", p)
	}
	c := &FixedMatrix{Rows: rows, Cols: cols, Kind: kind, Scale: 1,
		JIT: kernels.JIT{Rows: rows, Cols: cols, P: p, Seed: seed, Weight: kernels.NormalWeight(0, float32(std))}}
	switch kind {
	case ConnDense:
		if int64(rows)*int64(cols) > 1<<31 {
			return nil, fmt.Errorf("connectivity: a dense %d×%d matrix needs %.1f GB; use csr or jit", rows, cols, float64(rows)*float64(cols)*4/1e9)
		}
		c.Dense = make([]float32, rows*cols)
		c.JIT.Materialize(c.Dense)
	case ConnCSR:
		c.CSR = c.JIT.ToCSR()
	case ConnJIT:
	default:
		return nil, fmt.Errorf("connectivity: unknown storage %q (known: dense, csr, jit)", kind)
	}
	return c, nil
}

// Bytes is the memory the stored weights take.
func (c *FixedMatrix) Bytes() int64 {
	switch c.Kind {
	case ConnDense:
		return int64(len(c.Dense)) * 4
	case ConnCSR:
		return int64(len(c.CSR.Ptr))*8 + int64(len(c.CSR.Col))*8
	}
	return 0
}

// MatVec sets y = Scale·M·x (y has Rows values, x has Cols).
func (c *FixedMatrix) MatVec(y, x []float32) {
	switch c.Kind {
	case ConnDense:
		n := c.Cols
		kernels.Parallel(c.Rows, max(1, 1<<16/n), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				y[i] = kernels.Dot(c.Dense[i*n:(i+1)*n], x)
			}
		})
	case ConnCSR:
		c.CSR.MatVec(y, x)
	default:
		c.JIT.MatVec(y, x)
	}
	if c.Scale != 1 {
		kernels.Scale(y, c.Scale)
	}
}

// MatMulT sets Y = Scale·X·Mᵀ for the batch × Cols row-major X and the
// batch × Rows Y: row b of Y is Scale·M·(row b of X).
func (c *FixedMatrix) MatMulT(y, x []float32, batch int) {
	switch c.Kind {
	case ConnDense:
		kernels.Gemm(false, true, batch, c.Rows, c.Cols, c.Scale, x, c.Cols, c.Dense, c.Cols, 0, y, c.Rows)
		return
	case ConnCSR:
		c.CSR.MatMulT(y, x, batch)
	default:
		c.JIT.MatMulT(y, x, batch)
	}
	if c.Scale != 1 {
		kernels.Scale(y[:batch*c.Rows], c.Scale)
	}
}

// EventMatTVec adds Scale times the rows of M of the active (spiking)
// units to y (Cols values): y += Scale·Mᵀ·s for the binary s (Rows values)
// with ones at active. Spiking networks store their recurrent matrix with
// the pre-synaptic units as rows, so a spike reads one row.
func (c *FixedMatrix) EventMatTVec(y []float32, active []int32) {
	if len(active) == 0 {
		return
	}
	switch {
	case c.Kind == ConnDense:
		n := c.Cols
		for _, i := range active {
			kernels.Axpy(y, c.Scale, c.Dense[int(i)*n:(int(i)+1)*n])
		}
	case c.Kind == ConnCSR && c.Scale == 1:
		c.CSR.EventMatVec(y, active)
	case c.Kind == ConnCSR:
		m := c.CSR
		for _, i := range active {
			for k := m.Ptr[i]; k < m.Ptr[i+1]; k++ {
				y[m.Col[k]] += c.Scale * m.Val[k]
			}
		}
	default:
		for _, i := range active {
			r := c.JIT.Row(int(i))
			for j, w, ok := r.Next(); ok; j, w, ok = r.Next() {
				y[j] += c.Scale * w
			}
		}
	}
}

// SpectralRadius estimates the largest modulus of an eigenvalue of the
// square matrix Scale·M by power iteration: from a fixed random start,
// v ← M·v/‖M·v‖ for iters steps (at least 20), and the estimate is the
// geometric mean of the growth factors ‖M·v‖ over the second half of the
// steps. The geometric mean converges to ρ also when the dominant
// eigenvalues are a complex pair or several of nearly equal modulus (the
// usual case for random matrices), where the single ratio oscillates.
func (c *FixedMatrix) SpectralRadius(iters int) float64 {
	if c.Rows != c.Cols {
		panic(fmt.Sprintf("networks: SpectralRadius of a %d×%d matrix", c.Rows, c.Cols))
	}
	iters = max(iters, 20)
	n := c.Rows
	v, w := make([]float32, n), make([]float32, n)
	kernels.FillNormal(v, 0, 1, 0x5eed, 0x5bec)
	normalize(v)
	var logSum float64
	cnt := 0
	for it := 0; it < iters; it++ {
		c.MatVec(w, v)
		nrm := norm(w)
		if nrm == 0 {
			return 0
		}
		if it >= iters/2 {
			logSum += math.Log(nrm)
			cnt++
		}
		kernels.Scale(w, float32(1/nrm))
		v, w = w, v
	}
	return math.Exp(logSum / float64(cnt))
}

// SetSpectralRadius scales the matrix so that SpectralRadius(iters) is rho
// and returns the radius it had.
func (c *FixedMatrix) SetSpectralRadius(rho float64, iters int) float64 {
	prev := c.SpectralRadius(iters)
	if prev > 0 {
		c.Scale = float32(float64(c.Scale) * rho / prev)
	}
	return prev
}

func norm(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s)
}

func normalize(x []float32) {
	if n := norm(x); n > 0 {
		kernels.Scale(x, float32(1/n))
	}
}

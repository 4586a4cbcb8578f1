package tensor

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// Sparse products with trainable weights (issue #21): a CSR matrix whose
// structure is fixed and whose stored values are a parameter, and a JIT
// matrix (regenerated from its seed, never stored) whose weight rule's
// parameters are trained, as BrainPy's brainpy.math.jitconn operators.
//
// Both follow braingo's layout: the matrix is in × out (rows are the
// pre-synaptic inputs) and the product is y = x·M, so a spiking input
// selects contiguous rows. BrainPy's jitconn operators take M as
// (out, in) and compute M@v (M.T@v with transpose=True); with
// outdim_parallel=False its M and M.T are different random matrices.
// Here the forward and every backward product regenerate the same matrix,
// which BrainPy gives only with outdim_parallel=True; its random streams
// differ from braingo's, so the matrices of equal seeds differ.

// CSRMatMul returns x·M for x of shape (batch, m.Rows) and the sparse
// m.Rows × m.Cols matrix M with m's structure and the values val (a tensor
// of m.NNZ() elements in m's entry order; m.Val is ignored and may be nil).
// The structure is fixed; val is the trainable part:
//
//	y[b,Col[k]] += x[b,i]·val[k]  for each entry k of row i
//
// The gradient for x is the transpose product G·Mᵀ over the structure, the
// gradient for val[k] is Σ_b x[b,i]·G[b,Col[k]]. The products run in
// feature-major layout (kernels.CSR.MatMulFM, MatMulTFM, ValGradFM: one
// vector operation over the batch per stored entry), inputs that are zero
// in every sample skipped; the tape keeps xᵀ for the backward pass. Every
// product is bit-identical for any kernels.Threads().
func (tp *Tape) CSRMatMul(x *Tensor, m *kernels.CSR, val *Tensor) *Tensor {
	mm := csrWith(m, val, x, "CSRMatMul")
	b, k, n := x.Shape[0], m.Rows, m.Cols
	out := tp.NewResult([]int{b, n}, x, val)
	xT := tp.Alloc(k * b)
	kernels.Transpose(xT, x.Data, b, k)
	yT := tp.Alloc(n * b)
	mm.MatMulFM(yT, xT, b)
	kernels.Transpose(out.Data, yT, n, b)
	if !out.requiresGrad {
		return out
	}
	tp.Record(func() {
		g := out.Grad
		if g == nil {
			return
		}
		gT := tp.Alloc(n * b)
		kernels.Transpose(gT, g, b, n)
		if val.requiresGrad {
			mm.ValGradFM(tp.GradOf(val), xT, gT, b)
		}
		if x.requiresGrad {
			csrInputGrad(tp, &mm, x, gT, b)
		}
	})
	return out
}

// CSRSpikeMatMul is CSRMatMul for a spike input s of 0s and 1s: the forward
// product adds, for each sample, the rows of the inputs that fired
// (kernels.CSR.EventMatMul), and the value gradient touches only those rows
// (kernels.CSR.EventValGrad), so both cost the synapses of the spikes. The
// gradient for s (if it requires one, through a surrogate) is the transpose
// product G·Mᵀ over the structure. An s with any other value (a current, a
// rate) is CSRMatMul, as kernels.SpikeMatMul takes its dense product then:
// the event path would count each nonzero as 1.
func (tp *Tape) CSRSpikeMatMul(s *Tensor, m *kernels.CSR, val *Tensor) *Tensor {
	if _, other := kernels.CountSpikes(s.Data); other != 0 {
		return tp.CSRMatMul(s, m, val)
	}
	mm := csrWith(m, val, s, "CSRSpikeMatMul")
	b, k, n := s.Shape[0], s.Shape[1], m.Cols
	out := tp.NewResult([]int{b, n}, s, val)
	ev := &kernels.Events{Ptr: tp.AllocInt32(b + 1), Idx: tp.AllocInt32(b*k + 16)} // FromDense needs 16 spare
	ev.FromDense(s.Data, b, k)
	clear(out.Data)
	mm.EventMatMul(out.Data, n, ev)
	if !out.requiresGrad {
		return out
	}
	tp.Record(func() {
		g := out.Grad
		if g == nil {
			return
		}
		if val.requiresGrad {
			mm.EventValGrad(tp.GradOf(val), ev, g, n, &tp.evScratch)
		}
		if s.requiresGrad {
			gT := tp.Alloc(n * b)
			kernels.Transpose(gT, g, b, n)
			csrInputGrad(tp, &mm, s, gT, b)
		}
	})
	return out
}

// csrWith checks the operands of a CSR product and returns m with val's
// values.
func csrWith(m *kernels.CSR, val, x *Tensor, op string) kernels.CSR {
	if x.Dim() != 2 || x.Shape[1] != m.Rows {
		panic(fmt.Sprintf("tensor: %s: input %v does not match the %d×%d matrix", op, x.Shape, m.Rows, m.Cols))
	}
	if val.Len() != m.NNZ() || len(m.Ptr) != m.Rows+1 {
		panic(fmt.Sprintf("tensor: %s: %d values for a matrix with %d entries", op, val.Len(), m.NNZ()))
	}
	mm := *m
	mm.Val = val.Data
	return mm
}

// csrInputGrad adds (gT)ᵀ·Mᵀ to x's gradient.
func csrInputGrad(tp *Tape, m *kernels.CSR, x *Tensor, gT []float32, b int) {
	dxT := tp.Alloc(m.Rows * b)
	m.MatMulTFM(dxT, gT, b)
	addTransposed(tp, x, dxT, m.Rows, b)
}

// addTransposed adds the transpose of the rows×b dT to x's (b×rows)
// gradient.
func addTransposed(tp *Tape, x *Tensor, dT []float32, rows, b int) {
	gx, fresh := tp.GradAcc(x)
	if fresh {
		kernels.Transpose(gx, dT, rows, b)
		return
	}
	d := tp.Alloc(rows * b)
	kernels.Transpose(d, dT, rows, b)
	kernels.AddTo(gx, d)
}

// JITMatMul returns x·M for x of shape (batch, m.Rows) and the JIT matrix M
// of m's size, probability and seed whose weight rule takes its parameters
// from w (m.Weight's A and B are ignored):
//
//	m.Weight.Kind   w        each connection's weight    BrainPy
//	Homogeneous     [a]      a                           mv_prob_homo
//	Uniform         [lo, hi] lo + (hi−lo)·u, u∈[0,1)     mv_prob_uniform
//	Normal          [mu, sd] mu + sd·z, z standard       mv_prob_normal
//
// The matrix is regenerated from (seed, row) in the forward product
// (kernels.JIT.MatMulFM: each row whose input is nonzero in some sample,
// once per batch) and in the backward pass (kernels.JIT.TransposeGradFM:
// one generation of each row for the input gradient G·Mᵀ and the weight
// gradient together), so it is never stored. M is linear in w: with P the
// connection pattern and R the connections' draws (u or z), the gradients
// are ⟨X, G·Pᵀ⟩ for a (and mu), ⟨X, G·Rᵀ⟩ for sd, and for the uniform rule
// ⟨X, G·(P−R)ᵀ⟩ for lo and ⟨X, G·Rᵀ⟩ for hi. Bit-identical for any
// kernels.Threads().
func (tp *Tape) JITMatMul(x *Tensor, m kernels.JIT, w *Tensor) *Tensor {
	m = jitWith(m, w, x, "JITMatMul")
	b, k, n := x.Shape[0], m.Rows, m.Cols
	out := tp.NewResult([]int{b, n}, x, w)
	xT := tp.Alloc(k * b)
	kernels.Transpose(xT, x.Data, b, k)
	yT := tp.Alloc(n * b)
	m.MatMulFM(yT, xT, b)
	kernels.Transpose(out.Data, yT, n, b)
	if out.requiresGrad {
		tp.Record(func() { jitBackward(tp, &m, x, xT, w, out, b) })
	}
	return out
}

// JITSpikeMatMul is JITMatMul for a binary spike input s, BrainPy's
// event_mv_prob_homo, event_mv_prob_uniform and event_mv_prob_normal. The
// products are JITMatMul's, which are already event-driven for spikes: a
// row of M is generated only if its neuron fired in some sample of the
// batch (and, when s needs no gradient, the same holds in the backward
// pass). Spikes are any nonzero value, counted with its value.
func (tp *Tape) JITSpikeMatMul(s *Tensor, m kernels.JIT, w *Tensor) *Tensor {
	return tp.JITMatMul(s, m, w)
}

func jitWith(m kernels.JIT, w, x *Tensor, op string) kernels.JIT {
	if x.Dim() != 2 || x.Shape[1] != m.Rows {
		panic(fmt.Sprintf("tensor: %s: input %v does not match the %d×%d matrix", op, x.Shape, m.Rows, m.Cols))
	}
	want := 2
	if m.Weight.Kind == kernels.Homogeneous {
		want = 1
	}
	if w.Len() != want {
		panic(fmt.Sprintf("tensor: %s: %d weight parameters for a rule that takes %d", op, w.Len(), want))
	}
	m.Weight.A = w.Data[0]
	if want == 2 {
		m.Weight.B = w.Data[1]
	}
	return m
}

func jitBackward(tp *Tape, m *kernels.JIT, x *Tensor, xT []float32, w, out *Tensor, b int) {
	g := out.Grad
	if g == nil {
		return
	}
	var dxT, dp, dr []float32
	if x.requiresGrad {
		dxT = tp.Alloc(m.Rows * b)
	}
	if w.requiresGrad {
		dp = tp.Alloc(m.Rows)
		if m.Weight.Kind != kernels.Homogeneous {
			dr = tp.Alloc(m.Rows)
		}
	}
	if dxT == nil && dp == nil {
		return
	}
	gT := tp.Alloc(m.Cols * b)
	kernels.Transpose(gT, g, b, m.Cols)
	m.TransposeGradFM(dxT, dp, dr, xT, gT, b)
	if dxT != nil {
		addTransposed(tp, x, dxT, m.Rows, b)
	}
	if dp == nil {
		return
	}
	var sp, sr float64 // summed in row order
	for i, v := range dp {
		sp += float64(v)
		if dr != nil {
			sr += float64(dr[i])
		}
	}
	gw := tp.GradOf(w)
	switch m.Weight.Kind {
	case kernels.Homogeneous:
		gw[0] += float32(sp)
	case kernels.Uniform: // M = lo·P + (hi−lo)·R
		gw[0] += float32(sp - sr)
		gw[1] += float32(sr)
	case kernels.Normal: // M = mu·P + sd·R
		gw[0] += float32(sp)
		gw[1] += float32(sr)
	}
}

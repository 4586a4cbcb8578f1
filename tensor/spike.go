package tensor

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// SpikeMatMul returns s·w for a spike matrix s (batch × in) and weights w
// (in × out). For s of 0s and 1s below kernels.EventCrossover's
// density for its width the forward pass adds, for each row of s,
// the rows of w whose neurons fired, so work follows the spike count, and
// the weight gradient dW[i,:] += Σ_b δ[b,:] over the rows b where i fired
// reuses the same index lists; above it both are dense products. The
// gradient for s (if s requires one, e.g. through a surrogate) is the dense
// product δ·wᵀ. An s with any other value takes the dense products
// (kernels.SpikeMatMul checks), so the result is s·w for every s. A narrow
// output (at most kernels.NarrowMax columns, a readout, on at least 32
// inputs) takes the dense narrow kernels at any density instead
// (tensor/narrow.go), its weight packed once per recorded pass.
func (tp *Tape) SpikeMatMul(s, w *Tensor) *Tensor {
	if s.Dim() != 2 || w.Dim() != 2 || s.Shape[1] != w.Shape[0] {
		panic(fmt.Sprintf("tensor: SpikeMatMul: spikes %v and weights %v do not match", s.Shape, w.Shape))
	}
	b, k, n := s.Shape[0], s.Shape[1], w.Shape[1]
	out := tp.NewResult([]int{b, n}, s, w)
	if n <= kernels.NarrowMax && k >= narrowMinK {
		tp.spikeMatMulNarrow(out, s, w, b, k, n)
		return out
	}
	ev := &kernels.Events{Ptr: tp.AllocInt32(b + 1), Idx: tp.AllocInt32(b*k + 16)} // FromDense needs 16 spare
	kernels.SpikeMatMul(out.Data, n, s.Data, b, k, w.Data, n, n, false, ev)
	if !out.requiresGrad {
		return out
	}
	tp.Record(func() {
		g := out.Grad
		if g == nil {
			return
		}
		if w.requiresGrad {
			// The transposed spike lists live only during this step: one
			// scratch per tape, grown as needed, not a pooled buffer per
			// step whose size follows the spike count.
			kernels.SpikeMatMulGrad(tp.GradOf(w), n, ev, s.Data, g, n, n, &tp.evScratch)
		}
		if s.requiresGrad { // dS (b×k) += G·Wᵀ
			gs, beta := gradBeta(tp, s)
			kernels.Gemm(false, true, b, k, n, 1, g, n, w.Data, n, beta, gs, k)
		}
	})
	return out
}

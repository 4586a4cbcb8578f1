package tensor

import "github.com/braingo/braingo/kernels"

// narrowMinK is the least input width for which products with a narrow
// output (n ≤ kernels.NarrowMax) take the narrow kernels instead of Gemm.
const narrowMinK = 32

// narrowW is a weight in kernels.PackNarrow's layout, shared by the narrow
// products that use it during one recorded pass (a readout applied at every
// time step is packed once, not per step), with the packed sum of their
// weight gradients. The op that packed it owns it: its backward step runs
// after those of the later ops and adds the sum to the weight's Grad, so
// the unpacking is also paid once per pass.
type narrowW struct {
	p, gp []float32
	used  bool // gp holds a contribution
}

// narrowPack returns w's packed form (w is k×n) and whether the caller owns
// it. Only a recording tape shares it, until Backward or Reset: a weight
// must not change between the ops that read it and the backward pass that
// differentiates them, which is already what their backward steps assume.
func (tp *Tape) narrowPack(w *Tensor, k, n int) (*narrowW, bool) {
	if tp.Recording() {
		if nw := tp.narrow[w]; nw != nil {
			return nw, false
		}
	}
	size := kernels.NarrowPackLen(k, n)
	nw := &narrowW{p: tp.Alloc(size)}
	kernels.PackNarrow(nw.p, w.Data, n, k, n)
	if tp.Recording() {
		if w.requiresGrad {
			nw.gp = tp.AllocZero(size)
		}
		if tp.narrow == nil {
			tp.narrow = make(map[*Tensor]*narrowW)
		}
		tp.narrow[w] = nw
	}
	return nw, true
}

// spikeMatMulNarrow is SpikeMatMul for n ≤ kernels.NarrowMax outputs: the
// dense narrow kernels beat both Gemm and the event path there at any
// spike density (kernels.EventCrossover's measurements).
func (tp *Tape) spikeMatMulNarrow(out, s, w *Tensor, b, k, n int) {
	nw, owner := tp.narrowPack(w, k, n)
	kernels.NarrowMatMul(out.Data, n, s.Data, k, b, k, nw.p, n, false)
	if !out.requiresGrad {
		return
	}
	tp.Record(func() {
		if g := out.Grad; g != nil {
			if w.requiresGrad {
				kernels.NarrowGradPacked(nw.gp, s.Data, k, b, k, g, n, n)
				nw.used = true
			}
			if s.requiresGrad { // dS (b×k) += G·Wᵀ
				gs, beta := gradBeta(tp, s)
				kernels.NarrowInnerMatMul(gs, k, g, n, b, n, nw.p, k, beta != 0)
			}
		}
		if owner && nw.used {
			kernels.NarrowUnpackAdd(tp.GradOf(w), n, nw.gp, k, n)
		}
	})
}

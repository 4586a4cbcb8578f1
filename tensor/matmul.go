package tensor

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
)

// MatMul returns op(a)·op(b) for 2-D tensors, op transposing when ta/tb.
func (tp *Tape) MatMul(a, b *Tensor, ta, tb bool) *Tensor {
	if a.Dim() != 2 || b.Dim() != 2 {
		panic(fmt.Sprintf("tensor: MatMul needs 2-D tensors, got %v and %v", a.Shape, b.Shape))
	}
	m, k := a.Shape[0], a.Shape[1]
	if ta {
		m, k = k, m
	}
	k2, n := b.Shape[0], b.Shape[1]
	if tb {
		k2, n = n, k2
	}
	if k != k2 {
		panic(fmt.Sprintf("tensor: MatMul: inner dimensions differ: %v (trans %v) · %v (trans %v)", a.Shape, ta, b.Shape, tb))
	}
	lda, ldb := a.Shape[1], b.Shape[1]
	out := tp.NewResult([]int{m, n}, a, b)
	kernels.Gemm(ta, tb, m, n, k, 1, a.Data, lda, b.Data, ldb, 0, out.Data, n)
	if out.requiresGrad {
		tp.Record(func() {
			g := out.Grad
			if g == nil {
				return
			}
			if a.requiresGrad {
				ga, beta := gradBeta(tp, a)
				if !ta { // dA (m×k) += G·op(B)ᵀ
					kernels.Gemm(false, !tb, m, k, n, 1, g, n, b.Data, ldb, beta, ga, k)
				} else { // dA (k×m) += op(B)·Gᵀ
					kernels.Gemm(tb, true, k, m, n, 1, b.Data, ldb, g, n, beta, ga, m)
				}
			}
			if b.requiresGrad {
				gb, beta := gradBeta(tp, b)
				if !tb { // dB (k×n) += op(A)ᵀ·G
					kernels.Gemm(!ta, false, k, n, m, 1, a.Data, lda, g, n, beta, gb, n)
				} else { // dB (n×k) += Gᵀ·op(A)
					kernels.Gemm(true, ta, n, k, m, 1, g, n, a.Data, lda, beta, gb, k)
				}
			}
		})
	}
	return out
}

// Linear returns x·Wᵀ + b for x of shape (..., in), W of shape (out, in)
// (PyTorch's storage) and b of shape (out) or nil; the result has shape
// (..., out).
func (tp *Tape) Linear(x, w, b *Tensor) *Tensor {
	if w.Dim() != 2 || x.Dim() < 1 || x.Shape[x.Dim()-1] != w.Shape[1] {
		panic(fmt.Sprintf("tensor: Linear: input %v does not match weight %v", x.Shape, w.Shape))
	}
	if b != nil && (b.Len() != w.Shape[0]) {
		panic(fmt.Sprintf("tensor: Linear: bias %v does not match weight %v", b.Shape, w.Shape))
	}
	nin, nout := w.Shape[1], w.Shape[0]
	rows := x.Len() / max(nin, 1)
	shape := append(append([]int(nil), x.Shape[:x.Dim()-1]...), nout)
	out := tp.NewResult(shape, x, w, b)
	if b != nil {
		for r := 0; r < rows; r++ {
			copy(out.Data[r*nout:(r+1)*nout], b.Data)
		}
	}
	beta := float32(0)
	if b != nil {
		beta = 1
	}
	kernels.Gemm(false, true, rows, nout, nin, 1, x.Data, nin, w.Data, nin, beta, out.Data, nout)
	if out.requiresGrad {
		tp.Record(func() {
			g := out.Grad
			if g == nil {
				return
			}
			if x.requiresGrad { // dX (rows×in) += G·W
				gx, beta := gradBeta(tp, x)
				kernels.Gemm(false, false, rows, nin, nout, 1, g, nout, w.Data, nin, beta, gx, nin)
			}
			if w.requiresGrad { // dW (out×in) += Gᵀ·X
				gw, beta := gradBeta(tp, w)
				kernels.Gemm(true, false, nout, nin, rows, 1, g, nout, x.Data, nin, beta, gw, nin)
			}
			if b != nil && b.requiresGrad {
				gb := tp.GradOf(b)
				for r := 0; r < rows; r++ {
					for j, v := range g[r*nout : (r+1)*nout] {
						gb[j] += v
					}
				}
			}
		})
	}
	return out
}

// gradBeta returns t's gradient buffer and the Gemm beta that accumulates
// into it (0 for a fresh, uninitialized buffer).
func gradBeta(tp *Tape, t *Tensor) ([]float32, float32) {
	g, fresh := tp.GradAcc(t)
	if fresh {
		return g, 0
	}
	return g, 1
}

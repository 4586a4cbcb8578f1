package snn

import (
	"fmt"

	"github.com/braingo/braingo/kernels"
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// LIF is the discrete leaky integrate-and-fire neuron of snnTorch's Leaky
// (and the NIR LIF node once discretized):
//
//	τ dU/dt = −U + R·I            (continuous form, v_leak = 0)
//	r[t]    = H(U[t−1] − θ)       (reset from the previous membrane, detached)
//	base    = β·U[t−1] + I[t]     (β = exp(−dt/τ) or 1 − dt/τ)
//	U[t]    = base − r[t]·θ       (ResetSubtract)
//	        = base·(1 − r[t])     (ResetZero)
//	        = base                (ResetNone)
//	S[t]    = H(U[t] − θ)         (surrogate gradient in the backward pass)
//
// Order per step: integrate, reset (from the previous step's spike
// condition), spike. No gradient flows through r, as in snnTorch.
type LIF struct {
	// Beta is the membrane decay per step, in [0, 1].
	Beta float32
	// Threshold θ; 0 means 1.
	Threshold float32
	// Reset mechanism (default ResetSubtract).
	Reset Reset
	// Surrogate derivative of the spike; nil means surrogate.ATan{} (α 2).
	Surrogate surrogate.Func
}

func (p LIF) theta() float32 {
	if p.Threshold == 0 {
		return 1
	}
	return p.Threshold
}

func (p LIF) sg() surrogate.Func {
	if p.Surrogate == nil {
		return surrogate.ATan{}
	}
	return p.Surrogate
}

// Step advances state without a tape: u (membrane, in/out) and s (spikes,
// out) given input current in. All slices have the same length.
func (p LIF) Step(u, s, in []float32) {
	if len(u) != len(in) || len(s) != len(in) {
		panic("snn: LIF.Step length mismatch")
	}
	th, beta := p.theta(), p.Beta
	kernels.Parallel(len(u), 1<<14, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			prev := u[i]
			base := beta*prev + in[i]
			v := base
			if prev > th {
				switch p.Reset {
				case ResetSubtract:
					v = base - th
				case ResetZero:
					v = 0
				}
			}
			u[i] = v
			if v > th {
				s[i] = 1
			} else {
				s[i] = 0
			}
		}
	})
}

// Forward is one differentiable LIF step on tp: it returns the new membrane
// and the spikes given the previous membrane u and input current in (same
// shape). The backward pass is fused: per element it combines the spike's
// surrogate gradient with the membrane's own gradient and sends β·dbase to
// u and dbase to in. It keeps no buffers beyond its inputs and outputs.
func (p LIF) Forward(tp *tensor.Tape, u, in *tensor.Tensor) (uNew, s *tensor.Tensor) {
	if u.Len() != in.Len() {
		panic(fmt.Sprintf("snn: LIF.Forward: membrane %v and input %v differ", u.Shape, in.Shape))
	}
	uNew = tp.NewResult(in.Shape, u, in)
	s = tp.NewResult(in.Shape, u, in)
	copy(uNew.Data, u.Data)
	p.Step(uNew.Data, s.Data, in.Data)
	if !uNew.RequiresGrad() {
		return uNew, s
	}
	th, beta, sg, reset := p.theta(), p.Beta, p.sg(), p.Reset
	tp.Record(func() {
		gU, gS := uNew.Grad, s.Grad
		if gU == nil && gS == nil {
			return
		}
		var gu, gin []float32
		if u.RequiresGrad() {
			gu = tp.GradOf(u)
		}
		if in.RequiresGrad() {
			gin = tp.GradOf(in)
		}
		kernels.Parallel(len(uNew.Data), 1<<14, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				var d float32
				if gU != nil {
					d = gU[i]
				}
				if gS != nil && gS[i] != 0 {
					d += gS[i] * sg.Grad(uNew.Data[i]-th)
				}
				if reset == ResetZero && u.Data[i] > th {
					d = 0
				}
				if gu != nil {
					gu[i] += beta * d
				}
				if gin != nil {
					gin[i] += d
				}
			}
		})
	})
	return uNew, s
}

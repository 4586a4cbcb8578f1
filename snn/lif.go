package snn

import (
	"fmt"
	"math"

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
func (p LIF) Step(u, s, in []float32) { p.StepInto(u, s, u, in) }

// StepInto is Step writing the new membrane to uNew and reading the old one
// from u (which may be the same slice).
func (p LIF) StepInto(uNew, s, u, in []float32) {
	if len(u) != len(in) || len(s) != len(in) || len(uNew) != len(in) {
		panic("snn: LIF.Step length mismatch")
	}
	th, beta := p.theta(), p.Beta
	kernels.Parallel(len(u), 1<<15, func(lo, hi int) {
		un, sp, up, x := uNew[lo:hi], s[lo:hi], u[lo:hi], in[lo:hi:hi]
		// Branchless: spikes are random, so branches on them mispredict.
		switch p.Reset {
		case ResetSubtract:
			for i := range x {
				prev := up[i]
				v := beta*prev + x[i] - above(prev, th)*th
				un[i], sp[i] = v, above(v, th)
			}
		case ResetZero:
			for i := range x {
				prev := up[i]
				v := (beta*prev + x[i]) * (1 - above(prev, th))
				un[i], sp[i] = v, above(v, th)
			}
		default:
			for i := range x {
				v := beta*up[i] + x[i]
				un[i], sp[i] = v, above(v, th)
			}
		}
	})
}

// above returns 1 if v > th and 0 otherwise, without a branch: the sign
// bit of th − v.
func above(v, th float32) float32 {
	return float32(math.Float32bits(th-v) >> 31)
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
	p.StepInto(uNew.Data, s.Data, u.Data, in.Data)
	if !uNew.RequiresGrad() {
		return uNew, s
	}
	tp.Record(func() {
		gU, gS := uNew.Grad, s.Grad
		if gU == nil && gS == nil {
			return
		}
		var gu, gin []float32
		var fu, fin bool
		if u.RequiresGrad() {
			gu, fu = tp.GradAcc(u)
		}
		if in.RequiresGrad() {
			gin, fin = tp.GradAcc(in)
		}
		n := len(uNew.Data)
		kernels.Parallel(n, 1<<15, func(lo, hi int) {
			p.backward(lo, hi, u.Data, uNew.Data, gU, gS, gu, gin, fu, fin)
		})
	})
	return uNew, s
}

// backward computes, for elements lo..hi, d = dL/dU[t] (membrane gradient
// plus the spike's surrogate term), zeroed where a zero reset cut the path,
// then gu += β·d and gin += d (or writes them when fresh).
func (p LIF) backward(lo, hi int, u, uNew, gU, gS, gu, gin []float32, fu, fin bool) {
	th, beta := p.theta(), p.Beta
	var buf [512]float32
	for c := lo; c < hi; c += len(buf) {
		e := min(c+len(buf), hi)
		d := buf[:e-c]
		// d = gS·sg(U − θ)
		if gS != nil {
			x := buf[:e-c]
			for i := range x {
				x[i] = uNew[c+i] - th
			}
			surrogate.GradSlice(p.sg(), d, gS[c:e], x)
		} else {
			clear(d)
		}
		if gU != nil {
			for i, g := range gU[c:e] {
				d[i] += g
			}
		}
		if p.Reset == ResetZero {
			for i, v := range u[c:e] {
				d[i] *= 1 - above(v, th)
			}
		}
		switch {
		case gu == nil:
		case fu:
			for i, v := range d {
				gu[c+i] = beta * v
			}
		default:
			for i, v := range d {
				gu[c+i] += beta * v
			}
		}
		switch {
		case gin == nil:
		case fin:
			copy(gin[c:e], d)
		default:
			for i, v := range d {
				gin[c+i] += v
			}
		}
	}
}

package snn

import (
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// ALIF is the adaptive LIF neuron of Bellec et al. (2018, 2020; LSNN and
// e-prop): each spike raises the threshold, which relaxes back with decay ρ.
// Dimensionless (θ = 1 by default), per step:
//
//	b[t] = ρ·b[t−1] + (1 − ρ)·S[t−1]          (adaptation variable)
//	A[t] = θ + β_a·b[t]                        (adaptive threshold)
//	U[t] = β·U[t−1] + I[t] − θ·S[t−1]          (reset by subtraction, detached)
//	S[t] = H(U[t] − A[t])                      (surrogate on U − A)
//
// in this order, in float32 as written (β·U + I first, then − θ·S; β_a·b
// + θ, then U − A). The gradient flows through b (the adaptation the
// network learns to use) but not through the reset, as in snnTorch and the
// e-prop reference code. Step is the tape-free step (the simulator's cells
// and the online runs of networks.RSNNRun use it); Forward performs the
// same step and records its backward pass.
//
// Presets: β = e^(−dt/τ_m), ρ = e^(−dt/τ_a); Bellec et al.'s LSNN uses
// τ_m 20 ms, τ_a 200–2000 ms, β_a 1.8 at dt 1 ms (ALIFPreset).
type ALIF struct {
	// Beta is the membrane decay per step; Rho the adaptation decay per step
	// (exp(−dt/τ_a)); BetaA the threshold increment scale β_a (Bellec's β,
	// 1.8 in the LSNN papers with θ 0.01 in their units; here θ defaults to 1).
	Beta, Rho, BetaA float32
	// Threshold θ (0 means 1).
	Threshold float32
	// Surrogate derivative (nil: surrogate.Triangle, Bellec's pseudo-derivative).
	Surrogate surrogate.Func
}

// ALIFPreset returns the ALIF of time constants tauM (membrane) and tauA
// (adaptation) in ms at step dt ms, with β_a betaA: Bellec et al.'s LSNN is
// ALIFPreset(20, 2000, 1.8, 1).
func ALIFPreset(tauM, tauA, betaA, dt float64) ALIF {
	return ALIF{Beta: expDecay(dt, tauM), Rho: expDecay(dt, tauA), BetaA: float32(betaA)}
}

// ALIFState is the state of an ALIF layer; S is the previous step's spikes.
type ALIFState struct{ U, B, S *tensor.Tensor }

func (p ALIF) theta() float32 {
	if p.Threshold == 0 {
		return 1
	}
	return p.Threshold
}

func (p ALIF) sg() surrogate.Func {
	if p.Surrogate == nil {
		return surrogate.Triangle{}
	}
	return p.Surrogate
}

// Step advances an ALIF layer by one step in place: u, b and s (the
// previous spikes on entry, the new ones on return) under input current
// in. All slices have the same length.
func (p ALIF) Step(u, b, s, in []float32) { p.StepInto(u, b, s, u, b, s, in) }

// StepInto is the step of the doc comment: it reads the state u, b, s and
// the input in and writes the new state to uNew, bNew, sNew (each may be
// the same slice as its input).
func (p ALIF) StepInto(uNew, bNew, sNew, u, b, s, in []float32) {
	checkLens("ALIF step", len(in), uNew, bNew, sNew, u, b, s)
	th, rho, beta, ba := p.theta(), p.Rho, p.Beta, p.BetaA
	for i, x := range in {
		ps := s[i]
		bn := rho*b[i] + (1-rho)*ps
		un := beta*u[i] + x - th*ps
		uNew[i], bNew[i], sNew[i] = un, bn, surrogate.Heaviside(un-(ba*bn+th))
	}
}

// Forward is one differentiable ALIF step: StepInto forward, and one fused
// pass back. With σ' the surrogate derivative at x = U[t] − A[t] and g the
// incoming gradients of U[t], b[t] and S[t], per element:
//
//	gx = g_S·σ'(x)
//	gU = g_U + gx            →  U[t−1] += β·gU,  I[t] += gU
//	gb = g_b + β_a·(−gx)     →  b[t−1] += ρ·gb,  S[t−1] += (1 − ρ)·gb
//
// the same float32 operations, in the same order, as the step written with
// tape ops (alifReference in the tests), so training gives the same bits.
func (p ALIF) Forward(tp *tensor.Tape, st ALIFState, in *tensor.Tensor) ALIFState {
	if st.U.Len() != in.Len() || st.B.Len() != in.Len() || st.S.Len() != in.Len() {
		panic("snn: ALIF.Forward: state and input sizes differ")
	}
	u, b, s := st.U, st.B, st.S
	un := tp.NewResult(in.Shape, u, in)
	bn := tp.NewResult(in.Shape, b, s)
	sn := tp.NewResult(in.Shape, u, in, b, s)
	p.StepInto(un.Data, bn.Data, sn.Data, u.Data, b.Data, s.Data, in.Data)
	if !un.RequiresGrad() && !bn.RequiresGrad() {
		return ALIFState{U: un, B: bn, S: sn}
	}
	tp.Record(func() { p.backward(tp, u, b, s, in, un, bn, sn) })
	return ALIFState{U: un, B: bn, S: sn}
}

func (p ALIF) backward(tp *tensor.Tape, u, b, s, in, un, bn, sn *tensor.Tensor) {
	gU, gB, gS := un.Grad, bn.Grad, sn.Grad
	th, rho, beta, ba := p.theta(), p.Rho, p.Beta, p.BetaA
	// The tape formulation reaches U[t−1] and I[t] only through U[t] (its
	// own gradient or gx), and b[t−1], S[t−1] only through b[t].
	toU := (gU != nil || gS != nil) && (u.RequiresGrad() || in.RequiresGrad())
	toB := (gB != nil || gS != nil) && (b.RequiresGrad() || s.RequiresGrad())
	if !toU && !toB {
		return
	}
	acc := func(t *tensor.Tensor) func(i int, v float32) {
		if !t.RequiresGrad() {
			return func(int, float32) {}
		}
		g, fresh := tp.GradAcc(t)
		if fresh {
			return func(i int, v float32) { g[i] = v }
		}
		return func(i int, v float32) { g[i] += v }
	}
	var addU, addIn, addB, addS func(int, float32)
	if toU {
		addU, addIn = acc(u), acc(in)
	}
	if toB {
		addB, addS = acc(b), acc(s)
	}
	var xBuf, gxBuf [256]float32
	for c := 0; c < len(un.Data); c += len(xBuf) {
		e := min(c+len(xBuf), len(un.Data))
		x, gx := xBuf[:e-c], gxBuf[:e-c]
		if gS != nil {
			for i := range x {
				x[i] = un.Data[c+i] - (ba*bn.Data[c+i] + th)
			}
			surrogate.GradSlice(p.sg(), gx, gS[c:e], x)
			for i, v := range gx {
				gx[i] = 0 + v // as the tape's fresh gradient of x: −0 becomes +0
			}
		}
		for i := range x {
			k := c + i
			if toU {
				var g float32
				switch {
				case gU != nil && gS != nil:
					g = gU[k] + gx[i]
				case gU != nil:
					g = gU[k]
				default:
					g = gx[i]
				}
				addU(k, g*beta)
				addIn(k, g)
			}
			if toB {
				var g float32
				switch {
				case gB != nil && gS != nil:
					g = gB[k] + -gx[i]*ba
				case gB != nil:
					g = gB[k]
				default:
					g = -gx[i] * ba
				}
				addB(k, g*rho)
				addS(k, g*(1-rho))
			}
		}
	}
}

// ALIFCell is ALIF as a Cell; state [U, b, S].
type ALIFCell struct{ ALIF }

func (c ALIFCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return ZeroState(tp, 3, batch, n)
}
func (c ALIFCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	ns := c.Forward(tp, ALIFState{U: st[0], B: st[1], S: st[2]}, in)
	return []*tensor.Tensor{ns.U, ns.B, ns.S}, ns.S, ns.U
}
func (c ALIFCell) Membrane(st []*tensor.Tensor) *tensor.Tensor { return st[0] }

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
//	r[t]    = H(U[t−1] − θ)          (reset from the previous membrane, detached)
//	base    = β·U[t−1] + I[t]        (β = exp(−dt/τ) or 1 − dt/τ)
//	U[t]    = base − r[t]·θ          (ResetSubtract)
//	        = β·(1 − r[t])·U[t−1] + I[t] (ResetZero)
//	        = base                   (ResetNone)
//	        = base·(1 − r[t])        (ResetZeroLegacy)
//	S[t]    = H(U[t] − θ)            (surrogate gradient in the backward pass)
//
// Order per step: integrate, reset (from the previous step's spike
// condition), spike. No gradient flows through r, as in snnTorch. ResetZero
// is snnTorch ≥ 0.8's Leaky._base_zero (mem = (1 − reset)·mem, then
// mem = β·mem + input), NIR's LIF (v ← v_reset at the spike, the next
// input integrated) and BrainPy's: the step's input survives the reset, so
// a neuron driven hard enough fires on consecutive steps.
type LIF struct {
	// Beta is the membrane decay per step, in [0, 1].
	Beta float32
	// Threshold θ; 0 means 1.
	Threshold float32
	// Reset mechanism (default ResetSubtract).
	Reset Reset
	// Surrogate derivative of the spike; nil means surrogate.ATan{} (α 2).
	Surrogate surrogate.Func
	// LearnBeta, when set, is a trainable decay (one value per neuron, or a
	// single value for the layer) used instead of Beta, clamped to [0, 1]
	// as snnTorch's learn_beta does. Forward then composes checked tape ops
	// instead of the fused kernel, with the same equations.
	LearnBeta *tensor.Tensor
}

// LIFPreset returns the LIF of membrane time constant tau at step dt (in
// the same unit, e.g. ms): β = e^(−dt/τ), threshold 1, reset by
// subtraction. snnTorch's tutorials use β 0.95 directly (τ ≈ 19.5 steps).
func LIFPreset(tau, dt float64) LIF { return LIF{Beta: expDecay(dt, tau)} }

// expDecay returns e^(−dt/τ) in float32, the per-step decay of dx/dt =
// −x/τ (0 for τ ≤ 0: no memory).
func expDecay(dt, tau float64) float32 {
	if tau <= 0 {
		return 0
	}
	return float32(math.Exp(-dt / tau))
}

// NewLearnBeta returns a trainable decay for n neurons (n = 1: one for the
// layer), initialized to beta.
func NewLearnBeta(name string, n int, beta float32) *tensor.Tensor {
	d := make([]float32, n)
	for i := range d {
		d[i] = beta
	}
	return tensor.NewParam(name, []int{n}, d)
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
	th, beta, reset := p.theta(), p.Beta, p.kernelReset()
	// One fused pass (AVX-512 where available), bit-identical to
	//	v := β·u[i] + in[i] − [u[i] > θ]·θ    (ResetSubtract)
	//	v := β·u[i]·(1 − [u[i] > θ]) + in[i]  (ResetZero)
	//	v := β·u[i] + in[i]                   (ResetNone)
	//	v := (β·u[i] + in[i])·(1 − [u[i] > θ]) (ResetZeroLegacy)
	//	uNew[i], s[i] = v, [v > θ]
	if len(u) < 2*lifGrain || kernels.Threads() == 1 {
		kernels.LIFForward(uNew, s, u, in, beta, th, reset) // no closure to allocate
		return
	}
	kernels.Parallel(len(u), lifGrain, func(lo, hi int) {
		kernels.LIFForward(uNew[lo:hi], s[lo:hi], u[lo:hi], in[lo:hi], beta, th, reset)
	})
}

// lifGrain is the fewest elements per goroutine of the LIF passes: the
// fused kernels take well under a nanosecond per element, so smaller
// pieces cost more to start than they save.
const lifGrain = 1 << 15

// kernelReset is p.Reset in the kernels package's numbering.
func (p LIF) kernelReset() int {
	switch p.Reset {
	case ResetSubtract:
		return kernels.LIFResetSubtract
	case ResetZero:
		return kernels.LIFResetZero
	case ResetZeroLegacy:
		return kernels.LIFResetZeroLegacy
	}
	return kernels.LIFResetNone
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
	if p.LearnBeta != nil {
		return p.forwardLearnBeta(tp, u, in)
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
		if n < 2*lifGrain || kernels.Threads() == 1 {
			p.backward(0, n, u.Data, uNew.Data, gU, gS, gu, gin, fu, fin)
			return
		}
		kernels.Parallel(n, lifGrain, func(lo, hi int) {
			p.backward(lo, hi, u.Data, uNew.Data, gU, gS, gu, gin, fu, fin)
		})
	})
	return uNew, s
}

// backward computes, for elements lo..hi, d = dL/dU[t] (membrane gradient
// plus the spike's surrogate term), then gu += β·d and gin += d (or writes
// them when fresh); where a zero reset cut a path (U[t−1] > θ) ResetZero
// drops the β·d term and ResetZeroLegacy both.
func (p LIF) backward(lo, hi int, u, uNew, gU, gS, gu, gin []float32, fu, fin bool) {
	th, beta, reset := p.theta(), p.Beta, p.kernelReset()
	g := lifGrad(lo, hi, u, uNew, gU, gS, nil, gu, gin, fu, fin)
	sur, ok := kernelSurrogate(p.sg())
	if ok || gS == nil {
		kernels.LIFBackward(g, beta, th, reset, sur)
		return
	}
	// Any other surrogate: σ'(U − θ) in Go a chunk at a time, the rest fused.
	var xBuf, sgBuf, ones [512]float32
	for i := range ones {
		ones[i] = 1
	}
	for c := lo; c < hi; c += len(sgBuf) {
		e := min(c+len(sgBuf), hi)
		x, sg := xBuf[:e-c], sgBuf[:e-c]
		for i, v := range uNew[c:e] {
			x[i] = v - th
		}
		surrogate.GradSlice(p.sg(), sg, ones[:e-c], x) // 1·σ'(x): σ'(x) itself
		g := lifGrad(c, e, u, uNew, gU, gS, sg, gu, gin, fu, fin)
		kernels.LIFBackward(g, beta, th, reset, kernels.Surrogate{Kind: kernels.SurrogateGiven})
	}
}

// lifGrad slices the backward pass's operands to elements lo..hi (sg is
// already that piece); nil stays nil.
func lifGrad(lo, hi int, u, uNew, gU, gS, sg, gu, gin []float32, fu, fin bool) kernels.LIFGrad {
	sub := func(x []float32) []float32 {
		if x == nil {
			return nil
		}
		return x[lo:hi]
	}
	return kernels.LIFGrad{U: sub(u), UNew: uNew[lo:hi], GU: sub(gU), GS: sub(gS), SG: sg,
		Gu: sub(gu), Gin: sub(gin), WriteU: fu, WriteIn: fin}
}

// kernelSurrogate maps the surrogates the fused kernel evaluates itself to
// its kind and parameters, with the surrogate package's defaults.
func kernelSurrogate(fn surrogate.Func) (kernels.Surrogate, bool) {
	or := func(v, d float32) float32 {
		if v == 0 {
			return d
		}
		return v
	}
	switch s := fn.(type) {
	case surrogate.ATan:
		return kernels.Surrogate{Kind: kernels.SurrogateATan, A: or(s.Alpha, 2)}, true
	case surrogate.FastSigmoid:
		return kernels.Surrogate{Kind: kernels.SurrogateFastSigmoid, A: or(s.Slope, 25)}, true
	case surrogate.Sigmoid:
		return kernels.Surrogate{Kind: kernels.SurrogateSigmoid, A: or(s.Slope, 25)}, true
	case surrogate.Triangle:
		return kernels.Surrogate{Kind: kernels.SurrogateTriangle, A: or(s.Alpha, 0.3), B: or(s.Width, 1)}, true
	}
	return kernels.Surrogate{}, false
}

// forwardLearnBeta is Forward with a trainable decay: the same step as
// tape ops, base = clamp(β, 0, 1)·U[t−1] + I[t], reset from the previous
// membrane (detached), spike through the surrogate.
func (p LIF) forwardLearnBeta(tp *tensor.Tape, u, in *tensor.Tensor) (uNew, s *tensor.Tensor) {
	th := p.theta()
	beta := tp.Clamp(p.LearnBeta, 0, 1)
	r := tp.NewResult(u.Shape)
	keep := tp.NewResult(u.Shape) // 1 − r
	for i, v := range u.Data {
		r.Data[i], keep.Data[i] = 0, 1
		if v > th {
			r.Data[i], keep.Data[i] = 1, 0
		}
	}
	switch p.Reset {
	case ResetSubtract:
		uNew = tp.Sub(tp.Add(tp.Mul(u, beta), in), tp.Scale(r, th))
	case ResetZero:
		uNew = tp.Add(tp.Mul(tp.Mul(u, beta), keep), in)
	case ResetZeroLegacy:
		uNew = tp.Mul(tp.Add(tp.Mul(u, beta), in), keep)
	default:
		uNew = tp.Add(tp.Mul(u, beta), in)
	}
	return uNew, surrogate.Spike(tp, tp.AddScalar(uNew, -th), p.sg())
}

// The LIF neuron with the reset in the step that fires and a refractory
// period: the form of BrainPy's LifRef and of Brian2, used by the
// simulator (LIFGroup), reservoirs, spiking FORCE and the decision network
// of networks.Competition. Its ODE, in any consistent units,
//
//	τ dV/dt = a − b·V        (a = V_rest + R·I + Σ g_k·E_k, b = 1 + Σ g_k)
//
// is discretized one of three ways, each written once below:
//
//	LIFEuler:  V ← V + c·(a − b·V),            c = dt/τ (forward Euler)
//	LIFExact:  V ← V∞ + (V − V∞)·e^(−b·c),     V∞ = a/b (exact for a, b held over the step)
//	LIFRef:    V ← β·V + I                     (dimensionless; β = e^(−dt/τ), I the input of the step)
//
// then, unless refractory: a spike when V > θ (strictly, as every braingo
// neuron), V ← V_reset (or V − θ), and the neuron is refractory (V frozen)
// for the next RefSteps steps.

// LIFEuler returns one forward-Euler step of τ dV/dt = a − b·V from v,
// with c = dt/τ, in float32 as written (no fused multiply-add): the
// integration of LIFGroup (Method Euler), of kernels.LIFCondStep (whose
// fused loop is tested against it) and of networks.SpikingForce.
func LIFEuler(v, c, a, b float32) float32 { return v + float32(c*(a-float32(b*v))) }

// LIFExact returns the exact step of τ dV/dt = a − b·V from v over c =
// dt/τ with a and b held constant: V∞ + (V − V∞)·e^(−b·c), V∞ = a/b (b > 0).
// It is LIFGroup's Method Exact.
func LIFExact(v, c, a, b float32) float32 {
	inf := a / b
	return inf + (v-inf)*float32(math.Exp(-float64(c*b)))
}

// LIFRef is the dimensionless LIF with the reset in the step that fires
// and an absolute refractory period. Per step and neuron i:
//
//	if ref[i] > 0: ref[i]−−, V frozen, S = 0
//	else:          V' = β·V + I;  S = H(V' − θ)
//	               V  = S ? (Subtract ? V' − θ : VReset) : V';  on a spike ref[i] = RefSteps
//
// A Reservoir's spiking units are LIFRef{Beta: β, Subtract: true}; the
// decision network's output neurons LIFRef{Beta: β, RefSteps: k} fed by an
// exponential synaptic current.
type LIFRef struct {
	// Beta is the membrane decay per step.
	Beta float32
	// Threshold θ; 0 means 1.
	Threshold float32
	// VReset is the membrane after a spike unless Subtract.
	VReset float32
	// Subtract resets by V ← V − θ instead of V ← VReset.
	Subtract bool
	// RefSteps is the refractory period in steps (0: none).
	RefSteps int
}

// Step advances v (in/out) by input in, writes the spikes (0 or 1) to s
// and returns their number. ref holds each neuron's refractory steps left
// (it may be nil when RefSteps is 0).
func (p LIFRef) Step(v, s, in []float32, ref []int) int {
	checkLens("LIFRef step", len(in), v, s)
	th := p.Threshold
	if th == 0 {
		th = 1
	}
	if p.RefSteps > 0 && len(ref) != len(in) {
		panic("snn: LIFRef step: refractory counters missing")
	}
	n := 0
	for i, x := range in {
		s[i] = 0
		if p.RefSteps > 0 && ref[i] > 0 {
			ref[i]--
			continue
		}
		u := p.Beta*v[i] + x
		if u > th {
			s[i] = 1
			n++
			if p.Subtract {
				u -= th
			} else {
				u = p.VReset
			}
			if p.RefSteps > 0 {
				ref[i] = p.RefSteps
			}
		}
		v[i] = u
	}
	return n
}

// LIFCell is LIF as a Cell; state [U].
type LIFCell struct{ LIF }

// Params returns the learnable decay, if any.
func (c LIFCell) Params() []*tensor.Tensor {
	if c.LearnBeta == nil {
		return nil
	}
	return []*tensor.Tensor{c.LearnBeta}
}

func (c LIFCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	return ZeroState(tp, 1, batch, n)
}
func (c LIFCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	u, s := c.Forward(tp, st[0], in)
	return []*tensor.Tensor{u}, s, u
}
func (c LIFCell) Membrane(st []*tensor.Tensor) *tensor.Tensor { return st[0] }

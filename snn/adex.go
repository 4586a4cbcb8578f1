package snn

import (
	"math"

	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// The adaptive exponential integrate-and-fire neuron (Brette and Gerstner
// 2005), and the exponential integrate-and-fire neuron (Fourcaud-Trocmé et
// al. 2003) as its special case without adaptation (w = 0):
//
//	C dV/dt   = −g_L(V − E_L) + g_L·Δ_T·exp((min(V, V_cut) − V_T)/Δ_T) − w + I
//	τ_w dw/dt = a(V − E_L) − w
//	spike when V > V_cut: V ← V_r, w ← w + b
//
// The exponential is capped at V_cut (the spike threshold, V_peak) to keep
// the step finite. The right-hand side is written once, in adexRHS, and
// serves both unit systems:
//   - biological (AdEx, the trainable layer): pF, nS, mV, pA, ms;
//     Brette and Gerstner's regular-spiking cell is AdEx's default;
//   - resistance-scaled (AdExGroup and ExpIFGroup, the simulator's
//     populations): g_L = 1, C = τ_m in ms, w, b, I in mV (R·I), a
//     dimensionless (a/g_L); AdExGroupOf converts.
//
// Update order: integrate (AdEx: forward Euler; the groups: their Method),
// threshold, reset.

// adexRHS is the model's right-hand side in the integrators' linear form,
// dV/dt = av − bv·V and dw/dt = aw − bw·w, at (v, w) under input current i.
func adexRHS[F float32 | float64](c, gl, el, vt, deltaT, vCut, tauW, a, v, w, i F) (av, bv, aw, bw F) {
	ex := gl * deltaT * F(math.Exp(float64((min(v, vCut)-vt)/deltaT)))
	return (gl*el + ex - w + i) / c, gl / c, a * (v - el) / tauW, 1 / tauW
}

// AdEx is the trainable AdEx layer (units: pF, nS, mV, pA, ms; the input
// current in pA): forward Euler with step Dt, the spike's surrogate on
// (V − V_peak)/Scale, the reset detached.
type AdEx struct {
	// Defaults (all zero): Brette and Gerstner's regular-spiking cell,
	// C 281 pF, g_L 30 nS, E_L −70.6 mV, V_T −50.4 mV, Δ_T 2 mV, τ_w 144 ms,
	// a 4 nS, b 80.5 pA, V_r = E_L, V_peak 20 mV, Dt 0.1 ms, Scale 10 mV.
	C, GL, EL, VT, DeltaT, TauW, A, B, VR, VPeak, Dt, Scale float32
	Surrogate                                               surrogate.Func
}

// AdExState holds membrane V and adaptation current W.
type AdExState struct{ V, W *tensor.Tensor }

func (p AdEx) defaults() AdEx {
	if p.C == 0 {
		p = AdEx{C: 281, GL: 30, EL: -70.6, VT: -50.4, DeltaT: 2, TauW: 144, A: 4, B: 80.5, VR: -70.6, VPeak: 20, Dt: p.Dt, Scale: p.Scale, Surrogate: p.Surrogate}
	}
	if p.Dt == 0 {
		p.Dt = 0.1
	}
	if p.Scale == 0 {
		p.Scale = 10
	}
	if p.Surrogate == nil {
		p.Surrogate = surrogate.FastSigmoid{}
	}
	return p
}

// AdExGroupOf returns the simulator's population parameters of the cell p
// (defaults applied) in resistance-scaled units: τ = C/g_L, w and b in mV
// (divided by g_L), a/g_L; Ref 0 and Method Euler, the layer's.
func AdExGroupOf(p AdEx) AdExGroup {
	p = p.defaults()
	gl := float64(p.GL)
	return AdExGroup{Tau: float64(p.C) / gl, EL: float64(p.EL), VT: float64(p.VT), DeltaT: float64(p.DeltaT),
		VCut: float64(p.VPeak), VReset: float64(p.VR), Dt: float64(p.Dt), TauW: float64(p.TauW),
		A: float64(p.A) / gl, B: float64(p.B) / gl, Method: Euler}
}

// Forward is one differentiable Euler step; it returns the new state and
// the spikes.
func (p AdEx) Forward(tp *tensor.Tape, st AdExState, in *tensor.Tensor) (AdExState, *tensor.Tensor) {
	p = p.defaults()
	m := euler2{dt: p.Dt, vPeak: p.VPeak, scale: p.Scale, vReset: p.VR, jump: p.B, sg: p.Surrogate,
		f: func(v, w, i float32, jac bool) (float32, float32, [5]float32) {
			av, bv, aw, bw := adexRHS(p.C, p.GL, p.EL, p.VT, p.DeltaT, p.VPeak, p.TauW, p.A, v, w, i)
			var d [5]float32
			if jac {
				dex := float32(0) // d(g_L·Δ_T·e^((v − V_T)/Δ_T))/dv below the cap
				if v < p.VPeak {
					dex = p.GL * float32(math.Exp(float64((v-p.VT)/p.DeltaT)))
				}
				d = [5]float32{(dex - p.GL) / p.C, -1 / p.C, 1 / p.C, p.A / p.TauW, -1 / p.TauW}
			}
			return av - bv*v, aw - bw*w, d
		}}
	v, w, s := m.forward(tp, st.V, st.W, in)
	return AdExState{V: v, W: w}, s
}

// Simulator populations, in resistance-scaled units (mV, ms), with the
// synaptic input I_syn = A − B·v of Input added to I. Each is integrated
// per neuron by the shared integrator (Method: Euler, ExpEuler, RK2, RK4;
// Exact means ExpEuler) with the inputs held over the step; then, if not
// refractory and v > VCut, the reset is applied. Refractoriness freezes v
// (Brian2's "unless refractory") for Ref ms; w evolves.

// ExpIFGroup is the exponential integrate-and-fire neuron:
//
//	Tau dv/dt = −(v − EL) + DeltaT·exp((min(v, VCut) − VT)/DeltaT) + I + I_syn
//	spike when v > VCut: v ← VReset
type ExpIFGroup struct {
	Tau, EL, VT, DeltaT, VCut, VReset, Ref, I, Dt float64
	Method                                        Method
	Vm                                            []float32
	Last                                          []int32
}

// AdExGroup is the AdEx neuron with the adaptation w in mV (w = R·I_w):
//
//	Tau  dv/dt = −(v − EL) + DeltaT·exp((min(v, VCut) − VT)/DeltaT) − w + I + I_syn
//	TauW dw/dt = A·(v − EL) − w
//	spike when v > VCut: v ← VReset, w ← w + B
type AdExGroup struct {
	Tau, EL, VT, DeltaT, VCut, VReset, Ref, I, Dt float64
	TauW, A, B                                    float64
	Method                                        Method
	Vm, W                                         []float32
	Last                                          []int32
}

// NewExpIFGroup returns n neurons of p at rest.
func NewExpIFGroup(n int, p ExpIFGroup) *ExpIFGroup {
	g := p
	g.Vm, g.Last = initIF(n, p.EL)
	return &g
}

// NewAdExGroup returns n neurons of p at rest with w = 0.
func NewAdExGroup(n int, p AdExGroup) *AdExGroup {
	g := p
	g.Vm, g.Last = initIF(n, p.EL)
	g.W = make([]float32, n)
	return &g
}

func (g *ExpIFGroup) Len() int     { return len(g.Vm) }
func (g *ExpIFGroup) V() []float32 { return g.Vm }
func (g *AdExGroup) Len() int      { return len(g.Vm) }
func (g *AdExGroup) V() []float32  { return g.Vm }

// Update implements Neurons.
func (g *ExpIFGroup) Update(t int32, in Input, spk []int32) int {
	ref, n := refSteps(g.Ref, g.Dt), 0
	for i := range g.Vm {
		if t-g.Last[i] < ref {
			continue
		}
		a, b := float64(in.A[i]), float64(in.B[i])
		x := vec{float64(g.Vm[i])}
		integrate(g.Method, 1, g.Dt, &x, func(y *vec, da, db *vec) {
			av, bv, _, _ := adexRHS(g.Tau, 1, g.EL, g.VT, g.DeltaT, g.VCut, 1, 0, y[0], 0, g.I+a)
			da[0], db[0] = av, bv+b/g.Tau
		})
		if x[0] > g.VCut {
			x[0], g.Last[i] = g.VReset, t
			spk[n] = int32(i)
			n++
		}
		g.Vm[i] = float32(x[0])
	}
	return n
}

// Update implements Neurons.
func (g *AdExGroup) Update(t int32, in Input, spk []int32) int {
	return update2(g.Method, g.Dt, t, refSteps(g.Ref, g.Dt), g.Vm, g.W, g.Last, in, spk, g.VCut, g.VReset, g.B,
		func(y *vec, a, b float64, active bool, da, db *vec) {
			av, bv, aw, bw := adexRHS(g.Tau, 1, g.EL, g.VT, g.DeltaT, g.VCut, g.TauW, g.A, y[0], y[1], g.I+a)
			da[0], db[0] = av, bv+b/g.Tau
			if !active {
				da[0], db[0] = 0, 0
			}
			da[1], db[1] = aw, bw
		})
}

// AdExCell is AdEx as a Cell; state [V, w] starting at V = E_L, w = 0.
type AdExCell struct{ AdEx }

func (c AdExCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	st := ZeroState(tp, 2, batch, n)
	el := c.defaults().EL
	for i := range st[0].Data {
		st[0].Data[i] = el
	}
	return st
}
func (c AdExCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	ns, s := c.Forward(tp, AdExState{V: st[0], W: st[1]}, in)
	return []*tensor.Tensor{ns.V, ns.W}, s, ns.V
}
func (c AdExCell) Membrane(st []*tensor.Tensor) *tensor.Tensor { return st[0] }

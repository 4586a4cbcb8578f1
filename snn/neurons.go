package snn

import (
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// LI is a leaky integrator without spikes, the usual readout of a spiking
// network (snnTorch Leaky with reset "none" read through its membrane; NIR
// LI once discretized):
//
//	O[t] = β·O[t−1] + I[t]
type LI struct {
	// Beta is the decay per step.
	Beta float32
}

// Step advances o in place by input in, without a tape.
func (p LI) Step(o, in []float32) {
	for i := range o {
		o[i] = p.Beta*o[i] + in[i]
	}
}

// Forward returns β·o + in on tp.
func (p LI) Forward(tp *tensor.Tape, o, in *tensor.Tensor) *tensor.Tensor {
	return tp.Add(tp.Scale(o, p.Beta), in)
}

// Synaptic is the current-based synaptic LIF neuron of snnTorch's Synaptic
// (NIR CubaLIF once discretized): an exponentially decaying synaptic current
// feeds a LIF membrane.
//
//	τ_syn dI_syn/dt = −I_syn + w_in·I ;  τ_mem dU/dt = −U + R·I_syn
//	syn[t] = α·syn[t−1] + I[t]
//	then the LIF step with input syn[t] (reset and spike as in LIF; with
//	ResetZero only the membrane is reset, the synaptic current is not).
//
// The zero reset follows NIR's CubaLIF and BrainPy: U[t] = β·(1 − r)·U[t−1]
// + syn[t], the synaptic current untouched. snnTorch 0.9.4's Synaptic keeps
// its pre-0.8 zero reset (it zeroes the state after integrating the step's
// input, and resets the synaptic current too); braingo does not copy it,
// because NIR, the format Synaptic layers are exchanged in, and snnTorch's
// own Leaky define the reset as above. ResetZeroLegacy gives the pre-0.8
// membrane rule.
type Synaptic struct {
	// Alpha is the synaptic current decay per step.
	Alpha float32
	LIF
}

// Step advances syn, u (in/out) and s (out) without a tape.
func (p Synaptic) Step(syn, u, s, in []float32) {
	for i := range syn {
		syn[i] = p.Alpha*syn[i] + in[i]
	}
	p.LIF.Step(u, s, syn)
}

// Forward is one differentiable step: new synaptic current, membrane and
// spikes.
func (p Synaptic) Forward(tp *tensor.Tape, syn, u, in *tensor.Tensor) (synNew, uNew, s *tensor.Tensor) {
	synNew = tp.Add(tp.Scale(syn, p.Alpha), in)
	uNew, s = p.LIF.Forward(tp, u, synNew)
	return synNew, uNew, s
}

// Izhikevich is the Izhikevich (2003) model, v in mV and t in ms:
//
//	dv/dt = 0.04v² + 5v + 140 − u + I ;  du/dt = a(bv − u)
//	spike when v ≥ v_peak (30 mV): v ← c, u ← u + d
//
// discretized by forward Euler with step Dt; the spike is H(v − v_peak) with
// a surrogate on (v − v_peak)/Scale, and the reset is detached.
type Izhikevich struct {
	// A, B, C, D are Izhikevich's parameters (regular spiking: 0.02, 0.2,
	// −65, 8, the defaults when all are zero).
	A, B, C, D float32
	// Dt is the Euler step in ms (default 0.5).
	Dt float32
	// Scale normalizes v − v_peak for the surrogate (default 10 mV).
	Scale float32
	// Surrogate derivative (nil: fast_sigmoid with slope 25).
	Surrogate surrogate.Func
}

// IzhikevichState holds membrane v and recovery u.
type IzhikevichState struct{ V, U *tensor.Tensor }

func (p Izhikevich) defaults() Izhikevich {
	if p.A == 0 && p.B == 0 && p.C == 0 && p.D == 0 {
		p.A, p.B, p.C, p.D = 0.02, 0.2, -65, 8
	}
	if p.Dt == 0 {
		p.Dt = 0.5
	}
	if p.Scale == 0 {
		p.Scale = 10
	}
	if p.Surrogate == nil {
		p.Surrogate = surrogate.FastSigmoid{}
	}
	return p
}

// Forward is one differentiable Euler step; it returns the new state and
// the spikes.
func (p Izhikevich) Forward(tp *tensor.Tape, st IzhikevichState, in *tensor.Tensor) (IzhikevichState, *tensor.Tensor) {
	p = p.defaults()
	const vPeak = 30
	v, u := st.V, st.U
	// dv = 0.04v² + 5v + 140 − u + I
	dv := tp.Add(tp.Sub(tp.AddScalar(tp.Add(tp.Scale(tp.Square(v), 0.04), tp.Scale(v, 5)), 140), u), in)
	du := tp.Scale(tp.Sub(tp.Scale(v, p.B), u), p.A)
	vn := tp.Add(v, tp.Scale(dv, p.Dt))
	un := tp.Add(u, tp.Scale(du, p.Dt))
	s := surrogate.Spike(tp, tp.Scale(tp.AddScalar(vn, -vPeak), 1/p.Scale), p.Surrogate)
	fired := s.Detach()
	reset := tensor.Zeros(v.Shape...)
	for i := range reset.Data {
		reset.Data[i] = p.C
	}
	vn = tp.Where(fired, reset, vn)
	un = tp.Add(un, tp.Scale(fired, p.D))
	return IzhikevichState{V: vn, U: un}, s
}

// AdEx is the adaptive exponential integrate-and-fire model (Brette and
// Gerstner 2005), V in mV, w in pA, t in ms:
//
//	C dV/dt = −g_L(V − E_L) + g_L·Δ_T·exp((V − V_T)/Δ_T) − w + I
//	τ_w dw/dt = a(V − E_L) − w
//	spike when V > V_peak: V ← V_r, w ← w + b
//
// discretized by forward Euler with step Dt (the exponential term is capped
// at V_peak to keep the step finite); the spike's surrogate acts on
// (V − V_peak)/Scale and the reset is detached.
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

// Forward is one differentiable Euler step (units: pF, nS, mV, pA, ms; the
// input current in pA); it returns the new state and the spikes.
func (p AdEx) Forward(tp *tensor.Tape, st AdExState, in *tensor.Tensor) (AdExState, *tensor.Tensor) {
	p = p.defaults()
	v, w := st.V, st.W
	leak := tp.Scale(tp.AddScalar(v, -p.EL), -p.GL)
	ex := tp.Scale(tp.Exp(tp.Scale(tp.AddScalar(tp.Clamp(v, -1e4, p.VPeak), -p.VT), 1/p.DeltaT)), p.GL*p.DeltaT)
	// dV in mV/ms: (pA = nS·mV) / pF
	dv := tp.Scale(tp.Add(tp.Sub(tp.Add(leak, ex), w), in), 1/p.C)
	dw := tp.Scale(tp.Sub(tp.Scale(tp.AddScalar(v, -p.EL), p.A), w), 1/p.TauW)
	vn := tp.Add(v, tp.Scale(dv, p.Dt))
	wn := tp.Add(w, tp.Scale(dw, p.Dt))
	s := surrogate.Spike(tp, tp.Scale(tp.AddScalar(vn, -p.VPeak), 1/p.Scale), p.Surrogate)
	fired := s.Detach()
	reset := tensor.Zeros(v.Shape...)
	for i := range reset.Data {
		reset.Data[i] = p.VR
	}
	vn = tp.Where(fired, reset, vn)
	wn = tp.Add(wn, tp.Scale(fired, p.B))
	return AdExState{V: vn, W: wn}, s
}

package snn

import (
	"math"
)

// Synapse is the synapse dynamics of a projection, with its state kept per
// post-synaptic neuron (AlignPost): spikes arriving through the
// connectivity add their weights to Target, and the output reads G.
type Synapse interface {
	// Init allocates the state for n post-neurons.
	Init(n int)
	// Target is the variable the connectivity adds spike weights to.
	Target() []float32
	// G is the conductance (or current) the output reads.
	G() []float32
	// Step advances the state by one step.
	Step()
}

// Exponential is the exponential synapse dg/dt = −g/Tau, g ← g + w on a
// spike. Its per-step factor is 1 − dt/Tau with Method Euler (the zero
// value, as in the COBA benchmark's Brian2 script) or exp(−dt/Tau) with
// Exact.
type Exponential struct {
	Tau, Dt float64 // ms
	Method  Method
	g       []float32
	dec     float32
}

func (s *Exponential) Init(n int) {
	s.g = make([]float32, n)
	s.dec = s.Method.decay(s.Dt, s.Tau)
}
func (s *Exponential) Target() []float32 { return s.g }
func (s *Exponential) G() []float32      { return s.g }
func (s *Exponential) Step() {
	d := s.dec
	for i := range s.g {
		s.g[i] *= d
	}
}

// DualExponential is the difference-of-exponentials synapse, written as two
// linear equations so that its state stays per post-neuron (AlignPost):
//
//	dg/dt = −g/TauDecay + h,   dh/dt = −h/TauRise,   h ← h + A·w on a spike
//
// with A chosen so that a single weight-1 spike peaks at g = 1. Alpha is the case TauRise = TauDecay. The
// pair is integrated by forward Euler (Method Euler, the zero value) or
// exactly over a step (any other Method).
type DualExponential struct {
	TauRise, TauDecay, Dt float64 // ms
	Method                Method
	g, h                  []float32
	a, b, c, d            float32 // g' = a·g + b·h, h' = d·h; spikes scaled by c
}

// Alpha returns the alpha synapse with time constant tau (peak 1 at t = tau
// for a weight-1 spike).
func Alpha(tau, dt float64) *DualExponential {
	return &DualExponential{TauRise: tau, TauDecay: tau, Dt: dt, Method: Exact}
}

func (s *DualExponential) Init(n int) {
	s.g, s.h = make([]float32, n), make([]float32, n)
	tr, td, dt := s.TauRise, s.TauDecay, s.Dt
	// Peak of the response to h(0) = 1: g(t) = (e^(−t/td) − e^(−t/tr))/(1/tr − 1/td)
	// (or t·e^(−t/τ) for the alpha case).
	var peak float64
	if math.Abs(tr-td) < 1e-12 {
		peak = td / math.E
	} else {
		tp := math.Log(td/tr) * tr * td / (td - tr)
		peak = (math.Exp(-tp/td) - math.Exp(-tp/tr)) / (1/tr - 1/td)
	}
	s.c = float32(1 / peak)
	if s.Method == Euler {
		s.a, s.b, s.d = float32(1-dt/td), float32(dt), float32(1-dt/tr)
		return
	}
	s.a, s.d = float32(math.Exp(-dt/td)), float32(math.Exp(-dt/tr))
	if math.Abs(tr-td) < 1e-12 {
		s.b = float32(dt * math.Exp(-dt/td))
	} else {
		s.b = float32((math.Exp(-dt/td) - math.Exp(-dt/tr)) / (1/tr - 1/td))
	}
}

// Target is h scaled: the connectivity adds w and Step applies the peak
// normalisation, so Target holds h/c between steps.
func (s *DualExponential) Target() []float32 { return s.h }
func (s *DualExponential) G() []float32      { return s.g }
func (s *DualExponential) Step() {
	a, b, d := s.a, s.b*s.c, s.d
	h := s.h[:len(s.g)]
	for i, g := range s.g {
		s.g[i] = a*g + b*h[i]
		h[i] *= d
	}
}

// Output turns synapse state into the post-neurons' input.
type Output interface {
	// Apply adds the contribution of g to in, given the membranes v (mV).
	Apply(in Input, g, v []float32)
}

// COBA is the conductance-based output I = g·(E − v), g in units of the
// leak conductance: A += g·E, B += g.
type COBA struct{ E float32 }

func (o COBA) Apply(in Input, g, v []float32) {
	a, b := in.A[:len(g)], in.B[:len(g)]
	for i, x := range g {
		a[i] += x * o.E
		b[i] += x
	}
}

// CUBA is the current-based output I = Scale·g (mV): A += Scale·g. A zero
// Scale means 1.
type CUBA struct{ Scale float32 }

func (o CUBA) Apply(in Input, g, v []float32) {
	s := o.Scale
	if s == 0 {
		s = 1
	}
	a := in.A[:len(g)]
	for i, x := range g {
		a[i] += s * x
	}
}

// MgBlock is the NMDA output I = g·B(v)·(E − v) with the magnesium block
// B(v) = 1/(1 + [Mg]/3.57·exp(−0.062·v)) (Jahr and Stevens 1990), v in mV,
// evaluated at the membrane of the previous step. Mg is in mM (0 means 1.2).
type MgBlock struct{ E, Mg float32 }

func (o MgBlock) Apply(in Input, g, v []float32) {
	mg := o.Mg
	if mg == 0 {
		mg = 1.2
	}
	a, b := in.A[:len(g)], in.B[:len(g)]
	for i, x := range g {
		if x == 0 {
			continue
		}
		blk := x / (1 + mg/3.57*float32(math.Exp(-0.062*float64(v[i]))))
		a[i] += blk * o.E
		b[i] += blk
	}
}

// TsodyksMarkram is short-term plasticity of the pre-synaptic neurons
// (Tsodyks and Markram 1997, the form of Brian2's example):
//
//	du/dt = (U − u)/TauF,   dx/dt = (1 − x)/TauD
//	on a spike: the weights are scaled by u·x; then x ← x − u·x, u ← u + U·(1 − u)
//
// Between spikes the state relaxes exactly, evaluated only when the neuron
// fires (event-driven), so its cost follows spikes.
type TsodyksMarkram struct {
	U, TauF, TauD float64 // TauF, TauD in ms
	u, x          []float32
	last          []int32
}

func (s *TsodyksMarkram) init(n int) {
	s.u, s.x, s.last = make([]float32, n), make([]float32, n), make([]int32, n)
	for i := range s.u {
		s.u[i], s.x[i], s.last[i] = float32(s.U), 1, -1
	}
}

// spike appends to scale the weight factors u·x of the spiking neurons and
// updates their state.
func (s *TsodyksMarkram) spike(scale []float32, active []int32, t int32, dt float64) []float32 {
	for _, i := range active {
		u, x := float64(s.u[i]), float64(s.x[i])
		if s.last[i] >= 0 {
			el := float64(t-s.last[i]) * dt
			u = s.U + (u-s.U)*math.Exp(-el/s.TauF)
			x = 1 + (x-1)*math.Exp(-el/s.TauD)
		}
		scale = append(scale, float32(u*x))
		x -= u * x
		u += s.U * (1 - u)
		s.u[i], s.x[i], s.last[i] = float32(u), float32(x), t
	}
	return scale
}

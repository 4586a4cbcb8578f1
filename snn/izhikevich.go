package snn

import (
	"github.com/braingo/braingo/surrogate"
	"github.com/braingo/braingo/tensor"
)

// The Izhikevich (2003) neuron, v in mV, u in mV/ms·(ms), t in ms, I in mV/ms:
//
//	dv/dt = 0.04v² + 5v + 140 − u + I
//	du/dt = a(bv − u)
//	spike when v > v_peak (30 mV): v ← c, u ← u + d
//
// The right-hand side is written once, in izhikevichRHS; Izhikevich (the
// trainable layer: forward Euler, surrogate spike, detached reset) and
// IzhikevichGroup (the simulator's population: any Method, synaptic input
// A − B·v, refractoriness) both integrate it. Update order: integrate,
// threshold, reset. Presets (IzhikevichPresets): Izhikevich's regular
// spiking, intrinsically bursting, chattering, fast spiking and
// low-threshold spiking cells.

// izhikevichPeak is v_peak in mV.
const izhikevichPeak = 30

// izhikevichRHS is the model's right-hand side in the integrators' linear
// form: dv/dt = av (no linear part), du/dt = au − bu·u, at (v, u) under
// input current i.
func izhikevichRHS[F float32 | float64](a, b, v, u, i F) (av, au, bu F) {
	return 0.04*v*v + 5*v + 140 - u + i, a * b * v, a
}

// IzhikevichPresets are Izhikevich's (2003, fig. 2) cell classes as
// (a, b, c, d).
var IzhikevichPresets = map[string][4]float32{
	"regular_spiking":        {0.02, 0.2, -65, 8},
	"intrinsically_bursting": {0.02, 0.2, -55, 4},
	"chattering":             {0.02, 0.2, -50, 2},
	"fast_spiking":           {0.1, 0.2, -65, 2},
	"low_threshold_spiking":  {0.02, 0.25, -65, 2},
}

// Izhikevich is the trainable Izhikevich layer: forward Euler with step Dt,
// the spike H(v − v_peak) with a surrogate on (v − v_peak)/Scale, the
// reset detached (the gradient of v stops at a spike).
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
	a, b := p.A, p.B
	m := euler2{dt: p.Dt, vPeak: izhikevichPeak, scale: p.Scale, vReset: p.C, jump: p.D, sg: p.Surrogate,
		f: func(v, u, i float32, jac bool) (float32, float32, [5]float32) {
			av, au, bu := izhikevichRHS(a, b, v, u, i)
			var d [5]float32
			if jac {
				d = [5]float32{0.08*v + 5, -1, 1, a * b, -a}
			}
			return av, au - bu*u, d
		}}
	v, u, s := m.forward(tp, st.V, st.U, in)
	return IzhikevichState{V: v, U: u}, s
}

// IzhikevichGroup is the simulator's population of Izhikevich neurons,
// with the synaptic input I_syn = A − B·v of Input added to I and Ref ms
// of refractoriness (v frozen, u evolving).
type IzhikevichGroup struct {
	A, B, C, D, I, Ref, Dt float64
	Method                 Method
	Vm, U                  []float32
	Last                   []int32
}

// NewIzhikevichGroup returns n neurons of p (regular spiking for A 0.02, B
// 0.2, C −65, D 8) at v = −65, u = B·v.
func NewIzhikevichGroup(n int, p IzhikevichGroup) *IzhikevichGroup {
	g := p
	g.Vm, g.Last = initIF(n, -65)
	g.U = make([]float32, n)
	for i := range g.U {
		g.U[i] = float32(p.B * -65)
	}
	return &g
}

func (g *IzhikevichGroup) Len() int     { return len(g.Vm) }
func (g *IzhikevichGroup) V() []float32 { return g.Vm }

// Update implements Neurons.
func (g *IzhikevichGroup) Update(t int32, in Input, spk []int32) int {
	return update2(g.Method, g.Dt, t, refSteps(g.Ref, g.Dt), g.Vm, g.U, g.Last, in, spk, izhikevichPeak, g.C, g.D,
		func(y *vec, a, b float64, active bool, da, db *vec) {
			av, au, bu := izhikevichRHS(g.A, g.B, y[0], y[1], g.I+a)
			da[0], db[0] = av, b
			if !active {
				da[0], db[0] = 0, 0
			}
			da[1], db[1] = au, bu
		})
}

// IzhikevichCell is Izhikevich as a Cell; state [v, u] starting at rest
// (v = c, u = b·c).
type IzhikevichCell struct{ Izhikevich }

func (c IzhikevichCell) Init(tp *tensor.Tape, batch, n int) []*tensor.Tensor {
	st := ZeroState(tp, 2, batch, n)
	q := c.defaults()
	for i := range st[0].Data {
		st[0].Data[i], st[1].Data[i] = q.C, q.B*q.C
	}
	return st
}
func (c IzhikevichCell) Step(tp *tensor.Tape, st []*tensor.Tensor, in *tensor.Tensor) ([]*tensor.Tensor, *tensor.Tensor, *tensor.Tensor) {
	ns, s := c.Forward(tp, IzhikevichState{V: st[0], U: st[1]}, in)
	return []*tensor.Tensor{ns.V, ns.U}, s, ns.V
}
func (c IzhikevichCell) Membrane(st []*tensor.Tensor) *tensor.Tensor { return st[0] }

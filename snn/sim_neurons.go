package snn

import (
	"math"

	"github.com/braingo/braingo/kernels"
)

// Nonlinear integrate-and-fire groups for simulation, in mV and ms, with
// the synaptic input I_syn = A − B·v of Input (mV). Each is integrated per
// neuron by the shared integrator (Method: Euler, ExpEuler, RK2, RK4; Exact
// means ExpEuler) with the inputs held over the step; then, if not
// refractory and v crosses the spike condition, the reset is applied.
// Refractoriness freezes v (Brian2's "unless refractory") for Ref ms, the
// other variables evolve.

// ExpIFGroup is the exponential integrate-and-fire neuron (Fourcaud-Trocmé
// et al. 2003):
//
//	Tau dv/dt = −(v − EL) + DeltaT·exp((v − VT)/DeltaT) + I + I_syn
//	spike when v > VCut: v ← VReset
type ExpIFGroup struct {
	Tau, EL, VT, DeltaT, VCut, VReset, Ref, I, Dt float64
	Method                                        Method
	Vm                                            []float32
	Last                                          []int32
}

// AdExGroup is the adaptive exponential integrate-and-fire neuron (Brette and
// Gerstner 2005), with the adaptation w in mV (w = R·I_w):
//
//	Tau  dv/dt = −(v − EL) + DeltaT·exp((v − VT)/DeltaT) − w + I + I_syn
//	TauW dw/dt = A·(v − EL) − w
//	spike when v > VCut: v ← VReset, w ← w + B
type AdExGroup struct {
	Tau, EL, VT, DeltaT, VCut, VReset, Ref, I, Dt float64
	TauW, A, B                                    float64
	Method                                        Method
	Vm, W                                         []float32
	Last                                          []int32
}

// IzhikevichGroup is Izhikevich's (2003) simple model:
//
//	dv/dt = 0.04v² + 5v + 140 − u + I + I_syn
//	du/dt = A·(B·v − u)
//	spike when v ≥ 30: v ← C, u ← u + D
type IzhikevichGroup struct {
	A, B, C, D, I, Ref, Dt float64
	Method                 Method
	Vm, U                  []float32
	Last                   []int32
}

func initIF(n int, v0 float64) ([]float32, []int32) {
	v, last := make([]float32, n), make([]int32, n)
	kernels.Fill(v, float32(v0))
	for i := range last {
		last[i] = neverFired
	}
	return v, last
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

// NewIzhikevichGroup returns n neurons of p (regular spiking for A 0.02, B
// 0.2, C −65, D 8) at v = −65, u = B·v.
func NewIzhikevichGroup(n int, p IzhikevichGroup) *IzhikevichGroup {
	g := p
	g.Vm, g.Last = initIF(n, -65)
	g.U = make([]float32, n)
	kernels.Fill(g.U, float32(p.B*-65))
	return &g
}

func (g *ExpIFGroup) Len() int          { return len(g.Vm) }
func (g *ExpIFGroup) V() []float32      { return g.Vm }
func (g *AdExGroup) Len() int           { return len(g.Vm) }
func (g *AdExGroup) V() []float32       { return g.Vm }
func (g *IzhikevichGroup) Len() int     { return len(g.Vm) }
func (g *IzhikevichGroup) V() []float32 { return g.Vm }

func refSteps(ref, dt float64) int32 { return int32(math.Round(ref / dt)) }

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
			ex := g.DeltaT * math.Exp(min((y[0]-g.VT)/g.DeltaT, 30))
			da[0] = (g.EL + ex + g.I + a) / g.Tau
			db[0] = (1 + b) / g.Tau
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
	ref, n := refSteps(g.Ref, g.Dt), 0
	for i := range g.Vm {
		a, b := float64(in.A[i]), float64(in.B[i])
		x := vec{float64(g.Vm[i]), float64(g.W[i])}
		active := t-g.Last[i] >= ref
		integrate(g.Method, 2, g.Dt, &x, func(y *vec, da, db *vec) {
			if active {
				ex := g.DeltaT * math.Exp(min((y[0]-g.VT)/g.DeltaT, 30))
				da[0] = (g.EL + ex - y[1] + g.I + a) / g.Tau
				db[0] = (1 + b) / g.Tau
			} else {
				da[0], db[0] = 0, 0
			}
			da[1] = g.A * (y[0] - g.EL) / g.TauW
			db[1] = 1 / g.TauW
		})
		if active && x[0] > g.VCut {
			x[0], g.Last[i] = g.VReset, t
			x[1] += g.B
			spk[n] = int32(i)
			n++
		}
		g.Vm[i], g.W[i] = float32(x[0]), float32(x[1])
	}
	return n
}

// Update implements Neurons.
func (g *IzhikevichGroup) Update(t int32, in Input, spk []int32) int {
	ref, n := refSteps(g.Ref, g.Dt), 0
	for i := range g.Vm {
		a, b := float64(in.A[i]), float64(in.B[i])
		x := vec{float64(g.Vm[i]), float64(g.U[i])}
		active := t-g.Last[i] >= ref
		integrate(g.Method, 2, g.Dt, &x, func(y *vec, da, db *vec) {
			if active {
				v := y[0]
				da[0] = 0.04*v*v + 5*v + 140 - y[1] + g.I + a
				db[0] = b
			} else {
				da[0], db[0] = 0, 0
			}
			da[1] = g.A * g.B * y[0]
			db[1] = g.A
		})
		if active && x[0] >= 30 {
			x[0], g.Last[i] = g.C, t
			x[1] += g.D
			spk[n] = int32(i)
			n++
		}
		g.Vm[i], g.U[i] = float32(x[0]), float32(x[1])
	}
	return n
}

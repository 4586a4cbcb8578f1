package snn

import (
	"math"

	"github.com/braingo/braingo/kernels"
)

// HHGroup is a population of Hodgkin-Huxley neurons in the Traub-Miles form
// of the COBA-HH benchmark (Brette et al. 2007, benchmark 3; Brian2's
// example), in mV, ms, nS, pF and pA (pA/pF = mV/ms):
//
//	C dv/dt = GL(EL − v) − GNa m³h (v − ENa) − GK n⁴ (v − EK) + I_syn,  I_syn = A − B·v
//	dx/dt   = αx(v)(1 − x) − βx(v)·x                        for x = m, h, n
//	αm = 0.32(13 − v + VT)/(e^((13−v+VT)/4) − 1)    βm = 0.28(v − VT − 40)/(e^((v−VT−40)/5) − 1)
//	αh = 0.128 e^((17 − v + VT)/18)                 βh = 4/(1 + e^((40 − v + VT)/5))
//	αn = 0.032(15 − v + VT)/(e^((15−v+VT)/5) − 1)   βn = 0.5 e^((10 − v + VT)/40)
//
// A spike is v > VSpike while not refractory (no reset; Ref ms of
// refractoriness as in Brian2). The state is integrated with Method
// (ExpEuler, as Brian2's exponential_euler, is the benchmark's; Euler, RK2
// and RK4 are available) through the shared integrator.
type HHGroup struct {
	C, GL, EL, GNa, ENa, GK, EK, VT, VSpike, Ref, Dt float64
	Method                                           Method
	// Vm, M, H, N are the state; Last the step of each neuron's last spike.
	Vm, M, H, N []float32
	Last        []int32
	counts      []int
}

// TraubMiles returns the COBA-HH benchmark's parameters for dt ms (area
// 20,000 µm²).
func TraubMiles(dt float64) HHGroup {
	return HHGroup{C: 200, GL: 10, EL: -60, GNa: 20000, ENa: 50, GK: 6000, EK: -90, VT: -63, VSpike: -20, Ref: 3, Dt: dt, Method: ExpEuler}
}

// NewHHGroup returns n neurons with parameters p at rest (v = EL, gates at
// their steady state).
func NewHHGroup(n int, p HHGroup) *HHGroup {
	g := p
	g.Vm, g.M, g.H, g.N, g.Last = make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]int32, n)
	for i := range g.Vm {
		g.Vm[i], g.Last[i] = float32(p.EL), neverFired
	}
	g.ResetGates()
	return &g
}

// ResetGates sets m, h, n to their steady state at the current membranes.
func (g *HHGroup) ResetGates() {
	for i, v := range g.Vm {
		am, bm, ah, bh, an, bn := kernels.HHRates(float64(v), g.VT)
		g.M[i] = float32(am / (am + bm))
		g.H[i] = float32(ah / (ah + bh))
		g.N[i] = float32(an / (an + bn))
	}
}

func (g *HHGroup) Len() int     { return len(g.Vm) }
func (g *HHGroup) V() []float32 { return g.Vm }

// State returns v, m, h or n.
func (g *HHGroup) State(name string) ([]float32, bool) {
	switch name {
	case "v":
		return g.Vm, true
	case "m":
		return g.M, true
	case "h":
		return g.H, true
	case "n":
		return g.N, true
	}
	return nil, false
}

// Update implements Neurons, in parallel over blocks of neurons.
func (g *HHGroup) Update(t int32, in Input, spk []int32) int {
	n := len(g.Vm)
	chunks := min(kernels.Threads(), n/512)
	if chunks <= 1 {
		return g.update(0, n, t, in, spk)
	}
	if len(g.counts) < chunks {
		g.counts = make([]int, chunks)
	}
	parallelChunks(chunks, func(c int) {
		lo, hi := c*n/chunks, (c+1)*n/chunks
		g.counts[c] = g.update(lo, hi, t, in, spk[lo:hi])
	})
	k := g.counts[0]
	for c := 1; c < chunks; c++ {
		lo := c * n / chunks
		k += copy(spk[k:], spk[lo:lo+g.counts[c]])
	}
	return k
}

// update advances neurons [lo, hi) one step and lists those that spiked in
// spk (indices of the whole group), returning their count.
func (g *HHGroup) update(lo, hi int, t int32, in Input, spk []int32) int {
	if g.Method == ExpEuler || g.Method == Exact {
		// integrate's ExpEuler case on the same right-hand side, on 8
		// neurons at a time: every variable x with dx/dt = a − b·x becomes
		// a/b + (x − a/b)·e^(−b·dt).
		p := kernels.HHParams{C: g.C, GL: g.GL, EL: g.EL, GNa: g.GNa, ENa: g.ENa, GK: g.GK, EK: g.EK, VT: g.VT, Dt: g.Dt}
		kernels.HHExpEuler(&p, g.Vm[lo:hi], g.M[lo:hi], g.H[lo:hi], g.N[lo:hi], in.A[lo:hi], in.B[lo:hi])
	} else {
		for i := lo; i < hi; i++ {
			a, b := float64(in.A[i]), float64(in.B[i])
			x := vec{float64(g.Vm[i]), float64(g.M[i]), float64(g.H[i]), float64(g.N[i])}
			integrate(g.Method, 4, g.Dt, &x, func(y *vec, da, db *vec) {
				v, m, h, nn := y[0], y[1], y[2], y[3]
				am, bm, ah, bh, an, bn := kernels.HHRates(v, g.VT)
				gna := g.GNa * m * m * m * h
				gk := g.GK * nn * nn * nn * nn
				da[0] = (g.GL*g.EL + gna*g.ENa + gk*g.EK + a) / g.C
				db[0] = (g.GL + gna + gk + b) / g.C
				da[1], db[1] = am, am+bm
				da[2], db[2] = ah, ah+bh
				da[3], db[3] = an, an+bn
			})
			g.Vm[i], g.M[i], g.H[i], g.N[i] = float32(x[0]), float32(x[1]), float32(x[2]), float32(x[3])
		}
	}
	// A spike: v above VSpike while not refractory.
	ref := int32(math.Round(g.Ref / g.Dt))
	vs := float32(g.VSpike)
	cnt := 0
	last := g.Last[lo:hi]
	for i, v := range g.Vm[lo:hi] {
		if v > vs && t-last[i] >= ref {
			last[i] = t
			spk[cnt] = int32(lo + i)
			cnt++
		}
	}
	return cnt
}

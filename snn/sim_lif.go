package snn

import (
	"math"

	"github.com/braingo/braingo/kernels"
)

// neverFired is the last-spike step of a neuron that has not fired.
const neverFired = math.MinInt32 / 2

// LIFGroup is a population of leaky integrate-and-fire neurons with a
// refractory period, in physical units (mV, ms):
//
//	Tau dv/dt = −(v − VRest) + I + I_syn,   I_syn = A − B·v   (unless refractory)
//	spike when v > VTh (and not refractory): v ← VReset, refractory for Ref ms
//
// Refractoriness as in Brian2: after a spike at step s, v is frozen until
// step s + round(Ref/Dt), when it integrates again. Discretization (Method):
// Euler, v ← v + dt/Tau·(VRest + I + A − (1+B)·v); Exact (the default
// alternative), v ← v∞ + (v − v∞)·e^(−(1+B)·dt/Tau), v∞ = (VRest + I + A)/(1+B),
// exact for inputs constant over the step (LIFEuler and LIFExact of
// lif.go, the model's file). Update order: integrate, threshold, reset. The
// spike test and the Euler update are those of kernels.LIFCondStep, which
// the network uses (fused with two exponential conductances) for the COBA
// benchmark; TestLIFCondKernelMatchesModel holds them bit-identical.
type LIFGroup struct {
	Tau, VRest, VReset, VTh, Ref float64
	I                            float64 // constant drive (mV)
	Dt                           float64
	Method                       Method
	// Vm is the membrane (mV) and Last the step of each neuron's last spike.
	Vm   []float32
	Last []int32
}

// NewLIFGroup returns n neurons with parameters from p, the membranes at
// VRest and no past spikes.
func NewLIFGroup(n int, p LIFGroup) *LIFGroup {
	g := p
	g.Vm, g.Last = make([]float32, n), make([]int32, n)
	kernels.Fill(g.Vm, float32(p.VRest))
	for i := range g.Last {
		g.Last[i] = neverFired
	}
	return &g
}

func (g *LIFGroup) Len() int        { return len(g.Vm) }
func (g *LIFGroup) V() []float32    { return g.Vm }
func (g *LIFGroup) refSteps() int32 { return int32(math.Round(g.Ref / g.Dt)) }

// State returns "v".
func (g *LIFGroup) State(name string) ([]float32, bool) {
	if name == "v" {
		return g.Vm, true
	}
	return nil, false
}

// Update implements Neurons.
func (g *LIFGroup) Update(t int32, in Input, spk []int32) int {
	c := float32(g.Dt / g.Tau)
	k0 := float32(g.VRest + g.I)
	vth, vr, ref := float32(g.VTh), float32(g.VReset), g.refSteps()
	a, b, last := in.A[:len(g.Vm)], in.B[:len(g.Vm)], g.Last[:len(g.Vm)]
	exact := g.Method != Euler
	n := 0
	for i, x := range g.Vm {
		if t-last[i] < ref {
			continue
		}
		if exact {
			x = LIFExact(x, c, k0+a[i], 1+b[i])
		} else {
			x = LIFEuler(x, c, k0+a[i], 1+b[i])
		}
		if x > vth {
			x, last[i] = vr, t
			spk[n] = int32(i)
			n++
		}
		g.Vm[i] = x
	}
	return n
}

// fusedCOBA is the fast path of a LIF group with Euler dynamics driven by
// exactly two exponential conductance projections (the COBA benchmark):
// one pass of kernels.LIFCondStep updates the membranes and decays both
// conductances, split over neuron blocks on several goroutines for large
// groups.
type fusedCOBA struct {
	ok     bool
	g      *LIFGroup
	ge, gi []float32
	p      kernels.LIFCond
	counts []int
}

// fusedGrain is the number of neurons per goroutine below which the fused
// update runs on one goroutine (a goroutine hand-off costs about a
// microsecond; 16k neurons take several).
const fusedGrain = 1 << 14

func findFused(gr *Group) fusedCOBA {
	g, ok := gr.Neurons.(*LIFGroup)
	if !ok || g.Method != Euler || len(gr.incom) != 2 {
		return fusedCOBA{}
	}
	var syn [2]*Exponential
	var out [2]COBA
	for k, p := range gr.incom {
		s, ok1 := p.Syn.(*Exponential)
		o, ok2 := p.Out.(COBA)
		if !ok1 || !ok2 {
			return fusedCOBA{}
		}
		syn[k], out[k] = s, o
	}
	return fusedCOBA{ok: true, g: g, ge: syn[0].g, gi: syn[1].g, p: kernels.LIFCond{
		C: float32(g.Dt / g.Tau), El: float32(g.VRest), I: float32(g.I),
		Ee: out[0].E, Ei: out[1].E, DecE: syn[0].dec, DecI: syn[1].dec,
		Vth: float32(g.VTh), Vr: float32(g.VReset), RefSteps: g.refSteps(),
	}, counts: make([]int, kernels.Threads())}
}

func (f *fusedCOBA) step(t int32, spk []int32) int {
	n := len(f.g.Vm)
	chunks := min(kernels.Threads(), n/fusedGrain)
	if chunks <= 1 {
		return kernels.LIFCondStep(f.g.Vm, f.ge, f.gi, f.g.Last, t, &f.p, spk, 0)
	}
	if len(f.counts) < chunks {
		f.counts = make([]int, chunks)
	}
	parallelChunks(chunks, func(c int) {
		lo, hi := c*n/chunks, (c+1)*n/chunks
		f.counts[c] = kernels.LIFCondStep(f.g.Vm[lo:hi], f.ge[lo:hi], f.gi[lo:hi], f.g.Last[lo:hi], t, &f.p, spk[lo:hi], int32(lo))
	})
	k := f.counts[0]
	for c := 1; c < chunks; c++ {
		lo := c * n / chunks
		k += copy(spk[k:], spk[lo:lo+f.counts[c]])
	}
	return k
}
